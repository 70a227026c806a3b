package multicast_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/multicast"
)

// The raw transport starts, sends encoded frames, receives datagrams whole,
// reports whether it is connected, honours contexts and stops.
func TestTransport(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	a, err := multicast.NewTransport(loopOpts(g, p)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := multicast.NewTransport(loopOpts(g, p)...)
	if err != nil {
		t.Fatal(err)
	}
	if a.IsConnected() || a.LocalAddr() != nil {
		t.Error("connected before Start")
	}
	if err := a.Send(ctxT(t), []byte("x")); !errors.Is(err, multicast.ErrNotStarted) {
		t.Errorf("Send before Start: %v", err)
	}
	if _, err := a.Receive(ctxT(t)); !errors.Is(err, multicast.ErrNotStarted) {
		t.Errorf("Receive before Start: %v", err)
	}
	for _, tr := range []*multicast.Transport{a, b} {
		if err := tr.Start(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if !a.IsConnected() || a.LocalAddr() == nil || a.Group().Port() != uint16(p) || a.Interface() != "lo" {
		t.Errorf("after Start: connected %v, local %v, group %v, interface %s", a.IsConnected(), a.LocalAddr(), a.Group(), a.Interface())
	}
	if err := a.Start(ctxT(t)); !errors.Is(err, multicast.ErrAlreadyStarted) {
		t.Errorf("second Start: %v", err)
	}

	f := codec.New(codec.Send, "destination", "/raw")
	f.Body = bytes.Repeat([]byte("r"), 50_000)
	frame, err := codec.Marshal(codec.V12, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Send(ctxT(t), frame); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []*multicast.Transport{a, b} { // loopback on: a hears itself
		d, err := tr.Receive(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d.Data, frame) || !d.Source.IsValid() {
			t.Fatalf("received %d bytes from %v, want the %d-byte frame", len(d.Data), d.Source, len(frame))
		}
		got, err := codec.Unmarshal(d.Data, codec.V12)
		if err != nil || got.Header.Get("destination") != "/raw" {
			t.Fatalf("decoded %v, %v", got, err)
		}
	}
	if err := a.Send(ctxT(t), make([]byte, a.MaxDatagramSize()+1)); !errors.Is(err, multicast.ErrFrameTooLarge) {
		t.Errorf("oversized Send: %v", err)
	}

	// A Receive ends with its context, and the transport still works after.
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.Receive(ctx)
		errc <- err
	}()
	cancel()
	if err := recv(t, errc); !errors.Is(err, context.Canceled) {
		t.Errorf("Receive with a cancelled context: %v", err)
	}
	if err := a.Send(ctxT(t), frame); err != nil {
		t.Fatal(err)
	}
	if d, err := b.Receive(ctxT(t)); err != nil || len(d.Data) != len(frame) {
		t.Fatalf("Receive after a cancelled one: %d bytes, %v", len(d.Data), err)
	}

	// Stop ends a Receive in progress.
	go func() {
		_, err := a.Receive(context.Background())
		errc <- err
	}()
	// a still has its own second frame to read; the Receive after it waits.
	if err := recv(t, errc); err != nil {
		t.Fatalf("first Receive: %v", err)
	}
	go func() {
		_, err := a.Receive(context.Background())
		errc <- err
	}()
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, errc); !errors.Is(err, multicast.ErrNotStarted) {
		t.Errorf("Receive across Stop: %v", err)
	}
	if a.IsConnected() {
		t.Error("connected after Stop")
	}
	if err := a.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := a.Send(ctxT(t), frame); !errors.Is(err, multicast.ErrNotStarted) {
		t.Errorf("Send after Stop: %v", err)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
}
