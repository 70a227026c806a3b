package codec

import (
	"bytes"
	"fmt"
)

// span locates one header line inside a head: the name is [k0, k1) and the
// value [k1+1, end).
type span struct{ k0, k1, end int32 }

// inlineSpans header lines are tracked on the stack; more spill to the heap.
const inlineSpans = 32

// parseHead parses the head (command line, header lines, blank line) at the
// start of b in one pass. It returns the head's length, or 0 when b does not
// hold a complete head yet. Limits are checked line by line, before any
// memory is allocated; then the header lines are copied into the arena in
// one piece, unescaped in place, and the body's reading is set up.
func (d *Decoder) parseHead(b []byte) (int, error) {
	var stack [inlineSpans]span
	spans := stack[:0]
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(b) > d.lim.MaxHeaderLine+1 {
			return 0, fmt.Errorf("%w: command line of more than %d bytes", ErrHeaderLineTooLong, d.lim.MaxHeaderLine)
		}
		return 0, nil
	}
	cmdLine := trimCR(b[:i])
	if len(cmdLine) == 0 {
		return 0, ErrEmptyCommand
	}
	if len(cmdLine) > d.lim.MaxHeaderLine {
		return 0, fmt.Errorf("%w: command line of %d bytes", ErrHeaderLineTooLong, len(cmdLine))
	}
	cmd, known := lookupCommand(cmdLine)
	start := i + 1
	pos := start
	headLen := 0
	for {
		if pos > d.lim.maxHead() {
			return 0, &SyntaxError{Err: ErrFrameTooLarge, Command: cmd, Detail: fmt.Sprintf("head exceeds %d bytes", d.lim.maxHead())}
		}
		j := bytes.IndexByte(b[pos:], '\n')
		if j < 0 {
			if len(b)-pos > d.lim.MaxHeaderLine+1 {
				return 0, &SyntaxError{Err: ErrHeaderLineTooLong, Command: cmd, Detail: fmt.Sprintf("more than %d bytes", d.lim.MaxHeaderLine)}
			}
			return 0, nil
		}
		end := pos + j
		le := end
		if le > pos && b[le-1] == '\r' {
			le--
		}
		if le == pos {
			headLen = end + 1
			break
		}
		if le-pos > d.lim.MaxHeaderLine {
			return 0, &SyntaxError{Err: ErrHeaderLineTooLong, Command: cmd, Detail: fmt.Sprintf("%d bytes", le-pos)}
		}
		if len(spans) >= d.lim.MaxHeaders {
			return 0, &SyntaxError{Err: ErrTooManyHeaders, Command: cmd, Detail: fmt.Sprintf("more than %d", d.lim.MaxHeaders)}
		}
		c := bytes.IndexByte(b[pos:le], ':')
		if c < 0 {
			return 0, &SyntaxError{Err: ErrMalformedHeader, Command: cmd, Detail: fmt.Sprintf("%q", trunc(b[pos:le]))}
		}
		if c == 0 {
			return 0, &SyntaxError{Err: ErrEmptyHeaderName, Command: cmd}
		}
		spans = append(spans, span{int32(pos), int32(pos + c), int32(le)})
		pos = end + 1
	}
	if headLen > d.lim.MaxFrameSize {
		return 0, &SyntaxError{Err: ErrFrameTooLarge, Command: cmd, Detail: fmt.Sprintf("head of %d bytes", headLen)}
	}
	if !known {
		cmd = Command(cmdLine) // copies; unknown commands are rare
	}
	d.frame.Command = cmd
	d.scan = headLen
	return headLen, d.fillHeader(cmd, b[start:headLen], start, spans)
}

// fillHeader copies the header lines into the arena and makes the fields.
func (d *Decoder) fillHeader(cmd Command, lines []byte, base int, spans []span) error {
	mem := d.arena.bytes(len(lines))
	copy(mem, lines)
	d.frame.Header = d.arena.fieldSlice(len(spans))
	// One search decides whether anything needs unescaping at all.
	unesc := d.version >= V11 && cmd.escaped() && bytes.IndexByte(mem, '\\') >= 0
	clen := int64(-1)
	for _, sp := range spans {
		k := mem[int(sp.k0)-base : int(sp.k1)-base]
		v := mem[int(sp.k1)-base+1 : int(sp.end)-base]
		if unesc {
			var okk, okv bool
			k, okk = unescape(k, d.version)
			v, okv = unescape(v, d.version)
			if !okk || !okv {
				return &SyntaxError{Err: ErrBadEscape, Command: cmd, Header: string(trunc(mem[int(sp.k0)-base : int(sp.k1)-base]))}
			}
			if len(k) == 0 {
				return &SyntaxError{Err: ErrEmptyHeaderName, Command: cmd}
			}
		}
		key, val := str(k), str(v)
		if clen < 0 && len(key) == len(HdrContentLength) && key == HdrContentLength {
			n, err := parseContentLength(val)
			if err != nil {
				return &SyntaxError{Err: err, Command: cmd, Header: key}
			}
			clen = n
		}
		d.frame.Header = append(d.frame.Header, Field{key, val})
	}
	return d.startBody(cmd, clen)
}

// startBody sets up the reading of the body, checking its size first.
func (d *Decoder) startBody(cmd Command, clen int64) error {
	if clen < 0 {
		d.state = stateBodyToNUL
		return nil
	}
	if clen > int64(d.lim.MaxBodySize) {
		return &SyntaxError{Err: ErrBodyTooLarge, Command: cmd, Detail: fmt.Sprintf("content-length %d, limit %d", clen, d.lim.MaxBodySize)}
	}
	if err := d.checkBody(int(clen)); err != nil {
		return &SyntaxError{Err: err, Command: cmd, Header: HdrContentLength}
	}
	d.clen, d.got = int(clen), 0
	d.body = nil
	if clen <= arenaMaxBlock/4 {
		d.body = d.arena.bytes(int(clen))
	}
	d.state = stateBody
	if clen == 0 {
		d.state = stateTrailer
	}
	return nil
}
