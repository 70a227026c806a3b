package handlers

import (
	"context"
	"strings"
	"sync"

	"github.com/stampede-mq/stampede/codec"
)

// DefaultRecorderLimit is how many messages, errors and receipts a
// [Recorder] keeps by default.
const DefaultRecorderLimit = 1000

// RecorderOption configures [NewRecorder].
type RecorderOption func(*recorderConfig)

type recorderConfig struct {
	limit   int
	waiting []WaitingOption
}

// RecorderLimit sets how many messages, errors and receipts are kept (each;
// default [DefaultRecorderLimit]); beyond it the oldest are dropped. n < 1
// means 1.
func RecorderLimit(n int) RecorderOption {
	return func(c *recorderConfig) { c.limit = max(n, 1) }
}

// RecorderWaiting passes options to the embedded [Waiting].
func RecorderWaiting(opts ...WaitingOption) RecorderOption {
	return func(c *recorderConfig) { c.waiting = append(c.waiting, opts...) }
}

// Recorder is a [Listener] for tests, stomp.py's TestListener: it keeps the
// messages, errors and receipts it receives and lets a test wait for them.
// Like TestListener it is also a [Stats] and a [Waiting]: both are embedded
// and receive every event, so rec.Snapshot(), rec.String(),
// rec.WaitReceipt(ctx, id) and rec.WaitConnected(ctx) work on a Recorder.
//
// Messages are kept as deep copies (the handlers may change the originals
// once the listeners have run), at most [RecorderLimit] of each kind.
//
// Use one Recorder per connection (its Waiting follows one connection). All
// methods are safe for concurrent use; the listener methods never block.
// Use [NewRecorder]; the zero value is not ready.
type Recorder struct {
	*Stats
	*Waiting

	mu         sync.Mutex
	messages   ring[*Message]
	received   uint64 // messages received in all
	taken      uint64 // sequence number of the next message WaitForMessage returns
	errs       ring[error]
	receipts   ring[string]
	beats      uint64
	beatsTaken uint64
	closed     bool
	changed    chan struct{} // closed and replaced on every event
}

// NewRecorder returns an empty Recorder.
func NewRecorder(opts ...RecorderOption) *Recorder {
	cfg := recorderConfig{limit: DefaultRecorderLimit}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &Recorder{
		Stats:    NewStats(),
		Waiting:  NewWaiting(cfg.waiting...),
		messages: newRing[*Message](cfg.limit),
		errs:     newRing[error](cfg.limit),
		receipts: newRing[string](cfg.limit),
		changed:  make(chan struct{}),
	}
}

// WaitForMessage returns the oldest message not yet returned by an earlier
// call: one already received, at once, or else the next to arrive. Messages
// dropped by the limit before being returned are skipped. It returns
// ctx.Err() when ctx is done first and [ErrClosed] when the connection has
// closed and every kept message was returned.
func (r *Recorder) WaitForMessage(ctx context.Context) (*Message, error) {
	for {
		r.mu.Lock()
		oldest := r.received - uint64(r.messages.len())
		r.taken = max(r.taken, oldest)
		if r.taken < r.received {
			m := r.messages.at(int(r.taken - oldest))
			r.taken++
			r.mu.Unlock()
			return m, nil
		}
		closed, changed := r.closed, r.changed
		r.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}

// WaitForHeartbeat returns once a heart-beat has arrived since the last
// call returned (or since the start, for the first call): at once if one
// has. Like stomp.py's wait_for_heartbeat it consumes every heart-beat
// received so far. It returns ctx.Err() when ctx is done first and
// [ErrClosed] once the connection has closed.
func (r *Recorder) WaitForHeartbeat(ctx context.Context) error {
	for {
		r.mu.Lock()
		if r.beats > r.beatsTaken {
			r.beatsTaken = r.beats
			r.mu.Unlock()
			return nil
		}
		closed, changed := r.closed, r.changed
		r.mu.Unlock()
		if closed {
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Messages returns the messages kept, oldest first, whether or not
// WaitForMessage returned them.
func (r *Recorder) Messages() []*Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.messages.slice()
}

// Latest returns the last message received, or nil if there is none
// (stomp.py's get_latest_message).
func (r *Recorder) Latest() *Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := r.messages.len(); n > 0 {
		return r.messages.at(n - 1)
	}
	return nil
}

// Count returns the number of messages received, including any dropped by
// the limit.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int(r.received)
}

// Errors returns the errors kept, oldest first: those given to OnError.
func (r *Recorder) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs.slice()
}

// Receipts returns the receipt ids of the RECEIPT frames kept, oldest
// first.
func (r *Recorder) Receipts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.receipts.slice()
}

// record runs fn under the lock and wakes the waiters.
func (r *Recorder) record(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn()
	close(r.changed)
	r.changed = make(chan struct{})
}

// OnConnecting passes the event to the Stats and the Waiting.
func (r *Recorder) OnConnecting(addr string) {
	r.Stats.OnConnecting(addr)
	r.Waiting.OnConnecting(addr)
}

// OnConnected updates the Stats and the Waiting.
func (r *Recorder) OnConnected(f *codec.Frame) {
	r.Stats.OnConnected(f)
	r.Waiting.OnConnected(f)
}

// OnDisconnecting passes the event to the Stats and the Waiting.
func (r *Recorder) OnDisconnecting() {
	r.Stats.OnDisconnecting()
	r.Waiting.OnDisconnecting()
}

// OnDisconnected updates the Stats and the Waiting.
func (r *Recorder) OnDisconnected(cause error) {
	r.Stats.OnDisconnected(cause)
	r.Waiting.OnDisconnected(cause)
}

// OnHeartbeatTimeout passes the event to the Stats and the Waiting.
func (r *Recorder) OnHeartbeatTimeout() {
	r.Stats.OnHeartbeatTimeout()
	r.Waiting.OnHeartbeatTimeout()
}

// OnBeforeMessage passes f through the Stats and the Waiting, which return
// it unchanged.
func (r *Recorder) OnBeforeMessage(f *codec.Frame) *codec.Frame {
	if f = r.Stats.OnBeforeMessage(f); f == nil {
		return nil
	}
	return r.Waiting.OnBeforeMessage(f)
}

// OnMessage updates the Stats, keeps a copy of m and releases
// WaitForMessage.
func (r *Recorder) OnMessage(m *Message) {
	r.Stats.OnMessage(m)
	r.Waiting.OnMessage(m)
	if m == nil {
		return
	}
	c := *m
	if m.Frame != nil {
		c.Frame = m.Frame.Clone()
	}
	r.record(func() {
		r.messages.push(&c)
		r.received++
	})
}

// OnReceipt updates the Stats and the Waiting and keeps the receipt id.
func (r *Recorder) OnReceipt(f *codec.Frame) {
	r.Stats.OnReceipt(f)
	r.Waiting.OnReceipt(f)
	if f == nil {
		return
	}
	id := strings.Clone(f.Header.Get(codec.HdrReceiptID))
	r.record(func() { r.receipts.push(id) })
}

// OnError updates the Stats and keeps err.
func (r *Recorder) OnError(f *codec.Frame, err error) {
	r.Stats.OnError(f, err)
	r.Waiting.OnError(f, err)
	r.record(func() { r.errs.push(err) })
}

// OnSend passes the frame to the Stats and the Waiting. It runs on the
// sending goroutine.
func (r *Recorder) OnSend(f *codec.Frame) {
	r.Stats.OnSend(f)
	r.Waiting.OnSend(f)
}

// OnHeartbeat updates the Stats and releases WaitForHeartbeat.
func (r *Recorder) OnHeartbeat() {
	r.Stats.OnHeartbeat()
	r.Waiting.OnHeartbeat()
	r.record(func() { r.beats++ })
}

// OnReconnected updates the Stats and the Waiting.
func (r *Recorder) OnReconnected(f *codec.Frame) {
	r.Stats.OnReconnected(f)
	r.Waiting.OnReconnected(f)
}

// OnClosed updates the Waiting and ends the waits that can no longer be
// satisfied.
func (r *Recorder) OnClosed() {
	r.Stats.OnClosed()
	r.Waiting.OnClosed()
	r.record(func() { r.closed = true })
}

var _ Listener = (*Recorder)(nil)
