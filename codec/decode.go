package codec

import (
	"bytes"
	"fmt"
)

// Kind says what a call to [Decoder.Decode] produced.
type Kind uint8

const (
	// NeedMore: every byte given was consumed and no frame is complete yet.
	NeedMore Kind = iota
	// GotFrame: a complete frame was stored in the Frame argument.
	GotFrame
	// GotHeartBeat: one EOL between frames was read. On 1.1 and later it
	// is a heart-beat (CONF-3); the decoder does not report EOLs on 1.0.
	GotHeartBeat
)

type decodeState uint8

const (
	stateIdle      decodeState = iota // between frames: EOLs are heart-beats
	stateCR                           // between frames, after a CR
	stateHead                         // reading the command and header lines
	stateBody                         // reading a body of known length
	stateBodyToNUL                    // reading a body that ends at the first NUL
	stateTrailer                      // expecting the NUL after a known-length body
)

// DecoderOption configures a [Decoder].
type DecoderOption func(*Decoder)

// WithLimits sets the limits the decoder enforces (default [DefaultLimits]).
func WithLimits(l Limits) DecoderOption {
	return func(d *Decoder) {
		if l == (Limits{}) {
			d.lim = &defaultLimits
			return
		}
		l = l.withDefaults()
		d.lim = &l
	}
}

// WithArena makes the decoder take frame memory from a, which may be shared
// by decoders that run on the same goroutine. By default each decoder has
// its own.
func WithArena(a *Arena) DecoderOption { return func(d *Decoder) { d.arena = a } }

// WithVersion sets the version whose escaping rules apply from the start
// (default: none negotiated, which reads like 1.0).
func WithVersion(v Version) DecoderOption { return func(d *Decoder) { d.version = v } }

// Decoder reads STOMP frames incrementally. Feed it the bytes that arrived,
// in order, in pieces of any size; it consumes them, keeps partial frames
// across calls and reports frames and heart-beats one at a time.
//
// A Decoder is not safe for concurrent use: it belongs to the goroutine that
// reads the connection (an event loop). After an error it stays failed: the
// stream cannot be resynchronised and the connection must be closed.
type Decoder struct {
	lim     *Limits // shared by every decoder with the default limits
	arena   *Arena
	version Version
	err     error
	state   decodeState
	offset  int64 // bytes consumed since the decoder was made
	start   int64 // offset of the frame being read

	// A head split across calls is gathered in head. scan is where the
	// search for the next EOL resumes, lines the lines seen so far.
	head  []byte
	scan  int
	lines int

	// The frame being read once its head is parsed.
	frame Frame
	body  []byte // known length: allocated at full size; else grows
	got   int    // body bytes filled (known length)
	clen  int    // the known length
}

// NewDecoder returns a decoder with the given options.
func NewDecoder(opts ...DecoderOption) *Decoder {
	d := &Decoder{lim: &defaultLimits}
	for _, o := range opts {
		o(d)
	}
	if d.arena == nil {
		d.arena = new(Arena)
	}
	return d
}

// SetVersion switches the escaping rules, for the frames after the one that
// negotiated the version (a client calls it after CONNECTED, a server after
// CONNECT).
func (d *Decoder) SetVersion(v Version) { d.version = v }

// Version returns the version whose rules the decoder applies.
func (d *Decoder) Version() Version { return d.version }

// Offset returns the number of bytes consumed so far.
func (d *Decoder) Offset() int64 { return d.offset }

// Err returns the error that stopped the decoder, or nil.
func (d *Decoder) Err() error { return d.err }

// Buffered returns the number of bytes the decoder holds for a frame it has
// not finished.
func (d *Decoder) Buffered() int { return len(d.head) + len(d.body) }

// Decode consumes bytes from p until it completes one frame or one
// heart-beat, or runs out of input. It returns how many bytes it consumed and
// what it found; on [GotFrame] the frame is stored in *f. The caller passes
// the rest of p (p[n:]) in the next call; with [NeedMore], n == len(p).
//
// Decode keeps no reference to p: it copies what it needs.
func (d *Decoder) Decode(p []byte, f *Frame) (n int, k Kind, err error) {
	if d.err != nil {
		return 0, NeedMore, d.err
	}
	n, k, err = d.decode(p, f)
	d.offset += int64(n)
	if err != nil {
		d.fail(err)
		return n, NeedMore, d.err
	}
	return n, k, nil
}

func (d *Decoder) fail(err error) {
	se, ok := err.(*SyntaxError)
	if !ok {
		se = &SyntaxError{Err: err}
	}
	if se.Command == "" {
		se.Command = d.frame.Command
	}
	se.Offset = d.start
	d.err = se
	d.head, d.body, d.frame = nil, nil, Frame{}
}

func (d *Decoder) decode(p []byte, f *Frame) (int, Kind, error) {
	n := 0
	for n < len(p) {
		switch d.state {
		case stateIdle:
			switch p[n] {
			case '\n':
				n++
				if d.version != V10 {
					return n, GotHeartBeat, nil
				}
				continue
			case '\r':
				n++
				d.state = stateCR
				continue
			}
			d.start = d.offset + int64(n)
			m, done, err := d.readHead(p[n:])
			n += m
			if err != nil || !done {
				return n, NeedMore, err
			}
		case stateCR:
			if p[n] == '\n' {
				n++
				d.state = stateIdle
				if d.version != V10 {
					return n, GotHeartBeat, nil
				}
				continue
			}
			// A lone CR starts the command line: it is read as part of it.
			d.start = d.offset + int64(n) - 1
			d.head = append(d.head[:0], '\r')
			d.scan, d.lines = 0, 0
			d.state = stateHead
		case stateHead:
			m, done, err := d.continueHead(p[n:])
			n += m
			if err != nil || !done {
				return n, NeedMore, err
			}
		case stateBody:
			if d.body == nil { // a large body: allocated once its bytes are seen
				if rest := p[n:]; len(rest) >= d.clen {
					// All there: one copy into memory the runtime need not zero.
					d.body = append([]byte(nil), rest[:d.clen]...)
					d.got = d.clen
					n += d.clen
					d.state = stateTrailer
					continue
				}
				d.body = make([]byte, d.clen)
			}
			c := copy(d.body[d.got:], p[n:])
			d.got += c
			n += c
			if d.got == len(d.body) {
				d.state = stateTrailer
			}
		case stateTrailer:
			if p[n] != 0 {
				return n, NeedMore, fmt.Errorf("%w: content-length %d", ErrMissingNUL, len(d.body))
			}
			n++
			return n, GotFrame, d.finish(f, d.body)
		case stateBodyToNUL:
			rest := p[n:]
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				if err := d.checkBody(len(d.body) + len(rest)); err != nil {
					return n, NeedMore, err
				}
				d.body = append(d.body, rest...)
				return len(p), NeedMore, nil
			}
			if err := d.checkBody(len(d.body) + i); err != nil {
				return n, NeedMore, err
			}
			var body []byte
			if len(d.body) == 0 {
				body = d.arena.bytes(i)
				copy(body, rest[:i])
			} else {
				body = append(d.body, rest[:i]...)
			}
			n += i + 1
			return n, GotFrame, d.finish(f, body)
		}
	}
	return n, NeedMore, nil
}

func (d *Decoder) checkBody(size int) error {
	if size > d.lim.MaxBodySize {
		return fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, d.lim.MaxBodySize)
	}
	if d.headSize()+size+1 > d.lim.MaxFrameSize {
		return fmt.Errorf("%w: more than %d bytes", ErrFrameTooLarge, d.lim.MaxFrameSize)
	}
	if size > 0 && !d.frame.Command.HasBody() {
		return ErrUnexpectedBody
	}
	return nil
}

// headSize is the size of the current frame's head, known once it is parsed.
func (d *Decoder) headSize() int { return d.scan }

func (d *Decoder) finish(f *Frame, body []byte) error {
	if len(body) > 0 && !d.frame.Command.HasBody() {
		return ErrUnexpectedBody
	}
	*f = d.frame
	f.Body = body
	d.frame, d.body, d.got, d.clen = Frame{}, nil, 0, 0
	d.state = stateIdle
	if cap(d.head) > 4<<10 {
		d.head = nil // a huge head was an exception: do not keep its buffer
	}
	d.head = d.head[:0]
	return nil
}

// readHead starts a frame whose first byte is b[0]. When the whole head is in
// b it is parsed from there in one pass (the common case: nothing is copied
// but into the arena); otherwise what is there is gathered in d.head.
func (d *Decoder) readHead(b []byte) (int, bool, error) {
	n, err := d.parseHead(b)
	if err != nil || n > 0 {
		return n, n > 0, err
	}
	d.scan, d.lines = 0, 0
	if _, err := d.scanHead(b); err != nil {
		return 0, false, err
	}
	if len(b) > d.lim.maxHead() {
		b = b[:d.lim.maxHead()]
	}
	d.head = append(d.head[:0], b...)
	d.state = stateHead
	return len(b), false, nil
}

// continueHead adds b to a head gathered across calls.
func (d *Decoder) continueHead(b []byte) (int, bool, error) {
	room := d.lim.maxHead() - len(d.head)
	take := b
	if len(take) > room {
		take = take[:room]
	}
	before := len(d.head)
	d.head = append(d.head, take...)
	end, err := d.scanHead(d.head)
	if err != nil {
		return 0, false, err
	}
	if end < 0 {
		if len(d.head) >= d.lim.maxHead() {
			return len(take), false, fmt.Errorf("%w: head exceeds %d bytes", ErrFrameTooLarge, d.lim.maxHead())
		}
		return len(take), false, nil
	}
	used := end - before // bytes of b that belong to the head
	d.head = d.head[:end]
	_, err = d.parseHead(d.head)
	return used, true, err
}

// scanHead looks for the blank line that ends a head in b, resuming at
// d.scan. It returns the offset just past the blank line, or -1 when b holds
// no complete head. Line length, line count and frame size are checked as
// it goes, so an endless head is refused before it is buffered.
func (d *Decoder) scanHead(b []byte) (int, error) {
	for {
		i := bytes.IndexByte(b[d.scan:], '\n')
		if i < 0 {
			if len(b)-d.scan > d.lim.MaxHeaderLine+1 {
				return -1, fmt.Errorf("%w: more than %d bytes", ErrHeaderLineTooLong, d.lim.MaxHeaderLine)
			}
			if len(b) > d.lim.MaxFrameSize {
				return -1, fmt.Errorf("%w: more than %d bytes", ErrFrameTooLarge, d.lim.MaxFrameSize)
			}
			return -1, nil
		}
		lineLen := i
		if i > 0 && b[d.scan+i-1] == '\r' {
			lineLen--
		}
		if lineLen > d.lim.MaxHeaderLine {
			return -1, fmt.Errorf("%w: %d bytes", ErrHeaderLineTooLong, lineLen)
		}
		d.scan += i + 1
		if d.scan > d.lim.MaxFrameSize {
			return -1, fmt.Errorf("%w: more than %d bytes", ErrFrameTooLarge, d.lim.MaxFrameSize)
		}
		if lineLen == 0 && d.lines > 0 {
			return d.scan, nil
		}
		d.lines++
		if d.lines > d.lim.MaxHeaders+1 {
			return -1, fmt.Errorf("%w: more than %d", ErrTooManyHeaders, d.lim.MaxHeaders)
		}
	}
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

func trunc(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
