package codec

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Encoder writes frames for one protocol version. It is a small value with
// no state: copy it freely and use it from any goroutine.
type Encoder struct {
	// Version selects the escaping rules. The zero value encodes as 1.0,
	// which is also how CONNECT is always encoded.
	Version Version
	// OmitContentLength leaves out the content-length header that SEND,
	// MESSAGE and ERROR frames otherwise carry (CONF-15). Some brokers read
	// a frame without one as a text message. A body containing NUL cannot
	// be sent this way.
	OmitContentLength bool
}

// Append appends the encoding of f to dst and returns the extended slice.
// On error dst is returned unchanged (to its original length) with an error
// wrapping [ErrUnencodable], [ErrEmptyHeaderName] or [ErrUnexpectedBody].
//
// The encoder owns the content-length header: a content-length in f.Header is
// never written; for SEND, MESSAGE and ERROR the byte length of the body is
// written instead, unless OmitContentLength is set.
//
// Append allocates nothing when dst has room.
func (e Encoder) Append(dst []byte, f *Frame) ([]byte, error) {
	start := len(dst)
	hasBody := f.Command.HasBody()
	if len(f.Body) > 0 && !hasBody {
		return dst, fmt.Errorf("%w: %s", ErrUnexpectedBody, strings.Clone(string(f.Command)))
	}
	if f.Command == "" {
		return dst, ErrEmptyCommand
	}
	dst = append(dst, f.Command...)
	dst = append(dst, '\n')
	escaped := e.Version >= V11 && f.Command.escaped()
	var ok bool
	for i := range f.Header {
		fl := &f.Header[i]
		if fl.Key == HdrContentLength {
			continue
		}
		if fl.Key == "" {
			return dst[:start], fmt.Errorf("%w (in %s frame)", ErrEmptyHeaderName, strings.Clone(string(f.Command)))
		}
		if dst, ok = appendEscaped(dst, fl.Key, e.Version, escaped, true); !ok {
			return dst[:start], unencodable(f.Command, fl.Key, e.Version)
		}
		dst = append(dst, ':')
		if dst, ok = appendEscaped(dst, fl.Value, e.Version, escaped, false); !ok {
			return dst[:start], unencodable(f.Command, fl.Key, e.Version)
		}
		dst = append(dst, '\n')
	}
	if hasBody {
		if !e.OmitContentLength {
			dst = append(dst, "content-length:"...)
			dst = strconv.AppendInt(dst, int64(len(f.Body)), 10)
			dst = append(dst, '\n')
		} else if bytes.IndexByte(f.Body, 0) >= 0 {
			return dst[:start], fmt.Errorf("%w: body contains NUL and content-length is omitted", ErrUnencodable)
		}
	}
	dst = append(dst, '\n')
	dst = append(dst, f.Body...)
	return append(dst, 0), nil
}

// unencodable builds the error; it copies what it keeps, so that the frame
// being encoded does not escape (callers encode frames on their stack).
func unencodable(cmd Command, key string, v Version) error {
	cmd, key = Command(strings.Clone(string(cmd))), strings.Clone(key)
	why := "CR or LF in a " + v.String() + " header"
	switch {
	case cmd == Connect || cmd == Connected || cmd == Stomp:
		why = "CR or LF (or ':' in a name) in an unescaped " + string(cmd) + " header"
	case v >= V11:
		why = "CR in a 1.1 header has no escape"
	case v < V11:
		why = "CR, LF or ':' in a name cannot be sent in STOMP 1.0"
	}
	return fmt.Errorf("%w (header %q): %s", ErrUnencodable, key, why)
}

// AppendFrame is Encoder{Version: v}.Append(dst, f).
func AppendFrame(dst []byte, v Version, f *Frame) ([]byte, error) {
	return Encoder{Version: v}.Append(dst, f)
}

// AppendHeartBeat appends one heart-beat: a single EOL (CONF-30).
func AppendHeartBeat(dst []byte) []byte { return append(dst, '\n') }

// Marshal returns the encoding of f in a new slice.
func Marshal(v Version, f *Frame) ([]byte, error) {
	return Encoder{Version: v}.Append(nil, f)
}

// MaxSize returns an upper bound of the bytes Append writes for f: Append
// into a buffer with that much room never reallocates.
func (e Encoder) MaxSize(f *Frame) int {
	n := len(f.Command) + 1 + 1 + len(f.Body) + 1
	for i := range f.Header {
		n += 2*(len(f.Header[i].Key)+len(f.Header[i].Value)) + 2 // escaping at most doubles
	}
	if f.Command.HasBody() && !e.OmitContentLength {
		n += len(HdrContentLength) + 1 + 20 + 1
	}
	return n
}
