package handlers_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

func TestRecorderMessages(t *testing.T) {
	rec := handlers.NewRecorder()
	if rec.Latest() != nil || rec.Count() != 0 || len(rec.Messages()) != 0 {
		t.Error("a new Recorder is not empty")
	}
	rec.OnMessage(newMessage("/q", "1"))
	rec.OnMessage(newMessage("/q", "2"))
	rec.OnMessage(nil) // ignored, but counted by Stats like any event
	ctx := testContext(t)
	for _, want := range []string{"1", "2"} {
		m, err := rec.WaitForMessage(ctx)
		if err != nil || m.ID() != want {
			t.Fatalf("WaitForMessage = %v, %v; want message %s", m, err, want)
		}
	}
	// Nothing left: the next call waits for the next message.
	got := make(chan *handlers.Message, 1)
	go func() {
		m, err := rec.WaitForMessage(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- m
	}()
	rec.OnMessage(newMessage("/q", "3"))
	if m := receive(t, got); m == nil || m.ID() != "3" {
		t.Errorf("waited for %v, want message 3", m)
	}
	if _, err := rec.WaitForMessage(cancelled()); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitForMessage with nothing new = %v", err)
	}
	if rec.Count() != 3 || rec.Latest().ID() != "3" {
		t.Errorf("Count() = %d, Latest() = %s", rec.Count(), rec.Latest().ID())
	}
	var ids []string
	for _, m := range rec.Messages() {
		ids = append(ids, m.ID())
	}
	if !slices.Equal(ids, []string{"1", "2", "3"}) {
		t.Errorf("Messages() = %v", ids)
	}
}

func TestRecorderKeepsCopies(t *testing.T) {
	rec := handlers.NewRecorder()
	a := &fakeAcker{}
	m := newMessage("/q", "1")
	m.Frame.Body = []byte("original")
	m.AckMode, m.Acker = "client", a
	rec.OnMessage(m)
	m.Frame.Body[0] = 'X'
	m.Frame.Header.Set("destination", "/changed")
	kept := rec.Latest()
	if string(kept.Body()) != "original" || kept.Destination() != "/q" {
		t.Errorf("kept message changed with the original: %q %q", kept.Body(), kept.Destination())
	}
	if err := kept.Ack(context.Background()); err != nil || len(a.Calls()) != 1 {
		t.Errorf("the copy cannot be acked: %v %v", err, a.Calls())
	}
}

func TestRecorderLimit(t *testing.T) {
	rec := handlers.NewRecorder(handlers.RecorderLimit(2), nil)
	for _, id := range []string{"1", "2", "3"} {
		rec.OnMessage(newMessage("/q", id))
		rec.OnError(nil, errors.New("e"+id))
		rec.OnReceipt(codec.New(codec.Receipt, "receipt-id", "r"+id))
	}
	if m, err := rec.WaitForMessage(testContext(t)); err != nil || m.ID() != "2" {
		t.Errorf("first WaitForMessage = %v, %v; want 2, the oldest kept", m, err)
	}
	if rec.Count() != 3 || len(rec.Messages()) != 2 {
		t.Errorf("Count() = %d, %d kept", rec.Count(), len(rec.Messages()))
	}
	var errs []string
	for _, err := range rec.Errors() {
		errs = append(errs, err.Error())
	}
	if !slices.Equal(errs, []string{"e2", "e3"}) || !slices.Equal(rec.Receipts(), []string{"r2", "r3"}) {
		t.Errorf("Errors() = %v, Receipts() = %v", errs, rec.Receipts())
	}
	rec.OnReceipt(nil)
	if len(rec.Receipts()) != 2 {
		t.Error("a nil receipt frame was kept")
	}
}

func TestRecorderHeartbeats(t *testing.T) {
	rec := handlers.NewRecorder()
	if err := rec.WaitForHeartbeat(cancelled()); !errors.Is(err, context.Canceled) {
		t.Errorf("before any heart-beat: %v", err)
	}
	rec.OnHeartbeat()
	rec.OnHeartbeat()
	if err := rec.WaitForHeartbeat(testContext(t)); err != nil {
		t.Errorf("after heart-beats: %v", err)
	}
	// Both were consumed.
	if err := rec.WaitForHeartbeat(cancelled()); !errors.Is(err, context.Canceled) {
		t.Errorf("second wait: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- rec.WaitForHeartbeat(testContext(t)) }()
	rec.OnHeartbeat()
	if err := receive(t, done); err != nil {
		t.Errorf("waiting for a heart-beat: %v", err)
	}
}

// Recorder is also a Stats and a Waiting, fed with every event.
func TestRecorderComposesStatsAndWaiting(t *testing.T) {
	rec := handlers.NewRecorder(handlers.RecorderWaiting(handlers.ReceiptMemory(4)))
	drive(rec)
	if got := rec.Snapshot(); got != driven {
		t.Errorf("Snapshot() = %+v, want %+v", got, driven)
	}
	if rec.String() != rec.Stats.String() {
		t.Error("String() is not the Stats'")
	}
	if err := rec.WaitReceipt(testContext(t), "r-1"); err != nil {
		t.Errorf("WaitReceipt = %v", err)
	}
	if _, err := rec.WaitDisconnected(testContext(t)); err != nil {
		t.Errorf("WaitDisconnected = %v", err)
	}
	f := codec.New(codec.Message)
	if rec.OnBeforeMessage(f) != f {
		t.Error("OnBeforeMessage changed the frame")
	}
}

func TestRecorderClosed(t *testing.T) {
	rec := handlers.NewRecorder()
	rec.OnMessage(newMessage("/q", "1"))
	pending := make(chan error, 1)
	go func() { pending <- rec.WaitForHeartbeat(testContext(t)) }()
	rec.OnDisconnected(io.EOF)
	rec.OnClosed()
	if err := receive(t, pending); !errors.Is(err, handlers.ErrClosed) {
		t.Errorf("WaitForHeartbeat after close = %v", err)
	}
	// Messages received before the close are still returned, then ErrClosed.
	if m, err := rec.WaitForMessage(testContext(t)); err != nil || m.ID() != "1" {
		t.Errorf("WaitForMessage = %v, %v", m, err)
	}
	if _, err := rec.WaitForMessage(testContext(t)); !errors.Is(err, handlers.ErrClosed) {
		t.Errorf("WaitForMessage after close = %v", err)
	}
	if err := rec.WaitConnected(testContext(t)); !errors.Is(err, handlers.ErrClosed) {
		t.Errorf("WaitConnected after close = %v", err)
	}
}
