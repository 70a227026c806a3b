package loadgen

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrInvalidScenario wraps every error [Scenario.Validate] reports.
var ErrInvalidScenario = errors.New("loadgen: invalid scenario")

// Kind is the kind of destination the scenario uses.
type Kind string

// Destination kinds.
const (
	Queue Kind = "queue" // each message goes to one consumer
	Topic Kind = "topic" // each message goes to every subscriber
)

// AckMode is the consumers' acknowledgement mode.
type AckMode string

// Acknowledgement modes, as STOMP names them.
const (
	AckAuto             AckMode = "auto"
	AckClient           AckMode = "client"
	AckClientIndividual AckMode = "client-individual"
)

// Executor says where consumers' handlers run.
type Executor string

// Executors.
const (
	// ExecInline handles messages on the event loop: the fastest, since
	// the bench's handlers never block. Acknowledging modes use
	// ExecSerial, because an ACK written from the loop could wait for the
	// loop itself.
	ExecInline Executor = "inline"
	// ExecSerial uses the engine's serial executor, the library default.
	ExecSerial Executor = "serial"
)

// HeaderSize is the size of the header every message body starts with, and
// so the smallest message size.
const HeaderSize = 32

// Scenario describes a load. The zero value is not valid: start from
// [DefaultScenario].
type Scenario struct {
	Producers int `json:"producers"`
	Consumers int `json:"consumers"`
	// Idle connections connect (with the connection's heart-beats) and do
	// nothing else.
	Idle int `json:"idle"`

	Kind         Kind   `json:"kind"`
	Destinations int    `json:"destinations"` // producer p sends to p mod N, consumer c reads c mod N
	Prefix       string `json:"prefix"`       // destination names: /queue/<prefix>-<i> or /topic/<prefix>-<i>

	MinSize int `json:"min_size"` // message size in bytes, header included
	MaxSize int `json:"max_size"` // equal to MinSize for a fixed size

	// Rate is messages per second per producer; 0 sends as fast as the
	// connection takes them (closed loop, latency from the actual send).
	Rate float64 `json:"rate"`

	Duration time.Duration `json:"duration"` // measured time after the warm-up
	Warmup   time.Duration `json:"warmup"`
	// Messages, when > 0, is how many messages each producer sends; the
	// run ends when they are all sent and drained, whatever Duration says.
	Messages int `json:"messages"`

	Ack         AckMode  `json:"ack"`
	Prefetch    int      `json:"prefetch"`    // 0: the broker's default
	Receipts    bool     `json:"receipts"`    // each SEND waits for its RECEIPT
	Transaction int      `json:"transaction"` // > 0: BEGIN, that many SENDs, COMMIT
	Executor    Executor `json:"executor"`    // consumers' handlers
	Loops       int      `json:"loops"`       // event loops of the engine; 0: one per CPU
	Concurrency int      `json:"connect_concurrency"`
	SourceIPs   []string `json:"source_ips,omitempty"` // local addresses, round-robin over connections

	// Drain bounds the wait, after the producers stopped, for messages
	// still in flight.
	Drain time.Duration `json:"drain"`
}

// Defaults of a scenario.
const (
	DefaultProducers          = 4
	DefaultConsumers          = 4
	DefaultSize               = 256
	DefaultDuration           = 10 * time.Second
	DefaultWarmup             = 2 * time.Second
	DefaultConnectConcurrency = 64
	DefaultDrain              = 5 * time.Second
	DefaultPrefix             = "stampede-bench"
)

// DefaultScenario is the run "stampede bench" makes without flags: 4
// producers and 4 consumers on one queue, 256-byte messages, unthrottled,
// 10 s measured after a 2 s warm-up, auto acknowledgement.
func DefaultScenario() Scenario {
	return Scenario{
		Producers:    DefaultProducers,
		Consumers:    DefaultConsumers,
		Kind:         Queue,
		Destinations: 1,
		Prefix:       DefaultPrefix,
		MinSize:      DefaultSize,
		MaxSize:      DefaultSize,
		Duration:     DefaultDuration,
		Warmup:       DefaultWarmup,
		Ack:          AckAuto,
		Executor:     ExecInline,
		Concurrency:  DefaultConnectConcurrency,
		Drain:        DefaultDrain,
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidScenario, fmt.Sprintf(format, args...))
}

// Validate reports the first thing wrong with s.
func (s *Scenario) Validate() error {
	switch {
	case s.Producers < 0 || s.Consumers < 0 || s.Idle < 0:
		return invalid("negative connection count")
	case s.Producers+s.Consumers+s.Idle == 0:
		return invalid("no connection at all")
	case s.Kind != Queue && s.Kind != Topic:
		return invalid("destination kind %q (queue or topic)", s.Kind)
	case s.Destinations < 1:
		return invalid("%d destinations (at least 1)", s.Destinations)
	case s.Prefix == "":
		return invalid("empty destination prefix")
	case s.MinSize < HeaderSize:
		return invalid("message size %d below the %d-byte header", s.MinSize, HeaderSize)
	case s.MaxSize < s.MinSize:
		return invalid("message size range %d-%d", s.MinSize, s.MaxSize)
	case s.MaxSize > 64<<20:
		return invalid("message size %d above 64 MiB", s.MaxSize)
	case s.Rate < 0:
		return invalid("negative rate")
	case s.Duration < 0 || s.Warmup < 0 || s.Drain < 0:
		return invalid("negative duration")
	case s.Duration == 0 && s.Messages <= 0:
		return invalid("neither a duration nor a message count")
	case s.Messages < 0 || s.Transaction < 0 || s.Prefetch < 0:
		return invalid("negative count")
	case s.Receipts && s.Transaction > 0:
		return invalid("receipts and transactions together (a transaction's COMMIT is what gets the receipt)")
	case s.Concurrency < 1:
		return invalid("connect concurrency %d (at least 1)", s.Concurrency)
	case s.Loops < 0:
		return invalid("negative loop count")
	}
	switch s.Ack {
	case AckAuto, AckClient, AckClientIndividual:
	default:
		return invalid("ack mode %q", s.Ack)
	}
	switch s.Executor {
	case ExecInline, ExecSerial:
	default:
		return invalid("executor %q (inline or serial)", s.Executor)
	}
	return nil
}

// Connections is the number of connections the scenario opens.
func (s *Scenario) Connections() int { return s.Producers + s.Consumers + s.Idle }

// Destination returns the name of destination i.
func (s *Scenario) Destination(i int) string {
	return "/" + string(s.Kind) + "/" + s.Prefix + "-" + strconv.Itoa(i)
}

// subscribers returns how many consumers read destination d.
func (s *Scenario) subscribers(d int) int {
	n := s.Consumers / s.Destinations
	if d < s.Consumers%s.Destinations {
		n++
	}
	return n
}

// FanOut is how many consumers receive each message of producer p: the
// subscribers of its destination on a topic, one on a queue (zero without
// consumers on that destination).
func (s *Scenario) FanOut(p int) int {
	n := s.subscribers(p % s.Destinations)
	if s.Kind == Queue {
		return min(n, 1)
	}
	return n
}

// consumerExecutor returns the executor consumers actually use.
func (s *Scenario) consumerExecutor() Executor {
	if s.Ack != AckAuto {
		return ExecSerial
	}
	return s.Executor
}
