package loop

import (
	"crypto/tls"
	"io"
	"net"

	"github.com/panjf2000/gnet/v2"
)

type gnetConn = gnet.Conn

// ServerTLS returns the layer of a connection accepted by a [Server] that
// speaks TLS: give it in the ConnConfig an AcceptFunc returns. The
// handshake runs on a goroutine of its own while the loop feeds it bytes;
// once it is done the connection continues on the loop like any other. A
// failed handshake closes the connection.
func ServerTLS(cfg *tls.Config) *TLSLayer {
	raw := &tlsTransport{handshake: true}
	raw.cond.L = &raw.mu
	return &TLSLayer{tc: tls.Server(raw, cfg), raw: raw}
}

// Attach starts the server handshake once the connection is open. Loop.
func (l *TLSLayer) Attach(c *Conn) {
	r := l.raw
	if !r.handshake {
		return
	}
	r.async = asyncAdapter{c.gc}
	go func() {
		err := l.tc.Handshake()
		r.mu.Lock()
		r.handshake = false
		r.onLoop = true
		r.mu.Unlock()
		if err != nil {
			c.fail(err)
			_ = c.gc.Close()
			return
		}
		// Decrypt what arrived while the handshake finished, through the
		// connection's layer: it may be a layer stacked on this one (a
		// WebSocket layer over TLS), which must see those bytes first.
		_ = c.Post(func() {
			if c.closing.Load() {
				return
			}
			if err := c.layer.Inbound(nil, c.gc, c.decodeFn); err != nil {
				c.fail(err)
				_ = c.gc.Close()
			}
			c.flush()
		})
	}()
}

type asyncAdapter struct{ gc gnet.Conn }

func (a asyncAdapter) AsyncWrite(buf []byte, cb func(gnetConn, error) error) error {
	return a.gc.AsyncWrite(buf, func(c gnet.Conn, err error) error {
		if cb != nil {
			return cb(c, err)
		}
		return nil
	})
}

func (t *tlsTransport) handshaking() bool {
	if t.cond.L == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.handshake
}

// feed hands ciphertext to the handshake goroutine. Loop.
func (t *tlsTransport) feed(in []byte, w RawWriter) {
	t.mu.Lock()
	t.in = append(t.in, in...)
	t.mu.Unlock()
	t.cond.Broadcast()
}

// stop ends a handshake that is still running (the connection closes).
func (t *tlsTransport) stop() {
	t.mu.Lock()
	t.eof = true
	t.mu.Unlock()
	t.cond.Broadcast()
}

// readBlocking serves the handshake goroutine.
func (t *tlsTransport) readBlocking(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.in) == 0 && !t.eof {
		t.cond.Wait()
	}
	if len(t.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, t.in)
	t.in = t.in[n:]
	return n, nil
}

// Detach stops a handshake still running when the connection ends. Loop.
func (l *TLSLayer) Detach() {
	if l.raw.handshaking() {
		l.raw.stop()
	}
}

// Attacher is implemented by layers that need their connection once it is
// open (Attach, called on the loop right after the handler's OnOpen) and a
// word when it ends (Detach, called on the loop before the handler's
// OnClose). A layer that wraps another passes both on.
type Attacher interface {
	Attach(c *Conn)
	Detach()
}

var (
	_ net.Conn = (*tlsTransport)(nil)
	_ Attacher = (*TLSLayer)(nil)
	_ Layer    = (*TLSLayer)(nil)
)
