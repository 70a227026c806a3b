package websocket

import (
	"bytes"

	"github.com/gobwas/ws"
)

// frameReader parses WebSocket frames from input that arrives in pieces of
// any size. It never blocks and never allocates on a length the peer
// declares: payload bytes are handed on as they arrive, so a STOMP frame
// may span any number of WebSocket frames and messages, and one message may
// hold several STOMP frames.
//
// States:
//
//	header  ── 2 bytes give the header's size (2..14); collect that many,
//	           parse them with ws.ReadHeaderBuffer, validate ──► payload
//	           (or straight to frame end for an empty payload)
//	payload ── data frames: unmask in place and pass each piece on;
//	           control frames: collect up to 125 bytes ──► frame end
//	frame end: control frames are handled whole (ping, pong, close);
//	           a data frame with FIN ends its message ──► header
//	closed  ── after a close frame or an error: input is ignored
//
// Control frames may come between the fragments of a message; they do
// not disturb the message's state.
type frameReader struct {
	masked bool  // frames must be masked (we are the server)
	max    int64 // bound on one message's payload

	state  readState
	hdr    [ws.MaxHeaderSize]byte
	hdrN   int
	need   int // size of the header being collected, once known
	tmp    [ws.MaxHeaderSize - 2]byte
	src    bytes.Reader
	h      ws.Header
	left   int64 // payload bytes still to come in this frame
	pos    int   // payload bytes seen in this frame (mask phase)
	inMsg  bool  // a fragmented data message is open
	msgLen int64
	ctrl   [ws.MaxControlFramePayloadSize]byte
	ctrlN  int
}

type readState uint8

const (
	readHeader readState = iota
	readPayload
	readClosed
)

// frameSink receives what a frameReader parses.
type frameSink interface {
	// data gets payload bytes of text, binary and continuation frames,
	// unmasked, in order. The slice is valid during the call.
	data(p []byte) error
	// control gets a whole ping, pong or close frame's payload, valid
	// during the call.
	control(op ws.OpCode, payload []byte) error
}

// feed parses in (unmasking it in place when frames are masked) and calls
// sink. An error stops the reader for good.
func (r *frameReader) feed(in []byte, sink frameSink) error {
	for len(in) > 0 {
		switch r.state {
		case readClosed:
			return nil
		case readHeader:
			n, done, err := r.collectHeader(in)
			in = in[n:]
			if err != nil {
				r.state = readClosed
				return err
			}
			if !done {
				return nil
			}
			if r.left == 0 {
				if err := r.endFrame(sink); err != nil {
					r.state = readClosed
					return err
				}
			}
		case readPayload:
			n := int(min(r.left, int64(len(in))))
			chunk := in[:n]
			in = in[n:]
			if r.h.Masked {
				ws.Cipher(chunk, r.h.Mask, r.pos)
			}
			r.pos += n
			r.left -= int64(n)
			if r.h.OpCode.IsControl() {
				r.ctrlN += copy(r.ctrl[r.ctrlN:], chunk)
			} else if err := sink.data(chunk); err != nil {
				r.state = readClosed
				return err
			}
			if r.left == 0 {
				if err := r.endFrame(sink); err != nil {
					r.state = readClosed
					return err
				}
			}
		}
	}
	return nil
}

// collectHeader takes header bytes from in. It reports how many it used and
// whether the header is complete (then r.h, r.left are set and the state is
// readPayload).
func (r *frameReader) collectHeader(in []byte) (int, bool, error) {
	used := 0
	if r.hdrN < 2 {
		k := copy(r.hdr[r.hdrN:2], in)
		r.hdrN += k
		used += k
		if r.hdrN < 2 {
			return used, false, nil
		}
		r.need = headerSize(r.hdr[1])
	}
	k := copy(r.hdr[r.hdrN:r.need], in[used:])
	r.hdrN += k
	used += k
	if r.hdrN < r.need {
		return used, false, nil
	}
	r.src.Reset(r.hdr[:r.need])
	h, err := ws.ReadHeaderBuffer(&r.src, r.tmp[:0])
	r.hdrN, r.need = 0, 0
	if err != nil {
		return used, false, protocolError("frame header: %v", err)
	}
	if err := r.check(h); err != nil {
		return used, false, err
	}
	r.h, r.left, r.pos, r.ctrlN = h, h.Length, 0, 0
	r.state = readPayload
	return used, true, nil
}

// headerSize is the size of a frame header whose second byte is b1.
func headerSize(b1 byte) int {
	n := 2
	if b1&0x80 != 0 {
		n += 4
	}
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	return n
}

// check validates a header against RFC 6455 and the message limit.
func (r *frameReader) check(h ws.Header) error {
	switch {
	case h.Rsv != 0:
		return protocolError("reserved bits set without an extension")
	case h.OpCode.IsReserved():
		return protocolError("reserved opcode %#x", byte(h.OpCode))
	case h.Masked != r.masked && r.masked:
		return protocolError("unmasked frame from a client")
	case h.Masked != r.masked:
		return protocolError("masked frame from a server")
	}
	if h.OpCode.IsControl() {
		if !h.Fin {
			return protocolError("fragmented control frame")
		}
		if h.Length > ws.MaxControlFramePayloadSize {
			return protocolError("control frame of %d bytes", h.Length)
		}
		return nil
	}
	switch {
	case h.OpCode == ws.OpContinuation && !r.inMsg:
		return protocolError("continuation frame outside a message")
	case h.OpCode != ws.OpContinuation && r.inMsg:
		return protocolError("new message inside a fragmented one")
	case h.OpCode != ws.OpContinuation:
		r.msgLen = 0
	}
	if h.Length > r.max-r.msgLen {
		return tooLarge(r.max)
	}
	r.msgLen += h.Length
	r.inMsg = !h.Fin
	return nil
}

// endFrame finishes the current frame.
func (r *frameReader) endFrame(sink frameSink) error {
	r.state = readHeader
	if r.h.OpCode.IsControl() {
		return sink.control(r.h.OpCode, r.ctrl[:r.ctrlN])
	}
	return nil
}

// close stops the reader: later input is ignored.
func (r *frameReader) close() { r.state = readClosed }
