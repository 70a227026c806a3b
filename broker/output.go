package broker

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// output holds the faults that act on a session's write path: corrupt the
// next frame, or hold the next frame (and every one after it, to keep
// their order) for a while. A session gets one when a fault is first aimed
// at it; until then a write costs one atomic load more than the
// connection's own.
type output struct {
	faulty atomic.Bool // false when no fault applies

	mu         sync.Mutex
	corrupt    bool          // the next frame goes out corrupted
	delay      time.Duration // the next frame waits this long
	holding    bool          // frames wait in held until the timer fires
	held       []byte
	timer      *loop.Timer
	closeAfter bool  // a close waits for the held frames
	closeCause error // ... with this cause
}

func (o *output) update() { o.faulty.Store(o.corrupt || o.delay > 0 || o.holding) }

// faults returns the session's output faults, making them on first use.
// Safe from any goroutine.
func (s *session) faults() *output {
	if o := s.out.Load(); o != nil {
		return o
	}
	s.out.CompareAndSwap(nil, new(output))
	return s.out.Load()
}

// stop cancels a pending delay. The held frames are dropped.
func (o *output) stop() {
	if o == nil {
		return
	}
	o.mu.Lock()
	if o.timer != nil {
		o.timer.Stop()
	}
	o.holding, o.held, o.delay, o.corrupt = false, nil, 0, false
	o.update()
	o.mu.Unlock()
}

// write queues one encoded frame on the connection. Safe from any
// goroutine; frames from concurrent writers never interleave.
func (s *session) write(p []byte, mode loop.WriteMode) error {
	o := s.out.Load()
	if o == nil || !o.faulty.Load() {
		return s.c.Write(context.Background(), mode, p)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.corrupt {
		o.corrupt = false
		p = corrupted(p)
	}
	if o.delay > 0 && !o.holding {
		o.holding = true
		o.timer = s.b.wheel.AfterFunc(o.delay, func() { _ = s.c.Post(s.releaseHeld) })
		o.delay = 0
	}
	o.update()
	if o.holding {
		o.held = append(o.held, p...)
		return nil
	}
	return s.c.Write(context.Background(), mode, p)
}

// releaseHeld writes the frames a delay held, then closes the connection
// if a close waited for them. Loop only.
func (s *session) releaseHeld() {
	o := s.out.Load()
	o.mu.Lock()
	if len(o.held) > 0 {
		// Before the fast path opens again, so that no frame passes them.
		_ = s.c.Write(context.Background(), loop.Force, o.held)
	}
	o.held, o.holding, o.timer = nil, false, nil
	o.update()
	closeAfter, cause := o.closeAfter, o.closeCause
	o.mu.Unlock()
	if closeAfter {
		s.c.Close(cause)
	}
}

// corrupted returns a copy of the frame p with a header line that has an
// empty name inserted after its command line: every conforming decoder
// rejects it (CONF-4), whatever the version.
func corrupted(p []byte) []byte {
	const bad = ":corrupted-by-fault-injection\n"
	i := 0
	for i < len(p) && p[i] != '\n' {
		i++
	}
	if i == len(p) {
		return append(append([]byte(nil), p...), bad...)
	}
	out := make([]byte, 0, len(p)+len(bad))
	out = append(out, p[:i+1]...)
	out = append(out, bad...)
	return append(out, p[i+1:]...)
}

// close closes the connection once what is queued is written, including
// frames a delay still holds. Safe from any goroutine.
func (s *session) close(cause error) {
	o := s.out.Load()
	if o == nil {
		s.c.Close(cause)
		return
	}
	o.mu.Lock()
	if o.holding {
		o.closeAfter, o.closeCause = true, cause
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	s.c.Close(cause)
}

// reply encodes a frame for the session's version and writes it.
func (s *session) reply(f *codec.Frame, mode loop.WriteMode) error {
	bp := getBuffer()
	defer putBuffer(bp)
	b, err := codec.Encoder{Version: s.version}.Append((*bp)[:0], f)
	if err != nil {
		return err
	}
	*bp = b
	return s.write(b, mode)
}

// receipt answers a frame that asked for one. A client that does not read
// its receipts is a slow consumer. Loop only.
func (s *session) receipt(f *codec.Frame) {
	r, ok := f.Header.Lookup(codec.HdrReceipt)
	if !ok {
		return
	}
	err := s.reply(&codec.Frame{Command: codec.Receipt, Header: codec.Header{{Key: codec.HdrReceiptID, Value: r}}}, loop.NoWait)
	if errors.Is(err, loop.ErrBackpressure) {
		s.mu.Lock()
		s.killLocked(ErrSlowConsumer, "slow consumer", "the client does not read its receipts")
		s.mu.Unlock()
	}
}

// errorFrame builds an ERROR: a short message header, the detail in the
// body, and the receipt-id of the frame that caused it, if it asked for a
// receipt.
func errorFrame(cause *codec.Frame, message, detail string, extra ...codec.Field) *codec.Frame {
	h := codec.Header{{Key: codec.HdrMessage, Value: message}}
	if cause != nil {
		if r, ok := cause.Header.Lookup(codec.HdrReceipt); ok {
			h = append(h, codec.Field{Key: codec.HdrReceiptID, Value: r})
		}
	}
	h = append(h, codec.Field{Key: codec.HdrContentType, Value: "text/plain"})
	h = append(h, extra...)
	return &codec.Frame{Command: codec.Error, Header: h, Body: []byte(detail)}
}

// fail answers a protocol error with an ERROR and closes the connection
// once it is written; later input is ignored. cause is the offending frame
// or nil. Loop only.
func (s *session) fail(cause *codec.Frame, message, detail string, extra ...codec.Field) {
	if s.state == finished {
		return
	}
	s.state = finished
	f := errorFrame(cause, message, detail, extra...)
	if s.reply(f, loop.Force) != nil {
		// A receipt-id the version cannot carry: say it without.
		_ = s.reply(errorFrame(nil, message, detail), loop.Force)
	}
	s.mu.Lock()
	s.dead = true
	s.mu.Unlock()
	s.b.log.Info("protocol error", "session", s.id, "message", message, "detail", detail)
	s.close(errors.New("broker: " + message))
}

// killLocked closes a connection from any goroutine with an ERROR: the
// slow-consumer path, which runs where a delivery found the client
// lagging. Deliveries stop at once; the connection closes once what it
// was sent is written, the ERROR last; backlogs are dropped when its
// OnClose releases its subscriptions. s.mu held.
func (s *session) killLocked(cause error, message, detail string) {
	if s.dead {
		return
	}
	s.dead = true
	bp := getBuffer()
	b, err := codec.Encoder{Version: s.version}.Append((*bp)[:0], errorFrame(nil, message, detail))
	if err == nil {
		*bp = b
		_ = s.write(b, loop.Force)
	}
	putBuffer(bp)
	s.b.log.Info("closing connection", "session", s.id, "message", message, "detail", detail)
	_ = s.c.Post(func() { s.state = finished }) // its input is ignored from now on
	s.close(cause)                              // the loop lingers until the ERROR is out
}

// lastWords answers a frame the decoder refused (a limit, a syntax error)
// with an ERROR. Loop only, from OnDecodeError.
func (s *session) lastWords(se *codec.SyntaxError) {
	message := "malformed frame"
	switch {
	case errors.Is(se, codec.ErrFrameTooLarge), errors.Is(se, codec.ErrBodyTooLarge):
		message = "frame too large"
	case errors.Is(se, codec.ErrTooManyHeaders):
		message = "too many headers"
	case errors.Is(se, codec.ErrHeaderLineTooLong):
		message = "header line too long"
	}
	_ = s.c.WriteFrame(context.Background(), loop.Force, codec.Encoder{Version: s.version}, errorFrame(nil, message, se.Error()))
	s.b.log.Info("protocol error", "session", s.id, "message", message, "detail", se.Error())
}
