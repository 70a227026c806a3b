package websocket

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gobwas/ws"
)

// stream is a conversation from one peer: a STOMP frame cut across a
// fragmented message with control frames between the fragments, a message
// holding two STOMP frames, payloads with 7- and 16-bit lengths, and a
// close frame at the end.
func stream(t *testing.T, masked bool) ([]byte, []byte) {
	big := bytes.Repeat([]byte("x"), 300)
	var in, want bytes.Buffer
	add := func(op ws.OpCode, fin bool, p string) {
		in.Write(frameBytes(t, op, fin, []byte(p), masked))
		if !op.IsControl() {
			want.WriteString(p)
		}
	}
	add(ws.OpText, false, "SEND\ndestination:/q/a\n")
	add(ws.OpPing, true, "p1")
	add(ws.OpContinuation, false, "")
	add(ws.OpPong, true, "")
	add(ws.OpContinuation, true, "\nhello\x00")
	add(ws.OpBinary, true, "SEND\ndestination:/q/b\n\n\x00\xff\x00SEND\ndestination:/q/c\n\n\x00")
	add(ws.OpText, true, "\n") // a heart-beat
	add(ws.OpBinary, true, "SEND\ndestination:/q/d\n\n"+string(big)+"\x00")
	in.Write(frameBytes(t, ws.OpClose, true, closeBody(1000, "bye"), masked))
	return in.Bytes(), want.Bytes()
}

// run feeds pieces to a fresh wire and checks what came out.
func run(t *testing.T, server bool, pieces [][]byte, want []byte) {
	t.Helper()
	c := newWire(server, DefaultMaxMessage)
	var s sink
	var w rawWriter
	var err error
	for _, p := range pieces {
		if err = c.inbound(append([]byte(nil), p...), &w, s.deliver); err != nil {
			break
		}
	}
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "bye" || !isEOF(err) {
		t.Fatalf("end = %v, want a clean close 1000 \"bye\"", err)
	}
	if !bytes.Equal(s.data.Bytes(), want) {
		t.Fatalf("delivered %q\nwant      %q", s.data.Bytes(), want)
	}
	out := w.frames(t)
	if len(out) != 2 || out[0].Header.OpCode != ws.OpPong || string(out[0].Payload) != "p1" {
		t.Fatalf("written %+v, want a pong \"p1\" and a close", out)
	}
	if closeCode(t, out[1]) != 1000 {
		t.Fatalf("close reply %d, want the status echoed", closeCode(t, out[1]))
	}
	for _, f := range out {
		if f.Header.Masked == server {
			t.Fatalf("frame masked=%v from the %s side", f.Header.Masked, map[bool]string{true: "server", false: "client"}[server])
		}
	}
}

func TestReaderEverySplitPoint(t *testing.T) {
	for _, server := range []bool{false, true} {
		in, want := stream(t, server)
		for i := 0; i <= len(in); i++ {
			run(t, server, [][]byte{in[:i], in[i:]}, want)
		}
	}
}

func TestReaderEveryTwoSplitPoints(t *testing.T) {
	// The head of the stream (fragments and control frames between them)
	// is where the state lives; cut it at every pair of points.
	in, want := stream(t, true)
	const head = 80
	for i := 0; i <= head; i++ {
		for j := i; j <= head; j++ {
			run(t, true, [][]byte{in[:i], in[i:j], in[j:]}, want)
		}
	}
}

func TestReaderByteByByte(t *testing.T) {
	for _, server := range []bool{false, true} {
		in, want := stream(t, server)
		pieces := make([][]byte, len(in))
		for i := range in {
			pieces[i] = in[i : i+1]
		}
		run(t, server, pieces, want)
	}
}

func TestReaderLongLengths(t *testing.T) {
	for _, n := range []int{125, 126, 65535, 65536, 200000} {
		payload := bytes.Repeat([]byte{0xa5}, n)
		in := frameBytes(t, ws.OpBinary, true, payload, true)
		for _, cut := range []int{1, 2, 3, 5, 9, 13, 14, 15, len(in) / 2, len(in) - 1} {
			c := newWire(true, DefaultMaxMessage)
			var s sink
			var w rawWriter
			for _, p := range [][]byte{in[:cut], in[cut:]} {
				if err := c.inbound(append([]byte(nil), p...), &w, s.deliver); err != nil {
					t.Fatalf("n=%d cut=%d: %v", n, cut, err)
				}
			}
			if !bytes.Equal(s.data.Bytes(), payload) {
				t.Fatalf("n=%d cut=%d: payload differs", n, cut)
			}
		}
	}
}

func TestReaderCloseCodes(t *testing.T) {
	cases := []struct {
		name  string
		body  []byte
		code  int
		clean bool
	}{
		{name: "normal", body: closeBody(1000, ""), code: 1000, clean: true},
		{name: "going away", body: closeBody(1001, "restart"), code: 1001, clean: true},
		{name: "no status", body: nil, code: 0, clean: true},
		{name: "internal error", body: closeBody(1011, "boom"), code: 1011, clean: false},
		{name: "policy", body: closeBody(1008, "auth"), code: 1008, clean: false},
		{name: "private", body: closeBody(4000, ""), code: 4000, clean: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newWire(false, DefaultMaxMessage)
			var s sink
			var w rawWriter
			err := c.inbound(frameBytes(t, ws.OpClose, true, tc.body, false), &w, s.deliver)
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != tc.code || !errors.Is(err, ErrPeerClosed) {
				t.Fatalf("err = %v, want a CloseError with %d", err, tc.code)
			}
			if isEOF(err) != tc.clean || ce.Clean() != tc.clean {
				t.Fatalf("clean = %v, want %v", isEOF(err), tc.clean)
			}
			out := w.frames(t)
			if len(out) != 1 || closeCode(t, out[0]) != tc.code || !out[0].Header.Masked {
				t.Fatalf("reply %+v, want one masked close with %d", out, tc.code)
			}
			// Nothing is written or delivered after the close.
			if err := c.inbound(frameBytes(t, ws.OpPing, true, nil, false), &w, s.deliver); err != nil || len(w.frames(t)) != 1 {
				t.Fatalf("after close: err %v, %d frames written", err, len(w.frames(t)))
			}
		})
	}
}

func TestReaderProtocolErrors(t *testing.T) {
	hdr := func(b0, b1 byte) []byte { return []byte{b0, b1} }
	cases := []struct {
		name   string
		server bool
		in     []byte
		valid  string // delivered before the bad frame
	}{
		{name: "rsv1", in: hdr(0x80|0x40|0x1, 0)},
		{name: "reserved data opcode", in: hdr(0x80|0x3, 0)},
		{name: "reserved control opcode", in: hdr(0x80|0xb, 0)},
		{name: "fragmented ping", in: frameBytes(t, ws.OpPing, false, nil, false)},
		{name: "long ping", in: frameBytes(t, ws.OpPing, true, make([]byte, 126), false)},
		{name: "continuation first", in: frameBytes(t, ws.OpContinuation, true, []byte("x"), false)},
		{name: "text in fragments", in: append(frameBytes(t, ws.OpText, false, []byte("a"), false), frameBytes(t, ws.OpText, true, []byte("b"), false)...), valid: "a"},
		{name: "masked from server", in: frameBytes(t, ws.OpText, true, []byte("a"), true)},
		{name: "unmasked from client", server: true, in: frameBytes(t, ws.OpText, true, []byte("a"), false)},
		{name: "length MSB", in: append(hdr(0x82, 127), 0x80, 0, 0, 0, 0, 0, 0, 1)},
		{name: "close 1 byte", in: frameBytes(t, ws.OpClose, true, []byte{3}, false)},
		{name: "close 1005", in: frameBytes(t, ws.OpClose, true, closeBody(1005, ""), false)},
		{name: "close 999", in: frameBytes(t, ws.OpClose, true, closeBody(999, ""), false)},
		{name: "close 2000", in: frameBytes(t, ws.OpClose, true, closeBody(2000, ""), false)},
		{name: "close reason not UTF-8", in: frameBytes(t, ws.OpClose, true, append(closeBody(1000, ""), 0xff), false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newWire(tc.server, DefaultMaxMessage)
			var s sink
			var w rawWriter
			err := c.inbound(tc.in, &w, s.deliver)
			if !errors.Is(err, ErrProtocol) || isEOF(err) {
				t.Fatalf("err = %v, want ErrProtocol", err)
			}
			out := w.frames(t)
			if len(out) != 1 || closeCode(t, out[0]) != 1002 {
				t.Fatalf("reply %+v, want a close with 1002", out)
			}
			if s.data.String() != tc.valid {
				t.Fatalf("delivered %q, want %q", s.data.Bytes(), tc.valid)
			}
			if err := c.inbound(frameBytes(t, ws.OpText, true, []byte("later"), tc.server), &w, s.deliver); err != nil || s.data.String() != tc.valid {
				t.Fatalf("input after the error was used: %v %q", err, s.data.Bytes())
			}
		})
	}
}

func TestReaderTooLarge(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		ok   int // bytes delivered before the error
	}{
		{name: "one frame", in: frameBytes(t, ws.OpBinary, true, make([]byte, 101), false)},
		{name: "fragments", in: append(frameBytes(t, ws.OpBinary, false, make([]byte, 60), false), frameBytes(t, ws.OpContinuation, true, make([]byte, 41), false)...), ok: 60},
		// A header that declares a huge payload is refused before any of
		// it arrives: nothing is allocated for it.
		{name: "declared", in: []byte{0x82, 127, 0x40, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newWire(false, 100)
			var s sink
			var w rawWriter
			err := c.inbound(tc.in, &w, s.deliver)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if s.data.Len() != tc.ok {
				t.Fatalf("delivered %d bytes, want %d", s.data.Len(), tc.ok)
			}
			if out := w.frames(t); len(out) != 1 || closeCode(t, out[0]) != 1009 {
				t.Fatalf("reply %+v, want a close with 1009", out)
			}
		})
	}
	// Exactly at the limit, in fragments with a ping between them: fine.
	c := newWire(false, 100)
	var s sink
	var w rawWriter
	in := append(frameBytes(t, ws.OpText, false, make([]byte, 50), false), frameBytes(t, ws.OpPing, true, nil, false)...)
	in = append(in, frameBytes(t, ws.OpContinuation, true, make([]byte, 50), false)...)
	in = append(in, frameBytes(t, ws.OpText, true, make([]byte, 100), false)...)
	if err := c.inbound(in, &w, s.deliver); err != nil || s.data.Len() != 200 {
		t.Fatalf("at the limit: %v, %d bytes", err, s.data.Len())
	}
}

func TestReaderDoesNotAllocate(t *testing.T) {
	in, _ := stream(t, false)
	in = in[:len(in)-len(frameBytes(t, ws.OpClose, true, closeBody(1000, "bye"), false))]
	c := newWire(false, DefaultMaxMessage)
	w := &rawWriter{}
	w.Grow(1 << 20)
	deliver := func([]byte) error { return nil }
	allocs := testing.AllocsPerRun(100, func() {
		w.Reset()
		if err := c.inbound(in, w, deliver); err != nil {
			t.Fatal(err)
		}
	})
	// The pong is masked in a pooled buffer; the pool may allocate once
	// in a while, the parser never.
	if allocs > 1 {
		t.Fatalf("%.1f allocations per stream", allocs)
	}
}
