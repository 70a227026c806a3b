package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stampede-mq/stampede/internal/loadgen"
)

// benchFlags are the bench subcommand's own flags; the connection flags
// (--url, --user, --vhost, --heartbeats, TLS, WebSocket) are connFlags.
type benchFlags struct {
	conn connFlags

	producers, consumers, idle int
	kind                       string
	destinations               int
	prefix                     string
	size                       string
	rate, totalRate            float64
	duration, warmup, drain    time.Duration
	warmupSet                  bool // --warmup was given
	messages                   int
	ack                        string
	prefetch                   int
	receipts                   bool
	transaction                int
	executor                   string
	loops                      int
	concurrency                int
	sourceIPs                  string

	jsonFile, report string
	quiet            bool
	maxLoss          float64
}

func (f *benchFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs, false)
	d := loadgen.DefaultScenario()
	fs.IntVar(&f.producers, "producers", d.Producers, "producer connections")
	fs.IntVar(&f.consumers, "consumers", d.Consumers, "consumer connections, one subscription each")
	fs.IntVar(&f.idle, "idle", 0, "extra connections that only connect (and heart-beat)")
	fs.StringVar(&f.kind, "kind", string(d.Kind), "destination kind: queue or topic")
	fs.IntVar(&f.destinations, "destinations", d.Destinations, "destinations: producer p sends to p mod N, consumer c reads c mod N (topic fan-out = consumers / N)")
	fs.StringVar(&f.prefix, "destination-prefix", d.Prefix, "destination names: /queue/PREFIX-0, /topic/PREFIX-0, ...")
	fs.StringVar(&f.size, "size", strconv.Itoa(d.MinSize), "message size in bytes, or a range MIN-MAX (at least 32: the bench header)")
	fs.Float64Var(&f.rate, "rate", 0, "messages per second per producer, open loop (0: as fast as possible)")
	fs.Float64Var(&f.totalRate, "total-rate", 0, "messages per second over all producers, open loop (instead of --rate)")
	fs.DurationVar(&f.duration, "duration", d.Duration, "measured time after the warm-up")
	fs.DurationVar(&f.warmup, "warmup", d.Warmup, "warm-up before measuring (none by default with --messages)")
	fs.IntVar(&f.messages, "messages", 0, "messages per producer; the run ends when they are sent and drained (overrides --duration; every message is measured unless --warmup is given)")
	fs.DurationVar(&f.drain, "drain", d.Drain, "longest wait for messages in flight once the producers stopped")
	fs.StringVar(&f.ack, "ack", string(d.Ack), "consumers' ack mode: auto, client or client-individual")
	fs.IntVar(&f.prefetch, "prefetch", 0, "unacknowledged messages a consumer may hold (0: the broker's default)")
	fs.BoolVar(&f.receipts, "receipts", false, "every SEND waits for its RECEIPT")
	fs.IntVar(&f.transaction, "transaction", 0, "send in transactions of N messages (BEGIN, N SENDs, COMMIT)")
	fs.StringVar(&f.executor, "executor", string(d.Executor), "where consumers handle messages: inline (on the event loop) or serial (the library default); ack modes use serial")
	fs.IntVar(&f.loops, "loops", 0, "event loops (0: one per CPU)")
	fs.IntVar(&f.concurrency, "connect-concurrency", d.Concurrency, "connections dialed at once")
	fs.StringVar(&f.sourceIPs, "source-ips", "", "local addresses to bind, round-robin, e.g. 127.0.0.2-127.0.0.20 (past the ephemeral-port limit of one address)")
	fs.StringVar(&f.jsonFile, "json", "", "write the full result as JSON to this file")
	fs.StringVar(&f.report, "report", "", "write a self-contained HTML report to this file")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress display")
	fs.Float64Var(&f.maxLoss, "max-loss", 0, "fraction of expected messages that may be lost before the exit code is 1")
}

// noteSet records which flags the command line gave, once fs is parsed.
func (f *benchFlags) noteSet(fs *flag.FlagSet) {
	fs.Visit(func(fl *flag.Flag) { f.warmupSet = f.warmupSet || fl.Name == "warmup" })
}

// scenario turns the flags into a validated scenario.
func (f *benchFlags) scenario() (loadgen.Scenario, error) {
	s := loadgen.DefaultScenario()
	s.Producers, s.Consumers, s.Idle = f.producers, f.consumers, f.idle
	s.Kind = loadgen.Kind(f.kind)
	s.Destinations, s.Prefix = f.destinations, f.prefix
	var err error
	if s.MinSize, s.MaxSize, err = parseSize(f.size); err != nil {
		return s, err
	}
	switch {
	case f.rate > 0 && f.totalRate > 0:
		return s, errors.New("--rate and --total-rate together")
	case f.totalRate > 0:
		if f.producers == 0 {
			return s, errors.New("--total-rate without producers")
		}
		s.Rate = f.totalRate / float64(f.producers)
	default:
		s.Rate = f.rate
	}
	s.Duration, s.Warmup, s.Drain, s.Messages = f.duration, f.warmup, f.drain, f.messages
	if f.messages > 0 && !f.warmupSet {
		// A count of messages is a count to measure: a default warm-up
		// could swallow a short run whole.
		s.Warmup = 0
	}
	s.Ack, s.Prefetch = loadgen.AckMode(f.ack), f.prefetch
	s.Receipts, s.Transaction = f.receipts, f.transaction
	s.Executor, s.Loops, s.Concurrency = loadgen.Executor(f.executor), f.loops, f.concurrency
	if f.sourceIPs != "" {
		if s.SourceIPs, err = loadgen.ParseSourceIPs(f.sourceIPs); err != nil {
			return s, fmt.Errorf("--source-ips: %w", err)
		}
	}
	if f.maxLoss < 0 || f.maxLoss > 1 {
		return s, fmt.Errorf("--max-loss %v: a fraction between 0 and 1", f.maxLoss)
	}
	return s, s.Validate()
}

// parseSize reads "256" or "100-1000".
func parseSize(s string) (int, int, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil {
		return 0, 0, fmt.Errorf("--size %q: want N or MIN-MAX", s)
	}
	if !isRange {
		return a, a, nil
	}
	b, err := strconv.Atoi(strings.TrimSpace(hi))
	if err != nil {
		return 0, 0, fmt.Errorf("--size %q: want N or MIN-MAX", s)
	}
	return a, b, nil
}

// embedded reports whether no broker address was given: then the bench
// starts the embedded broker.
func (f *benchFlags) embedded(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "url", "host", "port", "ws", "ssl":
			given = true
		}
	})
	return !given
}
