package multicast_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/multicast"
)

// A 60 KiB frame arrives whole.
func TestLargeFrameArrivesWhole(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	in, _ := subscribe(t, rcv, "/queue/big")
	body := make([]byte, 60<<10)
	for i := range body {
		body[i] = byte(i*7 + i>>8) // no run a truncation could hide in
	}
	body[100] = 0 // a NUL in the body: content-length carries it
	if err := sender.Send(ctxT(t), "/queue/big", body); err != nil {
		t.Fatal(err)
	}
	m := in.next(t)
	if !bytes.Equal(m.Body(), body) {
		t.Fatalf("body of %d bytes arrived as %d bytes, or changed", len(body), len(m.Body()))
	}
}

// A frame that does not fit in one datagram is an error and nothing is
// sent.
func TestTooLargeFrameIsAnError(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender := member(t, g, p)
	err := sender.Send(ctxT(t), "/queue/big", make([]byte, multicast.MaxDatagramSize))
	if !errors.Is(err, multicast.ErrFrameTooLarge) || !errors.Is(err, codec.ErrFrameTooLarge) {
		t.Fatalf("Send: %v, want ErrFrameTooLarge", err)
	}

	small := member(t, g, p, multicast.WithMaxDatagramSize(1024))
	if err := small.Send(ctxT(t), "/queue/big", make([]byte, 900)); err != nil {
		t.Fatalf("900 bytes with a 1024-byte limit: %v", err)
	}
	if err := small.Send(ctxT(t), "/queue/big", make([]byte, 1024)); !errors.Is(err, multicast.ErrFrameTooLarge) {
		t.Fatalf("1024 bytes with a 1024-byte limit: %v, want ErrFrameTooLarge", err)
	}
	// In a transaction the error comes at Send, not at Commit.
	tx, err := small.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Send(ctxT(t), "/queue/big", make([]byte, 2048)); !errors.Is(err, multicast.ErrFrameTooLarge) {
		t.Fatalf("transactional Send: %v, want ErrFrameTooLarge", err)
	}
	if s := sender.Stats(); s.Sent != 0 {
		t.Errorf("sender wrote %d datagrams", s.Sent)
	}
	if s := small.Stats(); s.Sent != 1 {
		t.Errorf("small wrote %d datagrams, want 1", s.Sent)
	}
}

// A member with a smaller limit reports a larger datagram instead of
// truncating it, and keeps working.
func TestOversizedDatagramIsReported(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	sender := member(t, g, p)
	rcv := member(t, g, p, multicast.WithMaxDatagramSize(512), multicast.WithListener("rec", rec))
	in, _ := subscribe(t, rcv, "/queue/q")
	send(t, sender, "/queue/q", string(make([]byte, 4096)))
	send(t, sender, "/queue/q", "small")
	if m := in.next(t); string(m.Body()) != "small" {
		t.Fatalf("got %d bytes", len(m.Body()))
	}
	eventually(t, "the error report", func() bool { return len(rec.errors()) == 1 })
	var de *multicast.DatagramError
	if err := rec.errors()[0]; !errors.As(err, &de) || !errors.Is(err, multicast.ErrFrameTooLarge) || de.Size < 4096 {
		t.Errorf("reported %v, want a DatagramError for a too large frame", err)
	}
}

// Whatever fits in a datagram is read: a long header line and many header
// lines are not held to the codec's stream defaults.
func TestLongAndManyHeadersArrive(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	in, _ := subscribe(t, rcv, "/queue/h")
	long := string(bytes.Repeat([]byte("v"), 20<<10)) // codec default line limit: 16 KiB
	var many codec.Header
	for i := range 400 { // codec default: 256 lines
		many = append(many, codec.Field{Key: fmt.Sprintf("h%d", i), Value: "x"})
	}
	send(t, sender, "/queue/h", "x", multicast.WithHeader("long", long), multicast.WithHeaders(many))
	m := in.next(t)
	if m.Header("long") != long || m.Header("h399") != "x" {
		t.Fatalf("headers lost: long %d bytes, %d lines", len(m.Header("long")), len(m.Frame.Header))
	}
}
