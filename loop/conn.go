package loop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/stampede-mq/stampede/codec"
)

// Conn is one connection driven by an event loop: a socket, an optional
// [Layer], a decoder and a bounded outbox.
//
// Methods say whether they are safe for concurrent use; those that are not
// must be called on the connection's loop (from a [Handler] method or a
// function given to [Conn.Post]).
type Conn struct {
	rt    *reactor
	gc    gnet.Conn
	h     Handler
	id    uint64
	layer Layer
	pre   *preOpen // what only OnOpen needs; nil for most connections, and after OnOpen
	local net.Addr
	peer  net.Addr

	// Loop-owned.
	dec         *codec.Decoder
	lastRead    int64 // reactor clock, nanoseconds
	lastWrite   int64
	hb          heartbeat
	decodeFn    func([]byte) error // c.decode, bound once
	linger      time.Duration      // how long a graceful close waits for the peer to take what is queued
	lingerUntil int64              // reactor clock; non-zero while a graceful close waits
	pl          *perLoop           // what the connections of this loop share

	out outbox

	cause    atomic.Pointer[error]
	doneMu   sync.Mutex
	done     chan struct{} // closed after OnClose ran; made on first use
	finished bool          // OnClose ran
	opened   bool          // loop-owned
	gone     bool          // loop-owned: OnClose ran, gc must not be used again (its fd may be reused)
	closing  atomic.Bool
}

// preOpen holds the settings a connection needs only until OnOpen.
type preOpen struct {
	leftover []byte       // bytes that arrived before OnOpen (layer leftovers)
	limits   codec.Limits // the decoder's; zero: the defaults
}

// ID returns a number unique among the connections of the process.
// Safe for concurrent use.
func (c *Conn) ID() uint64 { return c.id }

// LocalAddr returns the local address. Safe for concurrent use.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the peer's address. Safe for concurrent use.
func (c *Conn) RemoteAddr() net.Addr { return c.peer }

// Decoder returns the connection's decoder, to switch its version after a
// negotiation. Loop only.
func (c *Conn) Decoder() *codec.Decoder { return c.dec }

// Done is closed once the connection is closed and its handler's OnClose
// has returned. Safe for concurrent use.
func (c *Conn) Done() <-chan struct{} {
	c.doneMu.Lock()
	defer c.doneMu.Unlock()
	if c.done == nil { // made on first use: most connections are never waited for
		c.done = make(chan struct{})
		if c.finished {
			close(c.done)
		}
	}
	return c.done
}

// Err returns why the connection closed, once Done is closed (nil for a
// plain local Close). Safe for concurrent use.
func (c *Conn) Err() error {
	if p := c.cause.Load(); p != nil {
		return *p
	}
	return nil
}

// Closed reports whether Close was called or the connection ended.
// Safe for concurrent use.
func (c *Conn) Closed() bool { return c.closing.Load() }

// Post runs fn on the connection's loop. It fails with [ErrClosed] once the
// engine stops. fn runs even if the connection closes in between: it should
// check [Conn.Closed]. Safe for concurrent use.
func (c *Conn) Post(fn func()) error {
	err := c.gc.EventLoop().Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
		fn()
		return nil
	}))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return nil
}

// Close flushes what the outbox holds, lets the layer say goodbye and
// closes the connection. cause (may be nil) is what OnClose and Err report;
// the first cause given wins. Close returns at once; wait on Done to know
// the connection is gone. Safe for concurrent use.
func (c *Conn) Close(cause error) {
	c.setCause(cause)
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	c.out.shut(c.closeErr())
	if c.Post(func() { c.closeOnLoop(true) }) != nil {
		_ = c.gc.Close()
	}
}

// Abort closes the connection at once, without flushing, with a TCP reset
// (SO_LINGER 0) when rst is true, else with a FIN. For fault injection and
// for peers that misbehave. Safe for concurrent use.
func (c *Conn) Abort(cause error, rst bool) {
	c.setCause(cause)
	c.closing.Store(true)
	c.out.shut(c.closeErr())
	if c.Post(func() {
		if c.gone {
			return // closed already: its descriptor may be another socket's now
		}
		if rst {
			_ = c.gc.SetLinger(0)
		}
		_ = c.gc.Close()
	}) != nil {
		_ = c.gc.Close()
	}
}

func (c *Conn) setCause(err error) {
	if err != nil {
		c.cause.CompareAndSwap(nil, &err)
	}
}

func (c *Conn) closeErr() error {
	if err := c.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return ErrClosed
}

// closeOnLoop flushes and closes on the loop. Gracefully, with a linger,
// the socket stays open until the peer took every byte queued for it (or
// the linger is over): closing with bytes in the loop's buffer would drop
// them.
func (c *Conn) closeOnLoop(graceful bool) {
	if c.gone {
		// gnet closed it meanwhile (the peer went away): its descriptor
		// number may already belong to a new socket, which a goodbye
		// written now would corrupt.
		return
	}
	if graceful {
		c.flush()
		if c.layer != nil {
			c.layer.Close(c.gc)
		}
		if c.linger > 0 && c.gc.OutboundBuffered() > 0 && c.lingerUntil == 0 {
			c.lingerUntil = c.rt.now() + int64(c.linger)
			c.hb.watchDrain(c)
			return
		}
	}
	_ = c.gc.Close()
}

// onTraffic reads what arrived, runs it through the layer and the decoder,
// then flushes what was written meanwhile. Loop only.
func (c *Conn) onTraffic() gnet.Action {
	buf, _ := c.gc.Next(-1)
	if len(buf) > 0 && !c.closing.Load() {
		c.lastRead = c.rt.now()
		var err error
		if c.layer != nil {
			err = c.layer.Inbound(buf, c.gc, c.decodeFn)
		} else {
			err = c.decode(buf)
		}
		if err != nil {
			var se *codec.SyntaxError
			if h, ok := c.h.(DecodeErrorHandler); ok && errors.As(err, &se) {
				// The handler may answer (an ERROR frame) before the
				// connection closes; what it writes is flushed.
				h.OnDecodeError(c, se)
				c.fail(err)
				c.closeOnLoop(true)
				return gnet.None
			}
			c.fail(err)
			return gnet.Close
		}
	}
	c.flush()
	return gnet.None
}

// decode feeds p to the decoder and dispatches what comes out.
func (c *Conn) decode(p []byte) error {
	for len(p) > 0 && !c.closing.Load() {
		f := &c.pl.frame // one scratch frame per loop: OnFrame copies what it keeps
		n, k, err := c.dec.Decode(p, f)
		if err != nil {
			return err
		}
		p = p[n:]
		switch k {
		case codec.GotFrame:
			c.h.OnFrame(c, f)
			*f = codec.Frame{}
		case codec.GotHeartBeat:
			c.h.OnHeartBeat(c)
		}
	}
	return nil
}

// Feed processes bytes as if they had arrived from the socket, after the
// layer. Layers use it for bytes they got during a handshake. Loop only.
func (c *Conn) Feed(p []byte) {
	if err := c.decode(p); err != nil {
		c.fail(err)
		_ = c.gc.Close()
	}
}

func (c *Conn) fail(err error) {
	c.setCause(err)
	c.closing.Store(true)
	c.out.shut(c.closeErr())
}

// onClose runs when gnet closed the socket, on the loop.
func (c *Conn) onClose(err error) {
	if err != nil && !errors.Is(err, io.EOF) {
		c.setCause(err)
	} else if err != nil {
		c.setCause(io.EOF)
	}
	c.closing.Store(true)
	c.gone = true
	c.hb.stop()
	if a, ok := c.layer.(Attacher); ok {
		a.Detach()
	}
	c.out.shut(c.closeErr())
	c.out.release()
	c.h.OnClose(c, c.Err())
	c.doneMu.Lock()
	c.finished = true
	if c.done != nil {
		close(c.done)
	}
	c.doneMu.Unlock()
}

// SetHeartBeat starts (or changes) heart-beating: an EOL is written when
// nothing else was written for send, and the connection closes with
// [ErrHeartbeatTimeout] when nothing at all arrived for receive. Zero
// disables a direction. Loop only.
func (c *Conn) SetHeartBeat(send, receive time.Duration) {
	c.hb.start(c, send, receive)
}
