package handlers_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

func receipt(id string) *codec.Frame { return codec.New(codec.Receipt, "receipt-id", id) }

func TestWaitReceiptArrivedBefore(t *testing.T) {
	w := handlers.NewWaiting()
	w.OnReceipt(receipt("r-1"))
	w.OnReceipt(receipt("r-1")) // a duplicate is remembered once
	if err := w.WaitReceipt(cancelled(), "r-1"); err != nil {
		t.Errorf("receipt that arrived first: %v", err)
	}
	// Claimed: a second wait for it waits again.
	if err := w.WaitReceipt(cancelled(), "r-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("second wait = %v, want context.Canceled", err)
	}
}

func TestWaitReceiptMemoryIsBounded(t *testing.T) {
	w := handlers.NewWaiting(handlers.ReceiptMemory(2), nil)
	for _, id := range []string{"a", "b", "c"} {
		w.OnReceipt(receipt(id))
	}
	w.OnReceipt(codec.New(codec.Receipt)) // no receipt-id: ignored
	w.OnReceipt(nil)
	if err := w.WaitReceipt(cancelled(), "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("oldest receipt still remembered: %v", err)
	}
	for _, id := range []string{"b", "c"} {
		if err := w.WaitReceipt(cancelled(), id); err != nil {
			t.Errorf("receipt %s forgotten: %v", id, err)
		}
	}
}

func TestWaitReceiptAfterClose(t *testing.T) {
	w := handlers.NewWaiting()
	w.OnReceipt(receipt("kept"))
	w.OnClosed()
	if err := w.WaitReceipt(testContext(t), "never"); !errors.Is(err, handlers.ErrClosed) {
		t.Errorf("wait after close = %v, want ErrClosed", err)
	}
	if err := w.WaitReceipt(testContext(t), "kept"); err != nil {
		t.Errorf("receipt that arrived before the close = %v", err)
	}
}

func TestWaitConnected(t *testing.T) {
	w := handlers.NewWaiting()
	if w.Connected() {
		t.Error("Connected() before any event")
	}
	if err := w.WaitConnected(cancelled()); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitConnected before connecting = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- w.WaitConnected(testContext(t)) }()
	w.OnConnected(codec.New(codec.Connected))
	if err := receive(t, done); err != nil || !w.Connected() {
		t.Errorf("WaitConnected = %v, Connected() = %v", err, w.Connected())
	}
	if err := w.WaitConnected(cancelled()); err != nil {
		t.Errorf("WaitConnected while connected = %v", err)
	}
	w.OnDisconnected(io.EOF)
	go func() { done <- w.WaitConnected(testContext(t)) }()
	w.OnReconnected(codec.New(codec.Connected))
	if err := receive(t, done); err != nil {
		t.Errorf("WaitConnected across a reconnection = %v", err)
	}
	w.OnClosed()
	if err := w.WaitConnected(testContext(t)); !errors.Is(err, handlers.ErrClosed) || w.Connected() {
		t.Errorf("WaitConnected after close = %v, Connected() = %v", err, w.Connected())
	}
}

func TestWaitDisconnected(t *testing.T) {
	w := handlers.NewWaiting()
	if _, err := w.WaitDisconnected(cancelled()); !errors.Is(err, context.Canceled) {
		t.Errorf("before any event: %v", err)
	}
	w.OnConnected(codec.New(codec.Connected))
	type result struct{ cause, err error }
	done := make(chan result, 1)
	go func() {
		cause, err := w.WaitDisconnected(testContext(t))
		done <- result{cause, err}
	}()
	w.OnDisconnected(io.ErrUnexpectedEOF)
	if r := receive(t, done); r.err != nil || r.cause != io.ErrUnexpectedEOF {
		t.Errorf("WaitDisconnected = %v, %v; want the cause", r.cause, r.err)
	}
	if cause, err := w.WaitDisconnected(cancelled()); err != nil || cause != io.ErrUnexpectedEOF {
		t.Errorf("while disconnected = %v, %v", cause, err)
	}
	// Reconnected: waits for the next drop; a close ends that wait.
	w.OnReconnected(codec.New(codec.Connected))
	go func() {
		cause, err := w.WaitDisconnected(testContext(t))
		done <- result{cause, err}
	}()
	w.OnClosed()
	if r := receive(t, done); r.err != nil {
		t.Errorf("WaitDisconnected ended by close = %v, %v", r.cause, r.err)
	}
	if _, err := w.WaitDisconnected(cancelled()); err != nil {
		t.Errorf("after close = %v", err)
	}
}
