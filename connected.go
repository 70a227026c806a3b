package stampede

import (
	"strings"

	"github.com/stampede-mq/stampede/codec"
)

// A session keeps its CONNECTED frame for as long as it lives, so on an idle
// connection the frame is a good part of the memory. It is kept packed in
// one string: each header as key NUL value NUL, a NUL where the next key
// would start, then the body. CONNECTED is never escaped, a NUL in it would
// have ended the frame, and a header name is never empty (CONF-4), so the
// packing is unambiguous. About 80 bytes instead of about 270 for a frame
// with its header slice.

// packConnected packs f's header and body. The result is never empty.
func packConnected(f *codec.Frame) string {
	n := 1 + len(f.Body)
	for _, fl := range f.Header {
		n += len(fl.Key) + len(fl.Value) + 2
	}
	var b strings.Builder
	b.Grow(n)
	for _, fl := range f.Header {
		b.WriteString(fl.Key)
		b.WriteByte(0)
		b.WriteString(fl.Value)
		b.WriteByte(0)
	}
	b.WriteByte(0)
	b.Write(f.Body)
	return b.String()
}

// connectedHeader returns the first value of key in a packed CONNECTED.
func connectedHeader(p, key string) string {
	for p != "" && p[0] != 0 {
		k, rest, _ := strings.Cut(p, "\x00")
		v, rest, _ := strings.Cut(rest, "\x00")
		if k == key {
			return v
		}
		p = rest
	}
	return ""
}

// unpackConnected rebuilds the frame from its packed form; nil for "".
func unpackConnected(p string) *codec.Frame {
	if p == "" {
		return nil
	}
	f := &codec.Frame{Command: codec.Connected}
	for p != "" && p[0] != 0 {
		k, rest, _ := strings.Cut(p, "\x00")
		v, rest, _ := strings.Cut(rest, "\x00")
		f.Header = append(f.Header, codec.Field{Key: k, Value: v})
		p = rest
	}
	if len(p) > 1 {
		f.Body = []byte(p[1:])
	}
	return f
}
