package multicast_test

import (
	"errors"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/multicast"
)

// Datagrams that are not usable frames are counted and reported to the
// error listeners; the member keeps working. Well-formed frames that are
// not SEND are ignored.
func TestGarbageDatagramsAreReported(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	rcv := member(t, g, p, multicast.WithListener("rec", rec))
	in, _ := subscribe(t, rcv, "/queue/q")

	raw, err := multicast.NewTransport(loopOpts(g, p)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Start(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	defer raw.Stop()

	garbage := [][]byte{
		[]byte("\x00\xff\xfe garbage \x01"), // no frame at all
		{},                                  // empty
		[]byte("SEND\ndestination:/queue/q\n\nno nul"),    // truncated: no NUL
		[]byte("BOGUS\n\n\x00"),                           // unknown command
		[]byte("SEND\nk:v\n\nno destination\x00"),         // SEND without destination
		[]byte("SEND\ndestination:/queue/q\nbad\n\n\x00"), // header without ':'
	}
	for _, d := range garbage {
		if err := raw.Send(ctxT(t), d); err != nil {
			t.Fatal(err)
		}
	}
	// A RECEIPT, as a stomp.py member would answer into the group: ignored.
	receipt, _ := codec.Marshal(codec.V12, codec.New(codec.Receipt, codec.HdrReceiptID, "x"))
	if err := raw.Send(ctxT(t), receipt); err != nil {
		t.Fatal(err)
	}
	// A SEND from a sender that is not stampede (no sender header).
	foreign, _ := codec.Marshal(codec.V12, &codec.Frame{Command: codec.Send, Header: codec.Header{{Key: "destination", Value: "/queue/q"}}, Body: []byte("foreign")})
	if err := raw.Send(ctxT(t), foreign); err != nil {
		t.Fatal(err)
	}

	m := in.next(t)
	if string(m.Body()) != "foreign" || m.ID() == "" {
		t.Fatalf("got %q with id %q", m.Body(), m.ID())
	}
	send(t, rcv, "/queue/q", "still working")
	if m := in.next(t); string(m.Body()) != "still working" {
		t.Fatalf("got %q", m.Body())
	}
	eventually(t, "every error report", func() bool { return len(rec.errors()) == len(garbage) })
	for i, err := range rec.errors() {
		var de *multicast.DatagramError
		if !errors.As(err, &de) || !errors.Is(err, multicast.ErrMalformedDatagram) {
			t.Errorf("report %d: %v, want a DatagramError", i, err)
			continue
		}
		if de.Size != len(garbage[i]) || !de.Source.IsValid() {
			t.Errorf("report %d: size %d from %v, want %d bytes", i, de.Size, de.Source, len(garbage[i]))
		}
	}
	var syntax *codec.SyntaxError
	if err := rec.errors()[5]; !errors.As(err, &syntax) || !errors.Is(err, codec.ErrMalformedHeader) {
		t.Errorf("the bad header was reported as %v, want a codec.SyntaxError", err)
	}
	s := rcv.Stats()
	if s.Malformed != uint64(len(garbage)) || s.Ignored != 1 || s.Delivered != 2 {
		t.Errorf("stats %+v, want %d malformed, 1 ignored, 2 delivered", s, len(garbage))
	}
}
