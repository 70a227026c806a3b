package websocket

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

func TestOutboundClientMasksAndKeepsInput(t *testing.T) {
	c := newWire(false, DefaultMaxMessage)
	var w rawWriter
	p := []byte("SEND\ndestination:/q\n\nhello\x00")
	orig := append([]byte(nil), p...)
	for range 3 {
		if err := c.outbound(p, &w); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(p, orig) {
		t.Fatalf("Outbound modified its input: %q", p)
	}
	out := w.frames(t)
	masks := map[[4]byte]bool{}
	for _, f := range out {
		if !f.Header.Masked || !f.Header.Fin || f.Header.OpCode != ws.OpText || !bytes.Equal(f.Payload, orig) {
			t.Fatalf("frame %+v %q, want one masked final text frame with the bytes", f.Header, f.Payload)
		}
	}
	// Each frame has its own mask.
	raw := w.Bytes()
	for i := 0; i < 3; i++ {
		var m [4]byte
		copy(m[:], raw[i*(6+len(orig))+2:])
		masks[m] = true
	}
	if len(masks) != 3 {
		t.Fatalf("masks repeat: %v", masks)
	}
}

func TestOutboundOpcodes(t *testing.T) {
	cases := []struct {
		name   string
		binary bool
		p      string
		op     ws.OpCode
	}{
		{name: "utf-8 as text", p: "SEND\n\nhé\x00", op: ws.OpText},
		{name: "NUL is valid UTF-8", p: "SEND\ncontent-length:1\n\n\x00\x00", op: ws.OpText},
		{name: "not utf-8 goes binary", p: "SEND\n\n\xff\xfe\x00", op: ws.OpBinary},
		{name: "binary mode", binary: true, p: "SEND\n\nplain\x00", op: ws.OpBinary},
		{name: "heart-beat", p: "\n", op: ws.OpText},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, server := range []bool{false, true} {
				c := newWire(server, DefaultMaxMessage)
				c.binary = tc.binary
				var w rawWriter
				if err := c.outbound([]byte(tc.p), &w); err != nil {
					t.Fatal(err)
				}
				out := w.frames(t)
				if len(out) != 1 || out[0].Header.OpCode != tc.op || string(out[0].Payload) != tc.p || out[0].Header.Masked == server {
					t.Fatalf("server=%v: %+v, want one %v frame", server, out, tc.op)
				}
			}
		})
	}
}

func TestOutboundFragments(t *testing.T) {
	c := newWire(true, DefaultMaxMessage)
	c.fragment = 4
	var w rawWriter
	p := "SEND\n\n0123456789\x00"
	if err := c.outbound([]byte(p), &w); err != nil {
		t.Fatal(err)
	}
	out := w.frames(t)
	var got strings.Builder
	for i, f := range out {
		wantOp := ws.OpContinuation
		if i == 0 {
			wantOp = ws.OpText
		}
		if f.Header.OpCode != wantOp || f.Header.Fin != (i == len(out)-1) || len(f.Payload) > 4 {
			t.Fatalf("fragment %d: %+v", i, f.Header)
		}
		got.Write(f.Payload)
	}
	if len(out) != (len(p)+3)/4 || got.String() != p {
		t.Fatalf("%d fragments holding %q", len(out), got.String())
	}
	// A peer reassembles them.
	peer := newWire(false, DefaultMaxMessage)
	var s sink
	if err := peer.inbound(w.Bytes(), &rawWriter{}, s.deliver); err != nil || s.data.String() != p {
		t.Fatalf("reassembled %q, %v", s.data.String(), err)
	}
}

func TestCloseSendsOneCloseFrame(t *testing.T) {
	c := newWire(false, DefaultMaxMessage)
	var w rawWriter
	c.close(&w, true)
	c.close(&w, true)
	out := w.frames(t)
	if len(out) != 1 || closeCode(t, out[0]) != 1000 {
		t.Fatalf("closing twice wrote %+v, want one close 1000", out)
	}
	if err := c.outbound([]byte("SEND\n\n\x00"), &w); !errors.Is(err, ErrCloseSent) {
		t.Fatalf("write after close: %v, want ErrCloseSent", err)
	}

	c = newWire(true, DefaultMaxMessage)
	w.Reset()
	if err := c.closeWith(4000, "maintenance"); err != nil {
		t.Fatal(err)
	}
	c.close(&w, true)
	out = w.frames(t)
	if _, reason := ws.ParseCloseFrameData(out[0].Payload); len(out) != 1 || closeCode(t, out[0]) != 4000 || reason != "maintenance" {
		t.Fatalf("CloseWith(4000): wrote %+v", out)
	}
	for _, bad := range []int{0, 999, 1005, 1006, 1015, 2999, 5000} {
		if err := c.closeWith(bad, ""); !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("closeWith(%d) = %v, want ErrInvalidConfig", bad, err)
		}
	}
	if err := c.closeWith(1000, strings.Repeat("x", 124)); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("a 124-byte reason: %v", err)
	}

	// Before the upgrade there is nothing to close.
	c = newWire(true, DefaultMaxMessage)
	w.Reset()
	c.close(&w, false)
	if w.Len() != 0 {
		t.Fatalf("closing before the upgrade wrote %q", w.Bytes())
	}
}

func TestPingPong(t *testing.T) {
	for _, server := range []bool{false, true} {
		c := newWire(server, DefaultMaxMessage)
		var pongs []string
		c.onPong = func(p []byte) { pongs = append(pongs, string(p)) }
		var w rawWriter
		var s sink
		in := append(frameBytes(t, ws.OpPing, true, []byte("are you there"), server), frameBytes(t, ws.OpPong, true, []byte("rtt-1"), server)...)
		if err := c.inbound(in, &w, s.deliver); err != nil {
			t.Fatal(err)
		}
		out := w.frames(t)
		if len(out) != 1 || out[0].Header.OpCode != ws.OpPong || string(out[0].Payload) != "are you there" || out[0].Header.Masked == server {
			t.Fatalf("server=%v: wrote %+v, want one pong echoing the ping", server, out)
		}
		if len(pongs) != 1 || pongs[0] != "rtt-1" || s.data.Len() != 0 {
			t.Fatalf("pongs %q, data %q", pongs, s.data.Bytes())
		}
		// No pong once the close frame is out.
		c.close(&w, true)
		w.Reset()
		if err := c.inbound(frameBytes(t, ws.OpPing, true, nil, server), &w, s.deliver); err != nil || w.Len() != 0 {
			t.Fatalf("pong after close: %v %q", err, w.Bytes())
		}
	}
}

func TestWriteErrorsSurface(t *testing.T) {
	boom := errors.New("boom")
	for _, server := range []bool{false, true} {
		c := newWire(server, DefaultMaxMessage)
		w := rawWriter{fail: boom}
		if err := c.outbound([]byte("x"), &w); !errors.Is(err, boom) {
			t.Fatalf("server=%v: %v, want the socket's error", server, err)
		}
	}
}
