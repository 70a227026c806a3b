// Package codecbench holds scenario 1 of the comparison, decoding and
// encoding a MESSAGE with stampede's codec and go-stomp's frame package,
// as benchmark functions: `go test -bench` runs them through
// bench/codec_test.go, and the bench command through testing.Benchmark.
package codecbench

import (
	"bytes"
	"testing"

	gostomp "github.com/go-stomp/stomp/v3/frame"

	"github.com/stampede-mq/stampede/codec"
)

// Sizes are the bodies of the scenario: a realistic small message and a
// large one.
var Sizes = []Size{{"256B", 256}, {"64KiB", 64 << 10}}

// Size names a body size.
type Size struct {
	Name string
	N    int
}

// Case is one benchmark of the scenario.
type Case struct {
	Op   string // "decode" or "encode"
	Lib  string // "stampede" or "go-stomp"
	Size Size
	F    func(b *testing.B)
}

// Name is the case's key in results, e.g. "decode-256B".
func (c Case) Name() string { return c.Op + "-" + c.Size.Name }

// Cases lists every benchmark of the scenario for lib.
func Cases(lib string) []Case {
	var cs []Case
	for _, op := range []string{"decode", "encode"} {
		for _, s := range Sizes {
			c := Case{Op: op, Lib: lib, Size: s}
			switch op + "/" + lib {
			case "decode/stampede":
				c.F = func(b *testing.B) { decodeStampede(b, s.N) }
			case "decode/go-stomp":
				c.F = func(b *testing.B) { decodeGoStomp(b, s.N) }
			case "encode/stampede":
				c.F = func(b *testing.B) { encodeStampede(b, s.N) }
			case "encode/go-stomp":
				c.F = func(b *testing.B) { encodeGoStomp(b, s.N) }
			default:
				continue
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// Message is the realistic MESSAGE of the comparison: 8 headers and a body
// of the given size.
func Message(bodySize int) *codec.Frame {
	return &codec.Frame{
		Command: codec.Message,
		Header: codec.Header{
			{Key: "destination", Value: "/queue/orders.eu-west.priority"},
			{Key: "message-id", Value: "T_sub-0@@session-Wv6hR2Z1Hr2T5Jk0Lw@@1@@4711"},
			{Key: "subscription", Value: "sub-0"},
			{Key: "ack", Value: "T_sub-0@@session-Wv6hR2Z1Hr2T5Jk0Lw@@1@@4711"},
			{Key: "content-type", Value: "application/json"},
			{Key: "persistent", Value: "true"},
			{Key: "priority", Value: "4"},
			{Key: "correlation-id", Value: "c7d5e0a2-2bd8-4d3f-9b0e-1f1a2b3c4d5e"},
		},
		Body: bytes.Repeat([]byte("x"), bodySize),
	}
}

func goStompMessage(bodySize int) *gostomp.Frame {
	f := Message(bodySize)
	g := gostomp.New(string(f.Command))
	for _, h := range f.Header {
		g.Header.Add(h.Key, h.Value)
	}
	g.Body = f.Body
	return g
}

// wire is many copies of the encoded message, as a socket delivers them.
func wire(b *testing.B, bodySize int) (one, many []byte) {
	one, err := codec.Marshal(codec.V12, Message(bodySize))
	if err != nil {
		b.Fatal(err)
	}
	per := max(1, (256<<10)/len(one))
	return one, bytes.Repeat(one, per)
}

func decodeStampede(b *testing.B, bodySize int) {
	one, many := wire(b, bodySize)
	d := codec.NewDecoder(codec.WithVersion(codec.V12))
	var f codec.Frame
	b.SetBytes(int64(len(one)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		p := many
		for len(p) > 0 && i < b.N {
			n, k, err := d.Decode(p, &f)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
			if k == codec.GotFrame {
				i++
			}
		}
	}
}

// loopReader replays the same bytes forever.
type loopReader struct {
	data []byte
	off  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		r.off = 0
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

func decodeGoStomp(b *testing.B, bodySize int) {
	one, many := wire(b, bodySize)
	r := gostomp.NewReaderSize(&loopReader{data: many}, 64<<10)
	b.SetBytes(int64(len(one)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		f, err := r.Read()
		if err != nil {
			b.Fatal(err)
		}
		if f != nil { // nil is a heart-beat
			i++
		}
	}
}

func encodeStampede(b *testing.B, bodySize int) {
	f := Message(bodySize)
	enc := codec.Encoder{Version: codec.V12}
	buf, _ := enc.Append(nil, f)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		buf, _ = enc.Append(buf[:0], f)
	}
}

func encodeGoStomp(b *testing.B, bodySize int) {
	f := goStompMessage(bodySize)
	var buf bytes.Buffer
	w := gostomp.NewWriter(&buf)
	_ = w.Write(f)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		buf.Reset()
		if err := w.Write(f); err != nil {
			b.Fatal(err)
		}
	}
}
