package codec

import (
	"testing"
)

// result is everything a decoder produced from one input.
type result struct {
	frames     []*Frame
	heartbeats int
	err        error
}

// decodeChunks feeds the chunks in order and collects what comes out.
func decodeChunks(d *Decoder, chunks ...[]byte) result {
	var r result
	for _, c := range chunks {
		for len(c) > 0 {
			var f Frame
			n, k, err := d.Decode(c, &f)
			if err != nil {
				r.err = err
				return r
			}
			if n == 0 && k == NeedMore {
				panic("decoder made no progress")
			}
			c = c[n:]
			switch k {
			case GotFrame:
				r.frames = append(r.frames, f.Clone())
			case GotHeartBeat:
				r.heartbeats++
			}
		}
	}
	return r
}

// splits returns the ways the tests cut an input: whole, one byte at a
// time, and cut at every position in two.
func splits(in []byte) [][][]byte {
	out := [][][]byte{{in}}
	var bytewise [][]byte
	for i := range in {
		bytewise = append(bytewise, in[i:i+1])
	}
	out = append(out, bytewise)
	for i := 1; i < len(in); i++ {
		out = append(out, [][]byte{in[:i], in[i:]})
	}
	return out
}

// decodeEverySplit decodes in every way splits gives and fails the test if
// any of them disagrees with decoding the whole input.
func decodeEverySplit(t *testing.T, v Version, in string, opts ...DecoderOption) result {
	t.Helper()
	var first result
	for i, chunks := range splits([]byte(in)) {
		d := NewDecoder(append([]DecoderOption{WithVersion(v)}, opts...)...)
		r := decodeChunks(d, chunks...)
		if i == 0 {
			first = r
			continue
		}
		if !sameResult(first, r) {
			t.Fatalf("split %d of %q: got %+v, whole input gave %+v", i, in, describe(r), describe(first))
		}
	}
	return first
}

func sameResult(a, b result) bool {
	if a.heartbeats != b.heartbeats || len(a.frames) != len(b.frames) || (a.err == nil) != (b.err == nil) {
		return false
	}
	for i := range a.frames {
		if !sameFrame(a.frames[i], b.frames[i]) {
			return false
		}
	}
	return true
}

func sameFrame(a, b *Frame) bool {
	if a.Command != b.Command || len(a.Header) != len(b.Header) || string(a.Body) != string(b.Body) {
		return false
	}
	for i := range a.Header {
		if a.Header[i] != b.Header[i] {
			return false
		}
	}
	return true
}

func describe(r result) []string {
	var out []string
	for _, f := range r.frames {
		out = append(out, f.String()+" body="+string(f.Body))
	}
	if r.err != nil {
		out = append(out, "err="+r.err.Error())
	}
	return out
}
