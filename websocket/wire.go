package websocket

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// DefaultMaxMessage bounds an inbound WebSocket message (all its fragments)
// unless a configuration says otherwise. The STOMP decoder enforces its own
// frame limits on top.
const DefaultMaxMessage = 64 << 20

// wire is what client and server layers share: the frame reader, framing
// of outbound bytes, control frames, and stacking on an inner layer (TLS).
// Everything runs on the connection's event loop, one call at a time,
// except closeWith.
type wire struct {
	r        frameReader
	client   bool // mask outbound frames
	binary   bool // binary frames always (else text, binary when not UTF-8)
	fragment int  // split outbound messages into frames of this payload size
	inner    loop.Layer
	onPong   func(payload []byte)

	// Valid during an Inbound call.
	w       loop.RawWriter
	deliver func([]byte) error

	// consume takes application-level wire bytes (after the inner layer):
	// the frame reader, or the server's HTTP handshake first.
	consume   func([]byte) error
	fromInner func([]byte) error // w.consume, for the inner layer's deliver

	pending   []byte // wire bytes read during the handshake (client)
	closeSent bool
	protocol  string
	version   codec.Version

	hw  headerWriter
	iov [2][]byte

	closeMu     sync.Mutex
	closeCode   int
	closeReason string
}

func (c *wire) init(inner loop.Layer, consume func([]byte) error) {
	c.inner = inner
	c.consume = consume
	c.fromInner = func(p []byte) error { return c.consume(p) }
	if c.r.max <= 0 {
		c.r.max = DefaultMaxMessage
	}
}

// Protocol implements [Negotiated].
func (c *wire) Protocol() string { return c.protocol }

// Version implements [Negotiated].
func (c *wire) Version() codec.Version { return c.version }

func (c *wire) inbound(in []byte, w loop.RawWriter, deliver func([]byte) error) error {
	c.w, c.deliver = w, deliver
	defer func() { c.w, c.deliver = nil, nil }()
	if len(c.pending) > 0 {
		p := c.pending
		c.pending = nil
		if err := c.consume(p); err != nil {
			return err
		}
	}
	if c.inner != nil {
		return c.inner.Inbound(in, w, c.fromInner)
	}
	if len(in) == 0 {
		return nil
	}
	return c.consume(in)
}

// frames runs wire bytes through the frame reader; protocol errors are
// answered with a close frame before they end the connection.
func (c *wire) frames(p []byte) error {
	err := c.r.feed(p, c)
	if err == nil {
		return nil
	}
	switch {
	case isProtocolError(err):
		c.sendClose(statusProtocolError, "")
	case isTooLarge(err):
		c.sendClose(statusTooBig, "")
	}
	return err
}

// data implements frameSink.
func (c *wire) data(p []byte) error { return c.deliver(p) }

// control implements frameSink: ping gets a pong, close gets a close.
func (c *wire) control(op ws.OpCode, payload []byte) error {
	switch op {
	case ws.OpPing:
		if c.closeSent {
			return nil
		}
		return c.writeFrame(ws.OpPong, true, payload)
	case ws.OpPong:
		if c.onPong != nil {
			c.onPong(payload)
		}
		return nil
	}
	code, reason := ws.ParseCloseFrameData(payload)
	switch {
	case len(payload) == 1:
		return protocolError("close frame with a 1-byte payload")
	case len(payload) >= 2 && !validCloseCode(int(code)):
		return protocolError("close status %d", code)
	case !utf8.ValidString(reason):
		return protocolError("close reason is not UTF-8")
	}
	// Echo the status (RFC 6455 5.5.1); the write may fail once the peer
	// is gone, which changes nothing.
	c.sendClose(int(code), "")
	return &CloseError{Code: int(code), Reason: reason}
}

// validCloseCode reports whether a close frame may carry code (RFC 6455
// 7.4: 1000-1003, 1007-1014 and the registered and private ranges).
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// outbound frames p as one message (fragmented if asked) and writes it.
func (c *wire) outbound(p []byte, w loop.RawWriter) error {
	if c.closeSent {
		return ErrCloseSent
	}
	prev := c.w
	c.w = w
	defer func() { c.w = prev }()
	op := ws.OpBinary
	if !c.binary && utf8.Valid(p) {
		op = ws.OpText
	}
	for c.fragment > 0 && len(p) > c.fragment {
		if err := c.writeFrame(op, false, p[:c.fragment]); err != nil {
			return err
		}
		p = p[c.fragment:]
		op = ws.OpContinuation
	}
	return c.writeFrame(op, true, p)
}

// closeWith sets the status Close sends. Safe for concurrent use.
func (c *wire) closeWith(code int, reason string) error {
	if !validCloseCode(code) {
		return invalidConfig("close status %d", code)
	}
	if len(reason) > ws.MaxControlFramePayloadSize-2 || !utf8.ValidString(reason) {
		return invalidConfig("close reason must be UTF-8 of at most 123 bytes")
	}
	c.closeMu.Lock()
	c.closeCode, c.closeReason = code, reason
	c.closeMu.Unlock()
	return nil
}

// close says goodbye with a close frame (unless one was sent), then lets
// the inner layer say its own.
func (c *wire) close(w loop.RawWriter, upgraded bool) {
	prev := c.w
	c.w = w
	defer func() { c.w = prev }()
	if upgraded {
		c.closeMu.Lock()
		code, reason := c.closeCode, c.closeReason
		c.closeMu.Unlock()
		if code == 0 {
			code = statusNormal
		}
		c.sendClose(code, reason)
	}
	c.r.close()
	if c.inner != nil {
		c.inner.Close(w)
	}
}

// sendClose writes a close frame once; code 0 sends one without a status.
func (c *wire) sendClose(code int, reason string) {
	if c.closeSent || c.w == nil {
		return
	}
	var body [ws.MaxControlFramePayloadSize]byte
	n := 0
	if code != 0 {
		ws.PutCloseFrameBody(body[:], ws.StatusCode(code), reason)
		n = 2 + len(reason)
	}
	_ = c.writeFrame(ws.OpClose, true, body[:n])
	c.closeSent = true
}

var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

const maxPooledFrame = 64 << 10

// writeFrame writes one frame: masked by a client, through the inner
// layer when there is one. p is never modified (the loop may pass shared
// bytes, such as its heart-beat EOL).
func (c *wire) writeFrame(op ws.OpCode, fin bool, p []byte) error {
	h := ws.Header{Fin: fin, OpCode: op, Length: int64(len(p))}
	if c.client {
		h.Masked, h.Mask = true, ws.NewMask()
	}
	c.hw.n = 0
	if err := ws.WriteHeaderBuffer(&c.hw, h, c.hw.scratch[:]); err != nil {
		return fmt.Errorf("websocket: frame header: %w", err)
	}
	hdr := c.hw.buf[:c.hw.n]
	if !c.client && c.inner == nil {
		c.iov[0], c.iov[1] = hdr, p
		_, err := c.w.Writev(c.iov[:])
		c.iov[0], c.iov[1] = nil, nil
		return err
	}
	bp := framePool.Get().(*[]byte)
	b := append((*bp)[:0], hdr...)
	b = append(b, p...)
	if c.client {
		ws.Cipher(b[len(hdr):], h.Mask, 0)
	}
	var err error
	if c.inner != nil {
		err = c.inner.Outbound(b, c.w)
	} else {
		_, err = c.w.Write(b)
	}
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		framePool.Put(bp)
	}
	return err
}

// headerWriter receives ws.WriteHeaderBuffer's output without allocating.
type headerWriter struct {
	buf     [ws.MaxHeaderSize]byte
	scratch [ws.MaxHeaderSize]byte
	n       int
}

func (h *headerWriter) Write(p []byte) (int, error) {
	n := copy(h.buf[h.n:], p)
	h.n += n
	return n, nil
}

// send writes raw bytes on the wire: through the inner layer when there is
// one. Event loop, during a layer call.
func (c *wire) send(b []byte) error {
	if c.inner != nil {
		return c.inner.Outbound(b, c.w)
	}
	_, err := c.w.Write(b)
	return err
}
