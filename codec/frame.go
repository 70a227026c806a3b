package codec

import (
	"fmt"
	"math"
	"mime"
	"strconv"
	"strings"
)

// Frame is one STOMP frame.
//
// A Frame returned by a [Decoder] owns its memory: the header strings and the
// body stay valid after later calls to the decoder, and the body may be
// modified. Frames from one decoder share backing memory in blocks of a few
// KiB, so a program that keeps a small part of a great many frames for a long
// time should keep a [Frame.Clone] instead.
type Frame struct {
	Command Command
	Header  Header
	Body    []byte
}

// New returns a frame with the given command and header lines given as
// alternating names and values: New(Send, "destination", "/queue/a").
// It panics on an odd number of strings, which is a programming error.
func New(cmd Command, kv ...string) *Frame {
	if len(kv)%2 != 0 {
		panic("codec.New: odd number of header strings")
	}
	f := &Frame{Command: cmd, Header: make(Header, 0, len(kv)/2)}
	for i := 0; i < len(kv); i += 2 {
		f.Header = append(f.Header, Field{kv[i], kv[i+1]})
	}
	return f
}

// Clone returns a deep copy of f, in three allocations: the frame, its
// header lines, and one block for every header string and the body.
func (f *Frame) Clone() *Frame {
	c := &Frame{}
	f.CloneInto(c)
	return c
}

// CloneInto makes dst a deep copy of f (see [Frame.Clone]); dst may be a
// value embedded in a longer-lived struct.
func (f *Frame) CloneInto(dst *Frame) {
	n := len(f.Body)
	for _, fl := range f.Header {
		n += len(fl.Key) + len(fl.Value)
	}
	buf := make([]byte, 0, n)
	take := func(s string) string {
		if s == "" {
			return ""
		}
		start := len(buf)
		buf = append(buf, s...)
		return str(buf[start:len(buf):len(buf)]) // written once, never again
	}
	*dst = Frame{Command: f.Command}
	if f.Header != nil {
		dst.Header = make(Header, len(f.Header))
		for i, fl := range f.Header {
			dst.Header[i] = Field{take(fl.Key), take(fl.Value)}
		}
	}
	if f.Body != nil {
		start := len(buf)
		buf = append(buf, f.Body...)
		dst.Body = buf[start:len(buf):len(buf)]
	}
}

// ContentLength returns the content-length header as a number, whether it is
// present, and an error when it is present but not a non-negative decimal.
func (f *Frame) ContentLength() (int64, bool, error) {
	s, ok := f.Header.Lookup(HdrContentLength)
	if !ok {
		return 0, false, nil
	}
	n, err := parseContentLength(s)
	return n, true, err
}

// ContentType describes a body's media type: the content-type header parsed.
type ContentType struct {
	// MediaType is the lower-cased type and subtype ("text/plain"); empty
	// when the frame has no content-type header.
	MediaType string
	// Charset is the charset parameter, or "utf-8" for a text type without
	// one, or "" for a binary body.
	Charset string
}

// Text reports whether the body is text (CONF-17): a text/* type, or any
// type with a charset parameter. No content-type means binary.
func (t ContentType) Text() bool { return t.Charset != "" }

// ContentType parses the frame's content-type header (CONF-17). A missing
// header is a binary body; a text type without charset is UTF-8.
func (f *Frame) ContentType() (ContentType, error) {
	s := f.Header.Get(HdrContentType)
	if s == "" {
		return ContentType{}, nil
	}
	mt, params, err := mime.ParseMediaType(s)
	if err != nil {
		return ContentType{}, fmt.Errorf("codec: content-type %q: %w", s, err)
	}
	ct := ContentType{MediaType: mt, Charset: strings.ToLower(params["charset"])}
	if ct.Charset == "" && (strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml") {
		ct.Charset = "utf-8"
	}
	return ct, nil
}

// String renders the frame for people: the command, the header lines, and
// the body length. It never prints the value of a passcode header.
func (f *Frame) String() string {
	var b strings.Builder
	b.WriteString(string(f.Command))
	for _, fl := range f.Header {
		b.WriteByte(' ')
		b.WriteString(fl.Key)
		b.WriteByte(':')
		if fl.Key == HdrPasscode {
			b.WriteString("****")
		} else {
			b.WriteString(strconv.Quote(fl.Value))
		}
	}
	if len(f.Body) > 0 {
		fmt.Fprintf(&b, " body:%dB", len(f.Body))
	}
	return b.String()
}

func parseContentLength(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrBadContentLength)
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q", ErrBadContentLength, s)
		}
		if n > math.MaxInt64/10-1 {
			n = math.MaxInt64 // saturate: far beyond any limit, and no overflow
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}
