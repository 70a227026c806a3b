package handlers

import (
	"container/list"
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/stampede-mq/stampede/codec"
)

// DefaultReceiptMemory is how many receipts nobody waited for a [Waiting]
// remembers by default.
const DefaultReceiptMemory = 1024

// WaitingOption configures [NewWaiting].
type WaitingOption func(*Waiting)

// ReceiptMemory sets how many receipts that arrived before anyone waited
// for them are remembered, so that a later WaitReceipt still finds them
// (default [DefaultReceiptMemory]); beyond it the oldest are forgotten,
// which keeps a long-lived connection's memory bounded. n < 1 means 1.
func ReceiptMemory(n int) WaitingOption {
	return func(w *Waiting) { w.memory = max(n, 1) }
}

// Waiting is a [Listener] that lets goroutines wait, with a context, for
// what happens on one connection: a receipt, the connection, the
// disconnection. It does what stomp.py's WaitingListener does, for any
// receipt id, without missing events that happen before the wait starts.
//
// Use one Waiting per connection. All methods are safe for concurrent use;
// the listener methods never block. The zero value is ready to use, with
// the default options; a Waiting must not be copied after first use.
type Waiting struct {
	Base

	memory int

	mu       sync.Mutex
	unseen   map[string]*list.Element // receipt id → its place in order
	order    *list.List               // unseen ids, oldest first
	waiters  map[string]*receiptWaiters
	state    connState
	connects uint64 // OnConnected and OnReconnected so far
	drops    uint64 // OnDisconnected so far
	cause    error  // of the last OnDisconnected
	closed   bool
	changed  chan struct{} // closed and replaced when the state changes
}

// connState is what a Waiting knows about its connection.
type connState uint8

const (
	stateInitial connState = iota
	stateConnected
	stateDisconnected
)

// receiptWaiters are the WaitReceipt calls waiting for one id.
type receiptWaiters struct {
	done chan struct{} // closed when the receipt arrives
	n    int           // how many calls wait on done
}

// NewWaiting returns a Waiting for a connection that has not connected yet.
func NewWaiting(opts ...WaitingOption) *Waiting {
	w := &Waiting{}
	for _, o := range opts {
		if o != nil {
			o(w)
		}
	}
	return w
}

// lock takes w.mu and makes a zero Waiting ready.
func (w *Waiting) lock() {
	w.mu.Lock()
	if w.changed == nil {
		if w.memory < 1 {
			w.memory = DefaultReceiptMemory
		}
		w.unseen = make(map[string]*list.Element)
		w.order = list.New()
		w.waiters = make(map[string]*receiptWaiters)
		w.changed = make(chan struct{})
	}
}

// WaitReceipt returns nil once the RECEIPT whose receipt-id is id has
// arrived, at once if it arrived before the call. A receipt is claimed by
// the calls that find it, all the calls waiting for it when it arrives or
// the first one to come after: a later call for the same id waits again.
// It returns ctx.Err() when ctx is done first, and [ErrClosed] when the
// connection closed before the receipt came.
func (w *Waiting) WaitReceipt(ctx context.Context, id string) error {
	w.lock()
	if e, ok := w.unseen[id]; ok {
		w.order.Remove(e)
		delete(w.unseen, id)
		w.mu.Unlock()
		return nil
	}
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	rw := w.waiters[id]
	if rw == nil {
		rw = &receiptWaiters{done: make(chan struct{})}
		w.waiters[id] = rw
	}
	rw.n++
	changed := w.changed
	w.mu.Unlock()

	for {
		select {
		case <-rw.done:
			return nil
		case <-ctx.Done():
			return w.giveUp(id, rw, ctx.Err())
		case <-changed:
			w.lock()
			closed := w.closed
			changed = w.changed
			w.mu.Unlock()
			if closed {
				return w.giveUp(id, rw, ErrClosed)
			}
		}
	}
}

// giveUp ends one WaitReceipt call without its receipt, unless the receipt
// arrived meanwhile, and forgets the waiters of id when it was the last.
func (w *Waiting) giveUp(id string, rw *receiptWaiters, err error) error {
	w.lock()
	defer w.mu.Unlock()
	select {
	case <-rw.done: // it made it in time after all
		return nil
	default:
	}
	if rw.n--; rw.n == 0 && w.waiters[id] == rw {
		delete(w.waiters, id)
	}
	return err
}

// WaitConnected returns nil once the connection is connected: at once if it
// is (the last event was OnConnected or OnReconnected), else at the next
// of those events. It returns ctx.Err() when ctx is done first and
// [ErrClosed] when the connection closed for good.
func (w *Waiting) WaitConnected(ctx context.Context) error {
	w.lock()
	start := w.connects
	connected := w.state == stateConnected
	w.mu.Unlock()
	if connected {
		return nil
	}
	_, err := w.waitState(ctx, func() bool { return w.connects > start })
	return err
}

// WaitDisconnected waits until the connection is disconnected: at once if
// it is (the last event was OnDisconnected), else until the next
// OnDisconnected. It returns the cause given to that OnDisconnected (nil
// after a graceful disconnect) and a nil err; or ctx.Err() as err when ctx
// is done first. A connection that closes for good without a disconnect
// event counts as disconnected (with the cause of its last disconnection,
// if any).
func (w *Waiting) WaitDisconnected(ctx context.Context) (cause error, err error) {
	w.lock()
	start := w.drops
	if w.state == stateDisconnected || w.closed {
		cause = w.cause
		w.mu.Unlock()
		return cause, nil
	}
	w.mu.Unlock()
	cause, err = w.waitState(ctx, func() bool { return w.drops > start })
	if errors.Is(err, ErrClosed) {
		err = nil
	}
	return cause, err
}

// waitState waits until done (called with mu held) reports true, and
// returns the cause of the last disconnection. It returns ErrClosed once
// the connection closed without done becoming true.
func (w *Waiting) waitState(ctx context.Context, done func() bool) (cause, err error) {
	for {
		w.lock()
		ok, closed, changed := done(), w.closed, w.changed
		cause = w.cause
		w.mu.Unlock()
		switch {
		case ok:
			return cause, nil
		case closed:
			return cause, ErrClosed
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}

// Connected reports whether the last connection event was OnConnected or
// OnReconnected.
func (w *Waiting) Connected() bool {
	w.lock()
	defer w.mu.Unlock()
	return w.state == stateConnected
}

// OnConnected records the connection and releases WaitConnected.
func (w *Waiting) OnConnected(*codec.Frame) { w.connected() }

// OnReconnected records the connection and releases WaitConnected.
func (w *Waiting) OnReconnected(*codec.Frame) { w.connected() }

func (w *Waiting) connected() {
	w.lock()
	defer w.mu.Unlock()
	w.state = stateConnected
	w.connects++
	w.notifyLocked()
}

// OnDisconnected records the disconnection and its cause and releases
// WaitDisconnected.
func (w *Waiting) OnDisconnected(cause error) {
	w.lock()
	defer w.mu.Unlock()
	w.state = stateDisconnected
	w.drops++
	w.cause = cause
	w.notifyLocked()
}

// OnReceipt releases the WaitReceipt calls for the frame's receipt-id, or
// remembers the id for a later call when none waits.
func (w *Waiting) OnReceipt(f *codec.Frame) {
	if f == nil {
		return
	}
	id, ok := f.Header.Lookup(codec.HdrReceiptID)
	if !ok {
		return
	}
	w.lock()
	defer w.mu.Unlock()
	if rw := w.waiters[id]; rw != nil {
		close(rw.done)
		delete(w.waiters, id)
		return
	}
	if _, dup := w.unseen[id]; dup {
		return
	}
	for w.order.Len() >= w.memory {
		oldest := w.order.Front()
		delete(w.unseen, w.order.Remove(oldest).(string))
	}
	id = strings.Clone(id) // do not pin the frame's buffer
	w.unseen[id] = w.order.PushBack(id)
}

// OnClosed records that the connection is finished: waits for what can no
// longer happen return [ErrClosed].
func (w *Waiting) OnClosed() {
	w.lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.state == stateConnected {
		w.state = stateDisconnected
	}
	w.notifyLocked()
}

// notifyLocked wakes every waiter to look at the state again. w.mu is held.
func (w *Waiting) notifyLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

var _ Listener = (*Waiting)(nil)
