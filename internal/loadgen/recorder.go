package loadgen

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms: nanoseconds, quantized to about half a microsecond
// at the bottom and to three significant digits above, up to an hour.
const (
	histLowest  = 1000
	histHighest = int64(time.Hour)
	histDigits  = 3
)

func newHistogram() *hdr.Histogram { return hdr.New(histLowest, histHighest, histDigits) }

// recordClamped records ns, clamped into the histogram's range.
func recordClamped(h *hdr.Histogram, ns int64) {
	_ = h.RecordValue(min(max(ns, 1), histHighest))
}

// counters are one producer's or one consumer's running totals, padded to
// a cache line of their own so that actors on different loops do not share
// one.
type counters struct {
	msgs  atomic.Uint64
	bytes atomic.Uint64
	_     [48]byte
}

// tally is a sum of counters at one moment.
type tally struct{ msgs, bytes uint64 }

func sum(cs []counters) tally {
	var t tally
	for i := range cs {
		t.msgs += cs[i].msgs.Load()
		t.bytes += cs[i].bytes.Load()
	}
	return t
}

// latencyShard is one of the recorder's latency histograms: consumers are
// spread over a few shards, each under its own lock, so that the event
// loops rarely wait for each other. interval is emptied every second by
// the sampler; total keeps the measured phase.
type latencyShard struct {
	mu       sync.Mutex
	interval *hdr.Histogram
	total    *hdr.Histogram
	_        [40]byte
}

// recorder gathers a run's measurements. On the message path it takes
// atomic adds and per-shard locks. (The tracker's duplicate detection
// locks one window per producer, which the consumers of a queue share:
// they contend for it.)
type recorder struct {
	sent      []counters // per producer
	received  []counters // per consumer
	dups      atomic.Uint64
	measuring atomic.Bool
	shards    []latencyShard
	spare     *hdr.Histogram // the sampler's: swapped with a shard's interval

	errMu    sync.Mutex
	errs     map[string]uint64
	errFirst map[string]string
	errCount atomic.Uint64
}

func newRecorder(producers, consumers, shards int) *recorder {
	r := &recorder{
		sent:     make([]counters, producers),
		received: make([]counters, consumers),
		shards:   make([]latencyShard, shards),
		spare:    newHistogram(),
		errs:     make(map[string]uint64),
		errFirst: make(map[string]string),
	}
	for i := range r.shards {
		r.shards[i].interval = newHistogram()
		r.shards[i].total = newHistogram()
	}
	return r
}

// latency records one message's latency for consumer c.
func (r *recorder) latency(c int, ns int64) {
	sh := &r.shards[c%len(r.shards)]
	measuring := r.measuring.Load()
	sh.mu.Lock()
	recordClamped(sh.interval, ns)
	if measuring {
		recordClamped(sh.total, ns)
	}
	sh.mu.Unlock()
}

// cut moves every shard's interval histogram into into (which it resets
// first): the latencies recorded since the last cut.
func (r *recorder) cut(into *hdr.Histogram) {
	into.Reset()
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		sh.interval, r.spare = r.spare, sh.interval
		sh.mu.Unlock()
		into.Merge(r.spare)
		r.spare.Reset()
	}
}

// total returns the merged latencies of the measured phase.
func (r *recorder) total() *hdr.Histogram {
	h := newHistogram()
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		h.Merge(sh.total)
		sh.mu.Unlock()
	}
	return h
}

// Error kinds.
const (
	ErrConnect     = "connect"
	ErrSubscribe   = "subscribe"
	ErrSend        = "send"
	ErrReceipt     = "receipt"
	ErrTransaction = "transaction"
	ErrAck         = "ack"
	ErrDropped     = "connection-lost" // a connection closed during the run
	ErrServer      = "server-error"    // an ERROR frame closed a connection
	ErrPayload     = "bad-payload"     // a body that is not a bench body
)

// fail counts an error of kind.
func (r *recorder) fail(kind string, err error) {
	r.errCount.Add(1)
	r.errMu.Lock()
	r.errs[kind]++
	if _, ok := r.errFirst[kind]; !ok && err != nil {
		r.errFirst[kind] = err.Error()
	}
	r.errMu.Unlock()
}

// errors returns the counts by kind and the first message of each.
func (r *recorder) errors() (map[string]uint64, map[string]string) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return maps.Clone(r.errs), maps.Clone(r.errFirst)
}
