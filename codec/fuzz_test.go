package codec

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes, cut in two at an arbitrary point, and
// checks that the decoder neither panics nor holds more than its limits.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"MESSAGE\ndestination:/q\ncontent-length:3\n\nabc\x00\n",
		"CONNECTED\r\nversion:1.2\r\nheart-beat:0,0\r\n\r\n\x00",
		"ERROR\nmessage:bad\\c\n\nboom\x00",
		"\n\n\r\nRECEIPT\nreceipt-id:7\n\n\x00",
		"MESSAGE\ncontent-length:4294967296\n\n",
		"SEND\nk:\\t\n\n\x00",
	} {
		f.Add([]byte(s), uint16(3), uint8(12))
	}
	lim := Limits{MaxFrameSize: 64 << 10, MaxHeaders: 32, MaxHeaderLine: 1 << 10}.withDefaults()
	f.Fuzz(func(t *testing.T, data []byte, cut uint16, v uint8) {
		ver := Versions[int(v)%len(Versions)]
		d := NewDecoder(WithVersion(ver), WithLimits(lim))
		c := min(int(cut), len(data))
		for _, chunk := range [][]byte{data[:c], data[c:]} {
			for len(chunk) > 0 {
				var fr Frame
				n, k, err := d.Decode(chunk, &fr)
				if err != nil {
					var se *SyntaxError
					if !errors.As(err, &se) {
						t.Fatalf("untyped error %T %v", err, err)
					}
					return
				}
				if n == 0 {
					t.Fatal("no progress")
				}
				if k == GotFrame && len(fr.Body) > lim.MaxBodySize {
					t.Fatalf("body of %d bytes beyond the limit", len(fr.Body))
				}
				if d.Buffered() > lim.MaxFrameSize {
					t.Fatalf("%d bytes buffered beyond the limit", d.Buffered())
				}
				chunk = chunk[n:]
			}
		}
	})
}

var fuzzCommands = []Command{Connect, Stomp, Send, Subscribe, Unsubscribe, Ack, Nack, Begin, Commit, Abort, Disconnect, Connected, Message, Receipt, Error}

// FuzzRoundTrip encodes an arbitrary frame in every version and checks that
// decoding gives back exactly what went in, or that encoding refused it with
// a typed error.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(2), "destination", "/queue/a", "k", "a:b\\c\nd\re", []byte("body\x00with NUL"), false)
	f.Add(uint8(0), "passcode", `pa:ss\w`, "login", "me", []byte(nil), false)
	f.Add(uint8(12), "x", "", "y", "z", []byte("no length"), true)
	f.Fuzz(func(t *testing.T, cmd uint8, k1, v1, k2, v2 string, body []byte, omit bool) {
		c := fuzzCommands[int(cmd)%len(fuzzCommands)]
		in := &Frame{Command: c, Header: Header{{k1, v1}, {k2, v2}}}
		if c.HasBody() {
			in.Body = body
		}
		for _, v := range Versions {
			enc := Encoder{Version: v, OmitContentLength: omit}
			b, err := enc.Append(nil, in)
			if err != nil {
				if !errors.Is(err, ErrUnencodable) && !errors.Is(err, ErrEmptyHeaderName) {
					t.Fatalf("%v: untyped encode error %v", v, err)
				}
				continue
			}
			out, err := Unmarshal(b, v)
			if err != nil {
				t.Fatalf("%v: %q does not decode: %v", v, b, err)
			}
			want := Header{}
			for _, fl := range in.Header {
				if fl.Key != HdrContentLength {
					want = append(want, fl)
				}
			}
			got := Header{}
			for _, fl := range out.Header {
				if fl.Key != HdrContentLength || !c.HasBody() {
					got = append(got, fl)
				}
			}
			if out.Command != c || !bytes.Equal(out.Body, in.Body) || len(got) != len(want) {
				t.Fatalf("%v: %v -> %q -> %v", v, in, b, out)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v: header %d: %q != %q (wire %q)", v, i, got[i], want[i], b)
				}
			}
		}
	})
}
