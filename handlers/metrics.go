package handlers

import (
	"context"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/reconnect"
)

// OtherDestinations is the key under which [MetricsSnapshot.Destinations]
// counts the messages of destinations beyond the per-destination limit.
const OtherDestinations = "(other)"

// MetricsOption configures [NewMetrics].
type MetricsOption func(*Metrics)

// MetricsClock sets the clock that times handlers. Default: the time
// package (monotonic); a nil clock means the default.
func MetricsClock(c reconnect.Clock) MetricsOption {
	return func(m *Metrics) { m.clock = c }
}

// MetricsPerDestination also counts handled and failed messages per
// destination, for at most limit distinct destinations; the messages of
// any further destination are counted under [OtherDestinations], so memory
// stays bounded whatever the traffic. Default: off; limit <= 0 turns it off.
func MetricsPerDestination(limit int) MetricsOption {
	return func(m *Metrics) {
		m.dests = nil
		if limit > 0 {
			m.dests = &destinationTable{limit: limit}
		}
	}
}

// Metrics counts the messages that go through its [Metrics.Middleware] and
// how long their handlers take. One Metrics may serve any number of
// handlers and connections; all its methods are safe for concurrent use.
// The zero value is ready to use (without per-destination counts). A
// Metrics must not be copied after first use.
type Metrics struct {
	handled  atomic.Uint64
	failed   atomic.Uint64
	inFlight atomic.Int64
	latency  histogram

	clock reconnect.Clock   // nil: time.Now
	dests *destinationTable // nil: not counted
}

// NewMetrics returns an empty Metrics configured by opts.
func NewMetrics(opts ...MetricsOption) *Metrics {
	m := &Metrics{}
	for _, o := range opts {
		if o != nil {
			o(m)
		}
	}
	return m
}

// Middleware returns a middleware that counts every message handled by the
// handlers it wraps: in flight while they run, then handled, and failed
// when they returned an error or panicked (the panic goes on), and records
// how long they took. It takes no lock and allocates nothing per message
// (a first message for a destination, when counted per destination, takes
// a lock and copies the table once).
func (m *Metrics) Middleware() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, msg *Message) (err error) {
			m.inFlight.Add(1)
			start := m.now()
			panicked := true
			defer func() {
				m.inFlight.Add(-1)
				m.observe(msg, m.now().Sub(start), err != nil || panicked)
			}()
			err = next.HandleMessage(ctx, msg)
			panicked = false
			return err
		})
	}
}

// now reads the clock.
func (m *Metrics) now() time.Time {
	if m.clock == nil {
		return time.Now()
	}
	return m.clock.Now()
}

// observe records one finished message.
func (m *Metrics) observe(msg *Message, d time.Duration, failed bool) {
	m.handled.Add(1)
	if failed {
		m.failed.Add(1)
	}
	m.latency.record(d)
	if m.dests != nil && msg != nil && msg.Frame != nil {
		c := m.dests.counter(msg.Destination())
		c.handled.Add(1)
		if failed {
			c.failed.Add(1)
		}
	}
}

// MetricsSnapshot is a copy of a [Metrics] at one moment. Each figure is
// read atomically, but not all of them at the same instant: under load,
// Handled may already count a message whose latency is not in the
// quantiles yet.
type MetricsSnapshot struct {
	// Handled counts messages whose handlers returned (or panicked).
	Handled uint64
	// Failed counts those of them that returned an error or panicked.
	Failed uint64
	// InFlight is the number of messages being handled.
	InFlight int64
	// Mean is the average handling time.
	Mean time.Duration
	// P50, P90 and P99 estimate the quantiles of the handling time from
	// the histogram: never below the true value, at most 12.5% above it.
	P50, P90, P99 time.Duration
	// Max is the longest handling time, exact.
	Max time.Duration
	// Destinations holds per-destination counts when enabled with
	// [MetricsPerDestination], else nil.
	Destinations map[string]DestinationCounts
}

// DestinationCounts are the counts of one destination.
type DestinationCounts struct {
	Handled uint64
	Failed  uint64
}

// Snapshot returns the current figures. It may be called at any time from
// any goroutine; it copies the 2.4 KiB histogram and, when counted, the
// per-destination table.
func (m *Metrics) Snapshot() MetricsSnapshot {
	h := m.latency.snapshot()
	s := MetricsSnapshot{
		Handled:  m.handled.Load(),
		Failed:   m.failed.Load(),
		InFlight: m.inFlight.Load(),
		Mean:     h.mean(),
		P50:      h.quantile(0.50),
		P90:      h.quantile(0.90),
		P99:      h.quantile(0.99),
		Max:      time.Duration(h.max),
	}
	if m.dests != nil {
		s.Destinations = m.dests.snapshot()
	}
	return s
}

// Quantile estimates the q-quantile (0 < q <= 1) of the handling time, with
// the precision of the P50 field of [MetricsSnapshot]. It is safe for
// concurrent use.
func (m *Metrics) Quantile(q float64) time.Duration {
	return m.latency.snapshot().quantile(q)
}

// destinationTable maps destinations to counters. Readers load an
// immutable map without a lock; a new destination copies the map under mu
// and publishes the copy, at most limit times in all.
type destinationTable struct {
	limit int
	mu    sync.Mutex
	table atomic.Pointer[map[string]*destinationCounter]
	other destinationCounter
}

type destinationCounter struct {
	handled atomic.Uint64
	failed  atomic.Uint64
}

// counter returns the counter of dest, creating it if the limit allows.
func (t *destinationTable) counter(dest string) *destinationCounter {
	if p := t.table.Load(); p != nil {
		if c, ok := (*p)[dest]; ok {
			return c
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var cur map[string]*destinationCounter
	if p := t.table.Load(); p != nil {
		cur = *p
	}
	if c, ok := cur[dest]; ok {
		return c
	}
	if len(cur) >= t.limit {
		return &t.other
	}
	next := make(map[string]*destinationCounter, len(cur)+1)
	maps.Copy(next, cur)
	c := &destinationCounter{}
	// Clone: dest may point into a frame's shared buffer, which the table
	// would otherwise keep alive for good.
	next[strings.Clone(dest)] = c
	t.table.Store(&next)
	return c
}

// snapshot copies the counts.
func (t *destinationTable) snapshot() map[string]DestinationCounts {
	out := make(map[string]DestinationCounts)
	if p := t.table.Load(); p != nil {
		for d, c := range *p {
			out[d] = DestinationCounts{Handled: c.handled.Load(), Failed: c.failed.Load()}
		}
	}
	if h := t.other.handled.Load(); h > 0 {
		out[OtherDestinations] = DestinationCounts{Handled: h, Failed: t.other.failed.Load()}
	}
	return out
}
