package codec

import (
	"bytes"
	"testing"
)

// benchMessage is a realistic MESSAGE: 8 headers and a 256-byte body,
// about 485 bytes on the wire.
func benchMessage(bodySize int) *Frame {
	return &Frame{
		Command: Message,
		Header: Header{
			{"destination", "/queue/orders.eu-west.priority"},
			{"message-id", "T_sub-0@@session-Wv6hR2Z1Hr2T5Jk0Lw@@1@@4711"},
			{"subscription", "sub-0"},
			{"ack", "T_sub-0@@session-Wv6hR2Z1Hr2T5Jk0Lw@@1@@4711"},
			{"content-type", "application/json"},
			{"persistent", "true"},
			{"priority", "4"},
			{"correlation-id", "c7d5e0a2-2bd8-4d3f-9b0e-1f1a2b3c4d5e"},
		},
		Body: bytes.Repeat([]byte("x"), bodySize),
	}
}

func benchDecode(b *testing.B, bodySize int) {
	wire, err := Marshal(V12, benchMessage(bodySize))
	if err != nil {
		b.Fatal(err)
	}
	// Many frames per buffer, as a socket read delivers them.
	per := max(1, (64<<10)/len(wire))
	buf := bytes.Repeat(wire, per)
	d := NewDecoder(WithVersion(V12))
	var f Frame
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		p := buf
		for len(p) > 0 && i < b.N {
			n, k, err := d.Decode(p, &f)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
			if k == GotFrame {
				i++
			}
		}
	}
}

func BenchmarkDecodeMessage256(b *testing.B) { benchDecode(b, 256) }
func BenchmarkDecodeMessage64K(b *testing.B) { benchDecode(b, 64<<10) }

func benchEncode(b *testing.B, bodySize int) {
	f := benchMessage(bodySize)
	enc := Encoder{Version: V12}
	buf, _ := enc.Append(nil, f)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var err error
		if buf, err = enc.Append(buf[:0], f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeMessage256(b *testing.B) { benchEncode(b, 256) }
func BenchmarkEncodeMessage64K(b *testing.B) { benchEncode(b, 64<<10) }

// BenchmarkEncodeEscaped12 encodes header values that need escaping.
func BenchmarkEncodeEscaped12(b *testing.B) {
	f := benchMessage(256)
	f.Header = append(f.Header, Field{"x-path", `C:\data\in:box`}, Field{"x-multi", "a\nb\nc"})
	buf, _ := Marshal(V12, f)
	b.ReportAllocs()
	for range b.N {
		buf, _ = AppendFrame(buf[:0], V12, f)
	}
}

// TestEncodeAllocatesNothing holds the encoder to its promise.
func TestEncodeAllocatesNothing(t *testing.T) {
	f := benchMessage(256)
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf, _ = AppendFrame(buf[:0], V12, f) }); n != 0 {
		t.Fatalf("%v allocations per encode", n)
	}
}

// TestDecodeAllocatesAtMostOncePerFrame holds the decoder to its promise,
// amortised over many frames.
func TestDecodeAllocatesAtMostOncePerFrame(t *testing.T) {
	wire, _ := Marshal(V12, benchMessage(256))
	buf := bytes.Repeat(wire, 100)
	d := NewDecoder(WithVersion(V12))
	var f Frame
	n := testing.AllocsPerRun(20, func() {
		p := buf
		for len(p) > 0 {
			m, _, _ := d.Decode(p, &f)
			p = p[m:]
		}
	})
	if per := n / 100; per > 1 {
		t.Fatalf("%.2f allocations per frame", per)
	}
}
