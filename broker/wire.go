package broker

import (
	"sync/atomic"

	"github.com/stampede-mq/stampede/loop"
)

// wire is every broker connection's [loop.Layer]. For a plain TCP listener
// it passes bytes through; a TLS or WebSocket listener puts its own layer
// in inner. It exists for two reasons of the broker's own:
//
//   - it makes a connection silent when a fault hangs it: bytes in and out
//     are swallowed and the socket stays open.
//
// Its methods run on the connection's loop, except hung, which is atomic.
type wire struct {
	s     *session
	inner loop.Layer
	hung  atomic.Bool
}

// outboundBuffered is what gnet's connection tells of the bytes the socket
// has not taken yet.
type outboundBuffered interface{ OutboundBuffered() int }

// Inbound implements loop.Layer.
func (w *wire) Inbound(in []byte, rw loop.RawWriter, deliver func([]byte) error) error {
	if w.hung.Load() {
		return nil
	}
	if w.inner != nil {
		return w.inner.Inbound(in, rw, deliver)
	}
	if len(in) == 0 {
		return nil
	}
	return deliver(in)
}

// Attach passes the connection on to an inner layer that needs it (a TLS
// layer starts its server handshake there).
func (w *wire) Attach(c *loop.Conn) {
	if a, ok := w.inner.(loop.Attacher); ok {
		a.Attach(c)
	}
}

// Detach passes the end of the connection on to the inner layer.
func (w *wire) Detach() {
	if a, ok := w.inner.(loop.Attacher); ok {
		a.Detach()
	}
}

// Outbound implements loop.Layer. Write errors are the socket's: gnet
// closes the connection on its own, as it does without a layer.
//
// When the session is blocked and the socket took everything, deliveries
// may resume at once rather than at the next tick of the drain timer: the
// loop is the first to know that a client caught up.
func (w *wire) Outbound(p []byte, rw loop.RawWriter) error {
	if w.hung.Load() {
		return nil
	}
	var err error
	if w.inner != nil {
		err = w.inner.Outbound(p, rw)
	} else {
		_, _ = rw.Write(p)
	}
	if w.s.blocked.Load() {
		if ob, ok := rw.(outboundBuffered); ok && ob.OutboundBuffered() == 0 {
			_ = w.s.c.Post(w.s.unblock)
		}
	}
	return err
}

// Close implements loop.Layer.
func (w *wire) Close(rw loop.RawWriter) {
	if w.inner != nil && !w.hung.Load() {
		w.inner.Close(rw)
	}
}
