package broker

import (
	"time"

	"github.com/stampede-mq/stampede/loop"
)

// closeLinger is how long a closing connection may take to read what is
// queued for it (an ERROR above all) before its socket is closed anyway.
const closeLinger = 5 * time.Second

// Flow control towards clients. A delivery never waits: when a client's
// outbound buffer passes the high-water mark, the session is blocked.
// Queues then keep their messages (another consumer may take them) and
// topic subscriptions keep theirs in a bounded backlog. A wheel timer
// watches the buffer and, once it has drained to half the mark, unblocks
// the session on its loop: backlogs are written and queues pumped again.

// blockLocked marks the session blocked and starts watching its buffer.
// s.mu held.
func (s *session) blockLocked() {
	if s.blocked.Load() || s.dead {
		return
	}
	s.blocked.Store(true)
	tick := s.b.wheel.Tick()
	if s.drainT == nil {
		s.drainT = s.b.wheel.AfterFunc(tick, s.checkDrain)
		return
	}
	s.drainT.Reset(tick)
}

// drained reports whether the outbound buffer is down to half the
// high-water mark. Safe from any goroutine.
func (s *session) drained() bool { return s.c.Buffered() <= s.b.cfg.highWater/2 }

// checkDrain runs on the wheel goroutine, once a tick while the session
// is blocked.
func (s *session) checkDrain() {
	if s.c.Closed() || !s.blocked.Load() {
		return // blockLocked arms the timer again when needed
	}
	if !s.drained() {
		s.mu.Lock()
		if !s.dead {
			s.drainT.Reset(s.b.wheel.Tick())
		}
		s.mu.Unlock()
		return
	}
	_ = s.c.Post(s.unblock)
}

// unblock lets deliveries flow again once the buffer has drained. Loop
// only.
func (s *session) unblock() {
	if !s.drained() { // it filled up again since the last look
		s.mu.Lock()
		if s.blocked.Load() && !s.dead {
			s.drainT.Reset(s.b.wheel.Tick())
		}
		s.mu.Unlock()
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	var queues []*queue
	s.mu.Lock()
	s.blocked.Store(false)
	for _, sub := range s.subs {
		if q, ok := sub.dest.(*queue); ok {
			queues = append(queues, q)
			continue
		}
		sub.drainLocked(buf, loop.NoWait)
	}
	s.mu.Unlock()
	for _, q := range queues {
		q.pump(buf)
	}
}

// shutdown ends the session for a broker shutdown: what topic backlogs
// hold is written regardless of the high-water mark, then the connection
// closes once everything is flushed. Loop only.
func (s *session) shutdown() {
	if s.state == finished && s.c.Closed() {
		return
	}
	buf := getBuffer()
	s.mu.Lock()
	for _, sub := range s.subs {
		sub.drainLocked(buf, loop.Force)
	}
	s.dead = true
	s.mu.Unlock()
	putBuffer(buf)
	s.state = finished
	s.close(nil) // the loop lingers until what is queued is out
}
