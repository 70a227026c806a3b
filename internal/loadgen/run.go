package loadgen

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/internal/secret"
)

// Target says where the load goes.
type Target struct {
	// Address is what stampede.Dial takes: host:port or a URL
	// (tcp://, ssl://, ws://, wss://).
	Address string
	// Options apply to every connection: login, virtual host, TLS,
	// heart-beats, protocol version. The run adds its engine, executor and
	// bind address.
	Options []stampede.Option
	// Embedded starts the embedded broker in this process, on a free
	// loopback port, and targets it; Address is ignored.
	Embedded bool
	// BrokerOptions configure the embedded broker.
	BrokerOptions []broker.Option
}

// Progress is a live view of a run, for a progress display.
type Progress struct {
	Elapsed     time.Duration
	Phase       string
	Sent        uint64  // messages so far
	Received    uint64  // messages so far
	SentRate    float64 // messages per second, over the last report
	RecvRate    float64
	P99         int64 // the last full second's 99th percentile latency, ns
	Connections int
	Errors      uint64
}

// RunOption configures [Run].
type RunOption func(*runConfig)

type runConfig struct {
	progress      func(Progress)
	progressEvery time.Duration
	connected     func()
}

// WithConnectedHook calls fn once every connection is up and the process
// sample of that moment is taken, before any traffic: a test can look at
// the process (its goroutines, say) in that state.
func WithConnectedHook(fn func()) RunOption {
	return func(c *runConfig) { c.connected = fn }
}

// WithProgress calls fn about every interval (at least 100 ms) with a
// live view of the run, from a goroutine of the run's.
func WithProgress(every time.Duration, fn func(Progress)) RunOption {
	return func(c *runConfig) {
		c.progress = fn
		c.progressEvery = max(every, 100*time.Millisecond)
	}
}

// Phases of a run, as samples and progress reports name them.
const (
	PhaseConnect = "connect"
	PhaseWarmup  = "warmup"
	PhaseMeasure = "measure"
	PhaseDrain   = "drain"
)

// disconnectTimeout bounds each connection's goodbye at the end.
const disconnectTimeout = 5 * time.Second

// runner is one run's state.
type runner struct {
	s       Scenario
	cfg     runConfig
	address string
	opts    []stampede.Option
	runID   uint32
	rec     *recorder
	track   *tracker
	engine  *stampede.Engine

	dialersMu sync.Mutex
	dialers   map[dialerKey]*stampede.Dialer // one per role and source address: connections share their options

	members      []member    // filled by connectAll
	membersReady atomic.Bool // members may be read by the sampler
	phase        atomic.Value
	started      time.Time
	samples      []Sample // the sampler's; read once it stopped
}

// Run makes the load that s describes against t and returns what it
// measured. When ctx ends early (Ctrl-C), it stops the producers, drains
// for at most a second, and returns the partial result with Partial set
// and no error. It fails only when the run could not start: an invalid
// scenario, an engine or broker that does not start, or not a single
// connection.
func Run(ctx context.Context, t Target, s Scenario, opts ...RunOption) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var cfg runConfig
	for _, o := range opts {
		o(&cfg)
	}
	r := &runner{s: s, cfg: cfg, address: t.Address, runID: rand.Uint32()}
	r.phase.Store(PhaseConnect)
	res := &Result{Version: ResultVersion, Started: time.Now(), Target: secret.Address(t.Address), Scenario: s, RunID: r.runID}
	if t.Embedded {
		b, err := broker.Start(append([]broker.Option{
			broker.WithListen("127.0.0.1:0"),
			broker.WithMirroredHeartBeat(),
		}, t.BrokerOptions...)...)
		if err != nil {
			return nil, fmt.Errorf("loadgen: embedded broker: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = b.Shutdown(sctx)
		}()
		r.address = b.Addr().String()
		res.Target, res.Process.Embedded = "embedded", true
	}
	engOpts := []stampede.EngineOption{stampede.WithEngineLogger(slog.New(slog.DiscardHandler))}
	if s.Loops > 0 {
		engOpts = append(engOpts, stampede.WithLoops(s.Loops))
	}
	eng, err := stampede.NewEngine(engOpts...)
	if err != nil {
		return nil, fmt.Errorf("loadgen: engine: %w", err)
	}
	defer eng.Close()
	r.engine = eng
	r.opts = append(slices.Clip(t.Options), stampede.WithEngine(eng))
	shards := min(max(4, 2*eng.Loop().Loops()), 32)
	r.rec = newRecorder(s.Producers, s.Consumers, shards)
	r.track = newTracker(r.runID, &s)
	if err := r.run(ctx, res); err != nil {
		return nil, err
	}
	return res, nil
}

// run goes through the phases and fills res.
func (r *runner) run(ctx context.Context, res *Result) error {
	s := &r.s
	res.Process.Baseline = memory(true)
	r.started = time.Now()
	smp := newSampler(r)
	samplerDone := make(chan struct{})
	stopSampler := make(chan struct{})
	go func() {
		defer close(samplerDone)
		smp.loop(stopSampler)
	}()
	finishSampler := sync.OnceFunc(func() {
		close(stopSampler)
		<-samplerDone
	})
	defer finishSampler()

	st := r.connectAll(ctx)
	r.membersReady.Store(true)
	res.Connect = ConnectStats{
		Connections: r.connected(),
		Failed:      st.failed,
		Took:        st.took,
		Latency:     summarize(st.latency),
	}
	if st.took > 0 {
		res.Connect.PerSec = float64(res.Connect.Connections) / st.took.Seconds()
	}
	if res.Connect.Connections == 0 {
		_, first := r.rec.errors()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("loadgen: no connection to %s: %s", secret.Address(r.address), first[ErrConnect])
	}
	for i := range r.members {
		if c := r.members[i].conn; c != nil {
			res.Server, res.Protocol = c.Server(), c.Version().String()
			break
		}
	}
	res.Process.Connected = memory(true)
	res.Process.PerConn = perConn(res.Process.Baseline, res.Process.Connected, res.Connect.Connections)
	if r.cfg.connected != nil {
		r.cfg.connected()
	}

	// Traffic: warm-up, then the measured phase.
	pctx, stopProducers := context.WithCancel(ctx)
	defer stopProducers()
	var producers sync.WaitGroup
	var before measurePoint
	if s.Warmup == 0 { // measure from the very first message
		before = r.point()
		r.rec.measuring.Store(true)
		r.phase.Store(PhaseMeasure)
	} else {
		r.phase.Store(PhaseWarmup)
	}
	start := time.Now()
	for i := range r.members {
		m := &r.members[i]
		if m.role != roleProducer || m.conn == nil {
			continue
		}
		p := &producer{r: r, idx: m.idx, conn: m.conn, dest: s.Destination(m.idx % s.Destinations)}
		producers.Go(func() { p.run(pctx, start) })
	}
	var allSent chan struct{} // closed when every producer is done; never without producers
	if s.Producers > 0 {
		allSent = make(chan struct{})
		go func() { producers.Wait(); close(allSent) }()
	}

	interrupted := false
	wait := func(d time.Duration) bool { // false when the run must stop now
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-allSent:
			return s.Messages > 0 // all messages sent: go on to drain
		case <-ctx.Done():
			interrupted = true
			return false
		}
	}
	if s.Warmup == 0 || wait(s.Warmup) {
		if s.Warmup > 0 {
			before = r.point()
			r.rec.measuring.Store(true)
			r.phase.Store(PhaseMeasure)
		}
		if s.Duration > 0 || s.Messages > 0 {
			d := s.Duration
			if s.Messages > 0 {
				d = 24 * time.Hour // until every message is sent
			}
			wait(d)
		}
	} else {
		before = r.point()
	}
	stopProducers()
	producers.Wait()
	after := r.point()
	res.Measured = after.at.Sub(before.at) // the interval the rates divide by
	res.Process.Memory = memory(false)
	r.phase.Store(PhaseDrain)

	drain := s.Drain
	if interrupted {
		drain = min(drain, time.Second)
	}
	r.drain(drain) // latencies still count: these messages were sent while measuring
	r.rec.measuring.Store(false)
	finishSampler()
	r.checkLost()
	res.Partial = interrupted
	if interrupted {
		res.Note = "interrupted: the numbers cover what ran"
	}
	r.fill(res, before, after)
	r.disconnectAll(disconnectTimeout)
	return nil
}

// measurePoint is the counters at one moment.
type measurePoint struct {
	at         time.Time
	sent, recv tally
	cpu        time.Duration
}

func (r *runner) point() measurePoint {
	return measurePoint{at: time.Now(), sent: sum(r.rec.sent), recv: sum(r.rec.received), cpu: cpuTime()}
}

// expected is how many deliveries the messages sent so far should make.
func (r *runner) expected() uint64 {
	var n uint64
	for p := range r.rec.sent {
		n += r.rec.sent[p].msgs.Load() * uint64(r.s.FanOut(p))
	}
	return n
}

// drain waits, at most d, until every expected message arrived.
func (r *runner) drain(d time.Duration) {
	if r.s.Consumers == 0 {
		return
	}
	deadline := time.Now().Add(d)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	want := r.expected()
	for time.Now().Before(deadline) {
		if unique, _, _ := r.track.totals(); unique >= want {
			return
		}
		<-tick.C
	}
}

// fill writes the counters, latencies, errors and process figures into res.
func (r *runner) fill(res *Result, before, after measurePoint) {
	secs := after.at.Sub(before.at).Seconds()
	rate := func(t tally) Throughput {
		tp := Throughput{Messages: t.msgs, Bytes: t.bytes}
		if secs > 0 {
			tp.MsgsPerSec = float64(t.msgs) / secs
			tp.MBPerSec = float64(t.bytes) / secs / 1e6
		}
		return tp
	}
	res.Sent = rate(tally{after.sent.msgs - before.sent.msgs, after.sent.bytes - before.sent.bytes})
	res.Received = rate(tally{after.recv.msgs - before.recv.msgs, after.recv.bytes - before.recv.bytes})
	res.Latency = summarize(r.rec.total())

	d := &res.Delivery
	d.Sent = sum(r.rec.sent).msgs
	d.Received = sum(r.rec.received).msgs
	d.Expected = r.expected()
	d.Unique, d.Dups, d.Reordered = r.track.totals()
	d.Foreign = r.track.foreign.Load()
	d.Checked = r.s.Consumers > 0
	if d.Checked && d.Unique < d.Expected {
		d.Lost = d.Expected - d.Unique
	}

	byKind, first := r.rec.errors()
	res.Errors = Errors{Total: r.rec.errCount.Load(), ByKind: byKind, First: first}

	p := &res.Process
	p.CPU = after.cpu - before.cpu
	if secs > 0 {
		p.CPUPercent = 100 * p.CPU.Seconds() / secs
	}
	if n := res.Sent.Messages + res.Received.Messages; n > 0 {
		p.CPUPerMsg = p.CPU / time.Duration(n)
	}
	res.Series = r.samples
}
