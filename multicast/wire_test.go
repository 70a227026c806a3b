package multicast_test

import (
	"strconv"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/multicast"
)

// On the wire a frame is one STOMP 1.2 SEND per datagram, with
// content-length and the sender headers, and without the headers that only
// mean something to the sender (receipt, transaction).
func TestWireFormat(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	raw, err := multicast.NewTransport(loopOpts(g, p)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Start(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	defer raw.Stop()
	c := member(t, g, p)

	send(t, c, "/queue/w", "a\x00b", multicast.WithReceipt(), multicast.WithHeader("k", "x:y\nz"))
	tx, err := c.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Send(ctxT(t), "/queue/w", []byte("in tx")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}

	for i, body := range []string{"a\x00b", "in tx"} {
		d, err := raw.Receive(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		f, err := codec.Unmarshal(d.Data, codec.V12)
		if err != nil {
			t.Fatalf("datagram %d is not one 1.2 frame: %v", i, err)
		}
		h := f.Header
		if f.Command != codec.Send || h.Get("destination") != "/queue/w" || string(f.Body) != body {
			t.Errorf("datagram %d: %v", i, f)
		}
		if h.Get("content-length") != strconv.Itoa(len(body)) {
			t.Errorf("datagram %d: content-length %q", i, h.Get("content-length"))
		}
		if h.Get(multicast.HdrSender) != c.InstanceID() || h.Get(multicast.HdrSequence) != strconv.Itoa(i+1) {
			t.Errorf("datagram %d: sender %q seq %q", i, h.Get(multicast.HdrSender), h.Get(multicast.HdrSequence))
		}
		if h.Has("receipt") || h.Has("transaction") {
			t.Errorf("datagram %d carries sender-only headers: %v", i, h)
		}
		if i == 0 && h.Get("k") != "x:y\nz" {
			t.Errorf("escaped header came back as %q", h.Get("k"))
		}
	}
}
