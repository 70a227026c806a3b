package loop

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/stampede-mq/stampede/codec"
)

// reactor is what an Engine and a Server share with their connections: the
// wheel, the clock, the defaults, and the gnet event handler.
type reactor struct {
	gnet.BuiltinEventEngine
	wheel *Wheel
	base  time.Time
	log   *slog.Logger
	loops loopSet
	conns atomic.Int64
	// accept makes a connection's handler and settings for connections a
	// listener accepted; nil for a client engine.
	accept func(gc gnet.Conn) (*Conn, error)
}

var connIDs atomic.Uint64

// now is the reactor's monotonic clock in nanoseconds.
func (r *reactor) now() int64 { return int64(time.Since(r.base)) }

// ConnConfig is what a connection needs besides its socket.
type ConnConfig struct {
	// Handler receives the connection's events. Required.
	Handler Handler
	// Layer sits between socket and codec (TLS, WebSocket); nil for none.
	Layer Layer
	// Leftover holds application bytes that arrived during a handshake,
	// after the layer; they are decoded right after OnOpen.
	Leftover []byte
	// Limits bound what the decoder accepts (default codec.DefaultLimits).
	Limits codec.Limits
	// HighWater is the outbox's high-water mark in bytes (default 4 MiB).
	HighWater int
	// Linger is how long a graceful close (Close, or after a decoding
	// error answered by a DecodeErrorHandler) keeps the socket open for
	// the peer to take the bytes queued for it. Zero closes at once, which
	// may drop what a slow peer has not read yet.
	Linger time.Duration
}

// check reports a configuration no connection can run with.
func (cfg *ConnConfig) check() error {
	if cfg.Handler == nil {
		return fmt.Errorf("%w: ConnConfig.Handler is nil", ErrInvalidOption)
	}
	return nil
}

// DefaultHighWater is the default high-water mark of a connection's outbox.
const DefaultHighWater = 4 << 20

// newConn makes a connection that is attached to its socket in OnOpen.
func (r *reactor) newConn(cfg ConnConfig) *Conn {
	c := &Conn{
		rt: r,
		h:  cfg.Handler,

		id:    connIDs.Add(1),
		layer: cfg.Layer,
	}
	c.linger = cfg.Linger
	if len(cfg.Leftover) > 0 || cfg.Limits != (codec.Limits{}) {
		c.pre = &preOpen{leftover: cfg.Leftover, limits: cfg.Limits}
	}
	c.out.hwm = cfg.HighWater
	if c.out.hwm <= 0 {
		c.out.hwm = DefaultHighWater
	}
	return c
}

// OnOpen implements gnet.EventHandler.
func (r *reactor) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	c, _ := gc.Context().(*Conn)
	if c == nil && r.accept != nil {
		var err error
		if c, err = r.accept(gc); err != nil || c == nil {
			return nil, gnet.Close
		}
		gc.SetContext(c)
	}
	if c == nil {
		return nil, gnet.Close
	}
	c.gc = gc
	c.decodeFn = c.decode
	c.pl = r.loops.get(gc.EventLoop())
	pre := c.pre
	c.pre = nil
	if pre != nil && pre.limits != (codec.Limits{}) {
		c.dec = codec.NewDecoder(codec.WithLimits(pre.limits), codec.WithArena(&c.pl.arena))
	} else {
		c.dec = codec.NewDecoder(codec.WithArena(&c.pl.arena))
	}
	c.local, c.peer = gc.LocalAddr(), gc.RemoteAddr()
	c.opened = true
	c.lastRead, c.lastWrite = r.now(), r.now()
	r.conns.Add(1)
	c.h.OnOpen(c)
	if a, ok := c.layer.(Attacher); ok {
		a.Attach(c)
	}
	if c.layer != nil {
		// Let the layer hand over what it buffered during its handshake.
		if err := c.layer.Inbound(nil, gc, c.decodeFn); err != nil {
			c.fail(err)
			return nil, gnet.Close
		}
	}
	if pre != nil && len(pre.leftover) > 0 {
		c.Feed(pre.leftover)
	}
	c.flush()
	return nil, gnet.None
}

// OnTraffic implements gnet.EventHandler.
func (r *reactor) OnTraffic(gc gnet.Conn) gnet.Action {
	c, _ := gc.Context().(*Conn)
	if c == nil {
		return gnet.Close
	}
	return c.onTraffic()
}

// OnClose implements gnet.EventHandler.
func (r *reactor) OnClose(gc gnet.Conn, err error) gnet.Action {
	c, _ := gc.Context().(*Conn)
	if c == nil || !c.opened {
		return gnet.None
	}
	r.conns.Add(-1)
	c.onClose(err)
	return gnet.None
}

// loopSet holds what the connections of one event loop share. gnet runs
// each loop on one goroutine, so loop-only parts need no lock.
type loopSet struct {
	m atomic.Pointer[map[gnet.EventLoop]*perLoop]
}

// perLoop is one event loop's shared state: the decoding arena (loop only)
// and the list of connections with bytes to write, flushed by one task per
// batch instead of one wake-up per connection.
type perLoop struct {
	el     gnet.EventLoop
	arena  codec.Arena
	frame  codec.Frame // the frame being handed to a handler (loop only)
	iov    [][]byte    // scratch for writev (loop only)
	mu     sync.Mutex
	dirty  []*Conn
	spare  []*Conn
	queued bool
	run    gnet.RunnableFunc
}

func (s *loopSet) get(el gnet.EventLoop) *perLoop {
	if m := s.m.Load(); m != nil {
		if pl, ok := (*m)[el]; ok {
			return pl
		}
	}
	for {
		old := s.m.Load()
		next := make(map[gnet.EventLoop]*perLoop)
		if old != nil {
			for k, v := range *old {
				next[k] = v
			}
		}
		if pl, ok := next[el]; ok {
			return pl
		}
		pl := &perLoop{el: el}
		pl.run = pl.flushAll
		next[el] = pl
		if s.m.CompareAndSwap(old, &next) {
			return pl
		}
	}
}

// schedule adds c to the connections to flush; the first one of a batch
// posts the flush task. Safe for concurrent use.
func (pl *perLoop) schedule(c *Conn) error {
	pl.mu.Lock()
	pl.dirty = append(pl.dirty, c)
	first := !pl.queued
	pl.queued = true
	pl.mu.Unlock()
	if first {
		if err := pl.el.Execute(context.Background(), pl.run); err != nil {
			return ErrEngineClosed
		}
	}
	return nil
}

// flushAll writes what every scheduled connection has queued. Loop.
func (pl *perLoop) flushAll(context.Context) error {
	pl.mu.Lock()
	list := pl.dirty
	pl.dirty, pl.spare = pl.spare[:0], nil
	pl.queued = false
	pl.mu.Unlock()
	for i, c := range list {
		if !c.gone {
			c.flush()
		}
		list[i] = nil
	}
	pl.mu.Lock()
	if pl.spare == nil && cap(list) <= 4096 {
		pl.spare = list[:0]
	}
	pl.mu.Unlock()
	return nil
}
