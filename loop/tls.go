package loop

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// TLSLayer runs TLS on an event loop. The handshake happens with ordinary
// blocking I/O, on the dialing goroutine (clients) or on a short-lived
// goroutine (servers); afterwards the loop feeds ciphertext to crypto/tls
// and writes what it produces, and the connection needs no goroutine.
// Post-handshake messages (TLS 1.3 KeyUpdate, session tickets) and records
// of any size are handled by crypto/tls itself.
type TLSLayer struct {
	tc  *tls.Conn
	raw *tlsTransport
}

// tlsTransport is the net.Conn crypto/tls reads and writes. Before the
// connection is on a loop it passes through to the socket; on the loop its
// reads return the ciphertext the loop received, and "would block" when
// that is used up, and its writes go to the loop's writer.
type tlsTransport struct {
	nc     net.Conn
	onLoop bool
	in     []byte
	w      RawWriter

	// Server side, while the handshake runs on its own goroutine.
	mu        sync.Mutex
	cond      sync.Cond
	handshake bool // the handshake goroutine is running
	eof       bool
	async     asyncWriter
}

type asyncWriter interface {
	AsyncWrite(buf []byte, cb func(c gnetConn, err error) error) error
}

// errWouldBlock tells crypto/tls that no ciphertext is there yet. It is a
// temporary net.Error, which crypto/tls does not latch once the handshake
// is done.
type wouldBlock struct{}

func (wouldBlock) Error() string   { return "stampede: tls: no data yet" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

var errWouldBlock net.Error = wouldBlock{}

func (t *tlsTransport) Read(p []byte) (int, error) {
	if t.handshake {
		return t.readBlocking(p)
	}
	if !t.onLoop {
		return t.nc.Read(p)
	}
	if len(t.in) == 0 {
		return 0, errWouldBlock
	}
	n := copy(p, t.in)
	t.in = t.in[n:]
	return n, nil
}

func (t *tlsTransport) Write(p []byte) (int, error) {
	if t.handshake {
		buf := append([]byte(nil), p...)
		if err := t.async.AsyncWrite(buf, nil); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if !t.onLoop {
		return t.nc.Write(p)
	}
	if t.w == nil {
		return 0, errors.New("stampede: tls: write outside the event loop")
	}
	return t.w.Write(p)
}

func (t *tlsTransport) Close() error {
	if t.nc != nil && !t.onLoop {
		return t.nc.Close()
	}
	return nil
}

func (t *tlsTransport) LocalAddr() net.Addr {
	if t.nc != nil {
		return t.nc.LocalAddr()
	}
	return nil
}

func (t *tlsTransport) RemoteAddr() net.Addr {
	if t.nc != nil {
		return t.nc.RemoteAddr()
	}
	return nil
}

func (t *tlsTransport) SetDeadline(d time.Time) error {
	if t.nc != nil && !t.onLoop {
		return t.nc.SetDeadline(d)
	}
	return nil
}

func (t *tlsTransport) SetReadDeadline(d time.Time) error {
	if t.nc != nil && !t.onLoop {
		return t.nc.SetReadDeadline(d)
	}
	return nil
}

func (t *tlsTransport) SetWriteDeadline(d time.Time) error {
	if t.nc != nil && !t.onLoop {
		return t.nc.SetWriteDeadline(d)
	}
	return nil
}

// ClientTLS performs a client handshake over nc under ctx and returns the
// layer that continues on the event loop once nc is enrolled. Until then
// [TLSLayer.Conn] may be used for blocking I/O (a WebSocket upgrade over
// TLS does). Certificates are verified as cfg says; cfg must not be nil.
func ClientTLS(ctx context.Context, nc net.Conn, cfg *tls.Config) (*TLSLayer, error) {
	raw := &tlsTransport{nc: nc}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("stampede: tls handshake with %s: %w", nc.RemoteAddr(), err)
	}
	return &TLSLayer{tc: tc, raw: raw}, nil
}

// Conn returns the TLS connection, for blocking I/O before the socket is
// enrolled. Once it is on a loop, only the loop may use it, through the
// layer.
func (l *TLSLayer) Conn() *tls.Conn { return l.tc }

// ConnectionState returns the TLS state (version, cipher suite, peer
// certificates).
func (l *TLSLayer) ConnectionState() tls.ConnectionState { return l.tc.ConnectionState() }

var plainPool = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// Inbound decrypts what arrived. Loop.
func (l *TLSLayer) Inbound(in []byte, w RawWriter, deliver func([]byte) error) error {
	r := l.raw
	if r.handshaking() {
		r.feed(in, w)
		return nil
	}
	r.onLoop, r.w = true, w
	if len(in) > 0 {
		r.in = append(r.in, in...) // the loop reuses its read buffer
	}
	bp := plainPool.Get().(*[]byte)
	defer plainPool.Put(bp)
	for {
		n, err := l.tc.Read(*bp)
		if n > 0 {
			if derr := deliver((*bp)[:n]); derr != nil {
				return derr
			}
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return fmt.Errorf("stampede: tls: %w", err)
		}
		if n == 0 {
			break
		}
	}
	if len(r.in) == 0 {
		if cap(r.in) > 64<<10 {
			r.in = nil
		} else {
			r.in = r.in[:0]
		}
	}
	return nil
}

// Outbound encrypts p. Loop.
func (l *TLSLayer) Outbound(p []byte, w RawWriter) error {
	l.raw.onLoop, l.raw.w = true, w
	_, err := l.tc.Write(p)
	return err
}

// Close sends close_notify. Loop.
func (l *TLSLayer) Close(w RawWriter) {
	if l.raw.handshaking() {
		l.raw.stop()
		return
	}
	l.raw.onLoop, l.raw.w = true, w
	_ = l.tc.CloseWrite()
}
