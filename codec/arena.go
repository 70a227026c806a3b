package codec

import "unsafe"

// Arena hands out the memory of decoded frames in blocks, so that decoding a
// frame costs far less than one heap allocation on average.
//
// An Arena is not safe for concurrent use. Decoders that run on the same
// goroutine (the connections of one event loop) may share one, which keeps
// the memory of an idle connection small: a decoder holds no block of its
// own. A block stays alive while any frame carved from it is referenced.
// The zero value is ready to use.
type Arena struct {
	buf    []byte
	fields []Field
	grow   int // size of the next byte block
}

const (
	arenaMinBlock  = 1 << 10
	arenaMaxBlock  = 16 << 10
	arenaFieldsMax = 256
)

// bytes returns n bytes of fresh memory whose capacity is exactly n, so an
// append by the frame's owner reallocates instead of overwriting a
// neighbour.
func (a *Arena) bytes(n int) []byte {
	if n == 0 {
		return nil
	}
	if n > arenaMaxBlock/4 {
		return make([]byte, n)
	}
	if len(a.buf) < n {
		a.grow = min(max(a.grow*2, arenaMinBlock), arenaMaxBlock)
		a.buf = make([]byte, max(a.grow, n))
	}
	b := a.buf[:n:n]
	a.buf = a.buf[n:]
	return b
}

// fieldSlice returns a zero-length slice with capacity n.
func (a *Arena) fieldSlice(n int) []Field {
	if n == 0 {
		return nil
	}
	if n > arenaFieldsMax/4 {
		return make([]Field, 0, n)
	}
	if len(a.fields) < n {
		a.fields = make([]Field, arenaFieldsMax)
	}
	f := a.fields[:0:n]
	a.fields = a.fields[n:]
	return f
}

// str makes a string that shares b's memory. The caller guarantees that b
// is arena memory nobody writes to again (header bytes are written once,
// while decoding, before the string is made).
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
