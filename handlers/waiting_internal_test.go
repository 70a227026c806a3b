package handlers

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/codec"
)

// eventually waits, yielding the processor, until cond holds.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never met")
		}
		runtime.Gosched()
	}
}

// waitersOf returns how many WaitReceipt calls wait for id.
func (w *Waiting) waitersOf(id string) int {
	w.lock()
	defer w.mu.Unlock()
	if rw := w.waiters[id]; rw != nil {
		return rw.n
	}
	return 0
}

func TestWaitReceiptReleasesEveryWaiter(t *testing.T) {
	var w Waiting // the zero value works
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const waiters = 3
	results := make(chan error, waiters)
	for range waiters {
		go func() { results <- w.WaitReceipt(ctx, "r-2") }()
	}
	eventually(t, func() bool { return w.waitersOf("r-2") == waiters })
	w.OnReceipt(codec.New(codec.Receipt, "receipt-id", "other"))
	w.OnReceipt(codec.New(codec.Receipt, "receipt-id", "r-2"))
	for range waiters {
		if err := <-results; err != nil {
			t.Errorf("WaitReceipt = %v", err)
		}
	}
	// Claimed by the waiters: not remembered for a later call.
	if err := w.WaitReceipt(cancelledContext(), "r-2"); !errors.Is(err, context.Canceled) {
		t.Errorf("later WaitReceipt = %v, want context.Canceled", err)
	}
	if n := w.waitersOf("r-2"); n != 0 {
		t.Errorf("%d waiters left", n)
	}
}

func TestWaitReceiptCancelForgetsTheWaiter(t *testing.T) {
	w := NewWaiting()
	ctx, cancel := context.WithCancel(context.Background())
	other, cancelOther := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelOther()
	first := make(chan error, 1)
	second := make(chan error, 1)
	go func() { first <- w.WaitReceipt(ctx, "r") }()
	go func() { second <- w.WaitReceipt(other, "r") }()
	eventually(t, func() bool { return w.waitersOf("r") == 2 })
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait = %v", err)
	}
	if n := w.waitersOf("r"); n != 1 {
		t.Errorf("%d waiters after one cancelled, want 1", n)
	}
	w.OnReceipt(codec.New(codec.Receipt, "receipt-id", "r"))
	if err := <-second; err != nil {
		t.Errorf("remaining wait = %v", err)
	}
	// The cancelled waiter did not turn the receipt into a remembered one.
	if len(w.unseen) != 0 || len(w.waiters) != 0 {
		t.Errorf("state left: unseen %v waiters %v", w.unseen, w.waiters)
	}
}

func TestWaitReceiptEndsAtClose(t *testing.T) {
	w := NewWaiting()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pending := make(chan error, 1)
	go func() { pending <- w.WaitReceipt(ctx, "never") }()
	eventually(t, func() bool { return w.waitersOf("never") == 1 })
	w.OnConnected(nil) // another change first: the waiter looks and waits on
	w.OnClosed()
	if err := <-pending; !errors.Is(err, ErrClosed) {
		t.Errorf("pending wait after close = %v, want ErrClosed", err)
	}
	if n := w.waitersOf("never"); n != 0 {
		t.Errorf("%d waiters left", n)
	}
}

func cancelledContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
