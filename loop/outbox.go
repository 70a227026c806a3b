package loop

import (
	"context"
	"sync"

	"github.com/stampede-mq/stampede/codec"
)

// WriteMode says what a write does when the outbox is past its high-water
// mark.
type WriteMode uint8

const (
	// Wait blocks until the loop has written enough or the context ends.
	Wait WriteMode = iota
	// NoWait fails at once with [ErrBackpressure]. Code running on an event
	// loop must use it: a loop that waits for itself never wakes.
	NoWait
	// Force writes regardless of the high-water mark: for the few small
	// frames a protocol must send (heart-beats, replies on the loop).
	Force
)

// outbox gathers encoded bytes from any goroutine until the loop writes them.
type outbox struct {
	mu       sync.Mutex
	buf      *[]byte // pending bytes; nil when empty
	queued   bool    // a flush is scheduled on the loop
	shutErr  error   // set once the connection is closing: writes fail with it
	inflight int     // bytes the loop handed to the socket that are not sent yet
	hwm      int
	room     chan struct{} // closed when room frees up; nil without waiters
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

const maxPooledBuf = 256 << 10

// WriteFrame encodes f with enc into the outbox and arranges for the loop to
// write it. Past the high-water mark it behaves as mode says. Encoding
// errors are returned and nothing is written. Safe for concurrent use.
func (c *Conn) WriteFrame(ctx context.Context, mode WriteMode, enc codec.Encoder, f *codec.Frame) error {
	o := &c.out
	if err := o.reserve(ctx, mode); err != nil {
		return err
	}
	b, err := enc.Append(*o.buf, f)
	if err != nil {
		o.mu.Unlock()
		return err
	}
	*o.buf = b
	return c.commit()
}

// Write queues bytes that are already encoded. Safe for concurrent use.
func (c *Conn) Write(ctx context.Context, mode WriteMode, p []byte) error {
	o := &c.out
	if err := o.reserve(ctx, mode); err != nil {
		return err
	}
	*o.buf = append(*o.buf, p...)
	return c.commit()
}

// reserve waits for room and returns with o.mu held and o.buf set.
func (o *outbox) reserve(ctx context.Context, mode WriteMode) error {
	o.mu.Lock()
	for {
		if o.shutErr != nil {
			err := o.shutErr
			o.mu.Unlock()
			return err
		}
		if mode == Force || o.pending()+o.inflight < o.hwm {
			break
		}
		if mode == NoWait {
			o.mu.Unlock()
			return ErrBackpressure
		}
		if o.room == nil {
			o.room = make(chan struct{})
		}
		room := o.room
		o.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		}
		o.mu.Lock()
	}
	if o.buf == nil {
		o.buf = bufPool.Get().(*[]byte)
	}
	return nil
}

func (o *outbox) pending() int {
	if o.buf == nil {
		return 0
	}
	return len(*o.buf)
}

// commit releases o.mu and wakes the loop if no flush is scheduled yet.
func (c *Conn) commit() error {
	o := &c.out
	wake := !o.queued
	o.queued = true
	o.mu.Unlock()
	if wake {
		if err := c.gc.Wake(nil); err != nil {
			return ErrEngineClosed
		}
	}
	return nil
}

// flush writes what the outbox holds, through the layer. Loop only.
func (c *Conn) flush() {
	o := &c.out
	o.mu.Lock()
	bp := o.buf
	o.buf = nil
	o.queued = false
	o.mu.Unlock()
	if bp != nil {
		if len(*bp) > 0 {
			c.writeRaw(*bp)
		}
		if cap(*bp) <= maxPooledBuf {
			*bp = (*bp)[:0]
			bufPool.Put(bp)
		}
	}
	c.sampleInflight()
}

// writeRaw sends application bytes through the layer. Loop only.
func (c *Conn) writeRaw(p []byte) {
	c.lastWrite = c.rt.now()
	if c.layer != nil {
		if err := c.layer.Outbound(p, c.gc); err != nil {
			c.fail(err)
			_ = c.gc.Close()
		}
		return
	}
	_, _ = c.gc.Write(p)
}

// sampleInflight records how much the socket has not taken yet and wakes
// writers when there is room again. While bytes remain, it checks again on
// every wheel tick. Loop only.
func (c *Conn) sampleInflight() {
	n := c.gc.OutboundBuffered()
	o := &c.out
	o.mu.Lock()
	o.inflight = n
	if o.room != nil && o.pending()+n < o.hwm/2+1 {
		close(o.room)
		o.room = nil
	}
	o.mu.Unlock()
	if n > 0 && !c.closing.Load() {
		c.hb.watchDrain(c)
	}
}

// shut makes every later write fail with err and releases waiters.
func (o *outbox) shut(err error) {
	o.mu.Lock()
	if o.shutErr == nil {
		o.shutErr = err
	}
	if o.room != nil {
		close(o.room)
		o.room = nil
	}
	o.mu.Unlock()
}

// release returns the buffer to the pool once the connection is gone.
func (o *outbox) release() {
	o.mu.Lock()
	bp := o.buf
	o.buf = nil
	o.mu.Unlock()
	if bp != nil && cap(*bp) <= maxPooledBuf {
		*bp = (*bp)[:0]
		bufPool.Put(bp)
	}
}

// Buffered returns the bytes waiting in the outbox plus those the socket
// has not taken yet. Safe for concurrent use.
func (c *Conn) Buffered() int {
	o := &c.out
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending() + o.inflight
}
