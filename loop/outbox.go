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

// outbox gathers encoded bytes from any goroutine until the loop writes
// them. Frames are encoded straight into pooled chunks, so nothing is copied
// or reallocated on the way: the loop hands the chunks to one writev.
type outbox struct {
	mu       sync.Mutex
	chunks   []*[]byte // pending bytes, in order; nil when empty
	size     int       // pending bytes
	queued   bool      // a flush is scheduled on the loop
	flushing bool      // the loop is writing a list that uses inline
	shutErr  error     // set once the connection is closing: writes fail with it
	inflight int       // bytes the loop handed to the socket that are not sent yet
	hwm      int
	room     chan struct{} // closed when room frees up; nil without waiters
	inline   [1]*[]byte    // room for the chunk list of the common batch: one chunk
}

// Chunks come in three sizes: a connection that sends a little holds
// little; a busy one writes 64 KiB at a time.
var chunkClasses = [...]int{2 << 10, 16 << 10, 64 << 10}

var chunkPools [len(chunkClasses)]sync.Pool

func getChunk(need, prev int) *[]byte {
	for i, size := range chunkClasses {
		if size >= need && size > prev/2 {
			if p, ok := chunkPools[i].Get().(*[]byte); ok {
				return p
			}
			b := make([]byte, 0, size)
			return &b
		}
	}
	b := make([]byte, 0, need) // a frame larger than any chunk: its own buffer
	return &b
}

func putChunk(p *[]byte) {
	c := cap(*p)
	for i, size := range chunkClasses {
		if c == size {
			*p = (*p)[:0]
			chunkPools[i].Put(p)
			return
		}
	}
}

// WriteFrame encodes f with enc into the outbox and arranges for the loop to
// write it. Past the high-water mark it behaves as mode says. Encoding
// errors are returned and nothing is written. Safe for concurrent use.
func (c *Conn) WriteFrame(ctx context.Context, mode WriteMode, enc codec.Encoder, f *codec.Frame) error {
	o := &c.out
	if err := o.reserve(ctx, mode); err != nil {
		return err
	}
	cp := o.room4(enc.MaxSize(f))
	before := len(*cp)
	b, err := enc.Append(*cp, f)
	if err != nil {
		o.mu.Unlock()
		return err
	}
	*cp = b
	o.size += len(b) - before
	return c.commit()
}

// Write queues bytes that are already encoded. Safe for concurrent use.
func (c *Conn) Write(ctx context.Context, mode WriteMode, p []byte) error {
	o := &c.out
	if err := o.reserve(ctx, mode); err != nil {
		return err
	}
	cp := o.room4(len(p))
	*cp = append(*cp, p...)
	o.size += len(p)
	return c.commit()
}

// room4 returns the chunk to append n bytes to. o.mu is held.
func (o *outbox) room4(n int) *[]byte {
	if k := len(o.chunks); k > 0 {
		last := o.chunks[k-1]
		if cap(*last)-len(*last) >= n {
			return last
		}
	}
	prev := 0
	if k := len(o.chunks); k > 0 {
		prev = cap(*o.chunks[k-1])
	}
	if o.chunks == nil && !o.flushing {
		o.chunks = o.inline[:0]
	}
	cp := getChunk(n, prev*2)
	o.chunks = append(o.chunks, cp)
	return cp
}

// reserve waits for room and returns with o.mu held.
func (o *outbox) reserve(ctx context.Context, mode WriteMode) error {
	o.mu.Lock()
	for {
		if o.shutErr != nil {
			err := o.shutErr
			o.mu.Unlock()
			return err
		}
		if mode == Force || o.size+o.inflight < o.hwm {
			return nil
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
}

// commit releases o.mu and wakes the loop if no flush is scheduled yet.
func (c *Conn) commit() error {
	o := &c.out
	wake := !o.queued
	o.queued = true
	o.mu.Unlock()
	if wake && c.pl != nil { // before OnOpen, OnOpen flushes
		return c.pl.schedule(c)
	}
	return nil
}

// flush writes what the outbox holds, through the layer, in one system
// call when there is no layer. Loop only.
func (c *Conn) flush() {
	if c.gone {
		return // closed: never write to a descriptor that may be reused
	}
	o := &c.out
	o.mu.Lock()
	chunks := o.chunks
	// Until the socket says how much it took, the bytes count as in flight:
	// a writer in between must not see room that is not there.
	o.inflight += o.size
	o.chunks, o.size, o.queued = nil, 0, false
	inline := cap(chunks) > 0 && &chunks[:1][0] == &o.inline[0]
	o.flushing = inline
	o.mu.Unlock()
	if len(chunks) > 0 {
		c.lastWrite = c.rt.now()
		c.writeChunks(chunks)
		for i, cp := range chunks {
			putChunk(cp)
			chunks[i] = nil
		}
	}
	if inline {
		o.mu.Lock()
		o.flushing = false
		o.mu.Unlock()
	}
	c.sampleInflight()
}

func (c *Conn) writeChunks(chunks []*[]byte) {
	if c.layer != nil {
		for _, cp := range chunks {
			if err := c.layer.Outbound(*cp, c.gc); err != nil {
				c.fail(err)
				_ = c.gc.Close()
				return
			}
		}
		return
	}
	if len(chunks) == 1 {
		_, _ = c.gc.Write(*chunks[0])
		return
	}
	iov := c.pl.iov[:0]
	for _, cp := range chunks {
		iov = append(iov, *cp)
	}
	_, _ = c.gc.Writev(iov)
	clear(iov)
	c.pl.iov = iov[:0]
}

// writeRaw sends application bytes through the layer, bypassing the
// outbox (heart-beats, after a flush). Loop only.
func (c *Conn) writeRaw(p []byte) {
	if c.gone {
		return
	}
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
	if c.gone {
		return
	}
	n := c.gc.OutboundBuffered()
	if c.lingerUntil != 0 { // a graceful close waits for the peer
		if n == 0 || c.rt.now() > c.lingerUntil {
			_ = c.gc.Close()
			return
		}
		c.hb.watchDrain(c)
		return
	}
	o := &c.out
	o.mu.Lock()
	o.inflight = n
	if o.room != nil && o.size+n < o.hwm/2+1 {
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

// release returns the buffers once the connection is gone.
func (o *outbox) release() {
	o.mu.Lock()
	chunks := o.chunks
	o.chunks, o.size = nil, 0
	o.mu.Unlock()
	for _, cp := range chunks {
		putChunk(cp)
	}
}

// Buffered returns the bytes waiting in the outbox plus those the socket
// has not taken yet. Safe for concurrent use.
func (c *Conn) Buffered() int {
	o := &c.out
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.size + o.inflight
}
