package websocket

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gobwas/ws"
	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }

// rawWriter records what a layer writes to the socket.
type rawWriter struct {
	bytes.Buffer
	fail error
}

func (w *rawWriter) Write(p []byte) (int, error) {
	if w.fail != nil {
		return 0, w.fail
	}
	return w.Buffer.Write(p)
}

func (w *rawWriter) Writev(bs [][]byte) (int, error) {
	n := 0
	for _, b := range bs {
		k, err := w.Write(b)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// frames parses what was written into frames, unmasked.
func (w *rawWriter) frames(t *testing.T) []ws.Frame {
	t.Helper()
	var out []ws.Frame
	r := bytes.NewReader(w.Bytes())
	for r.Len() > 0 {
		h, err := ws.ReadHeader(r)
		if err != nil {
			t.Fatalf("written bytes are no frame: %v", err)
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(r, p); err != nil {
			t.Fatalf("short frame: %v", err)
		}
		f := ws.Frame{Header: h, Payload: p}
		if h.Masked {
			f = ws.UnmaskFrameInPlace(f)
			f.Header.Masked = true // keep the fact for assertions
		}
		out = append(out, f)
	}
	return out
}

// frameBytes compiles a frame; masked when mask is set.
func frameBytes(t testing.TB, op ws.OpCode, fin bool, payload []byte, mask bool) []byte {
	t.Helper()
	f := ws.NewFrame(op, fin, append([]byte(nil), payload...))
	if mask {
		f = ws.MaskFrameWith(f, [4]byte{0x11, 0x22, 0x33, 0x44})
	}
	b, err := ws.CompileFrame(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func closeBody(code int, reason string) []byte {
	return ws.NewCloseFrameBody(ws.StatusCode(code), reason)
}

// sink collects what a wire delivers.
type sink struct {
	data bytes.Buffer
}

func (s *sink) deliver(p []byte) error {
	s.data.Write(p)
	return nil
}

// newWire returns a wire as a client (server=false) or server endpoint.
func newWire(server bool, max int64) *wire {
	c := &wire{}
	c.client = !server
	c.r.masked = server
	c.r.max = max
	c.init(nil, c.frames)
	return c
}

func closeCode(t *testing.T, f ws.Frame) int {
	t.Helper()
	if f.Header.OpCode != ws.OpClose {
		t.Fatalf("frame %v is not a close frame", f.Header.OpCode)
	}
	code, _ := ws.ParseCloseFrameData(f.Payload)
	return int(code)
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
