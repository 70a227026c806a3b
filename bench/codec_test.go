package bench

import (
	"bytes"
	"io"
	"testing"

	gostomp "github.com/go-stomp/stomp/v3/frame"

	"github.com/stampede-mq/stampede/codec"
)

// message is the realistic MESSAGE of the comparison: 8 headers and a body
// of the given size.
func message(bodySize int) *codec.Frame {
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
	f := message(bodySize)
	g := gostomp.New(string(f.Command))
	for _, h := range f.Header {
		g.Header.Add(h.Key, h.Value)
	}
	g.Body = f.Body
	return g
}

// wire is many copies of the encoded message, as a socket delivers them.
func wire(b *testing.B, bodySize int) (one, many []byte) {
	one, err := codec.Marshal(codec.V12, message(bodySize))
	if err != nil {
		b.Fatal(err)
	}
	per := max(1, (256<<10)/len(one))
	return one, bytes.Repeat(one, per)
}

func benchDecodeStampede(b *testing.B, bodySize int) {
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

func benchDecodeGoStomp(b *testing.B, bodySize int) {
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

// BenchmarkDecode is scenario 1: decoding a MESSAGE, stampede vs go-stomp.
func BenchmarkDecode(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"256B", 256}, {"64KiB", 64 << 10}} {
		b.Run("lib=stampede/body="+size.name, func(b *testing.B) { benchDecodeStampede(b, size.n) })
		b.Run("lib=go-stomp/body="+size.name, func(b *testing.B) { benchDecodeGoStomp(b, size.n) })
	}
}

// BenchmarkEncode is scenario 1: encoding a MESSAGE into a reused buffer.
func BenchmarkEncode(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"256B", 256}, {"64KiB", 64 << 10}} {
		b.Run("lib=stampede/body="+size.name, func(b *testing.B) {
			f := message(size.n)
			enc := codec.Encoder{Version: codec.V12}
			buf, _ := enc.Append(nil, f)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				buf, _ = enc.Append(buf[:0], f)
			}
		})
		b.Run("lib=go-stomp/body="+size.name, func(b *testing.B) {
			f := goStompMessage(size.n)
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
		})
	}
}

var _ = io.Discard
