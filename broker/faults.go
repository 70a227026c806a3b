package broker

import (
	"fmt"
	"time"
)

// Faults makes a running broker misbehave on demand, for specs of what a
// client does when its peer fails. Get it with [Broker.Faults]. Aim a
// fault at one connection by the session id its CONNECTED frame carries
// ([Faults.Session]), or at every open connection ([Faults.All]).
// Restarting on the same port is [Broker.Restart].
//
// Its methods are safe for concurrent use. A fault aimed at connections
// is in force when the method returns.
type Faults struct{ b *Broker }

// Faults returns the broker's fault-injection API. Safe for concurrent use.
func (b *Broker) Faults() *Faults { return &b.faults }

// Session aims faults at the connection whose CONNECTED frame carried the
// session id.
func (f *Faults) Session(id string) FaultTarget { return FaultTarget{b: f.b, id: id} }

// All aims faults at every connection open when a fault is applied,
// connected or not.
func (f *Faults) All() FaultTarget { return FaultTarget{b: f.b, all: true} }

// RefuseNew makes the broker refuse new connections (on) or accept them
// again (off). The listener stays open, so the kernel completes the TCP
// handshake; the broker then closes the connection at once, before a byte
// is read or written. The client sees its connect succeed, then the end
// of the stream instead of CONNECTED: EOF, or a reset if its CONNECT had
// already arrived (the kernel resets a socket closed with unread data).
// A refusal at connect time (ECONNREFUSED) is what the gap inside
// [Broker.Restart] gives. Open connections are not affected.
func (f *Faults) RefuseNew(on bool) { f.b.refusing.Store(on) }

// FaultTarget is one connection, or all of them, to misbehave towards.
// Its methods are safe for concurrent use and return once the fault is in
// force (Drop: once the close is under way). Each returns
// [ErrUnknownSession] when aimed at a session id that names no open
// connection; aimed at all connections, it affects those open at the time,
// if any.
type FaultTarget struct {
	b   *Broker
	id  string
	all bool
}

func (t FaultTarget) each(fn func(s *session)) error {
	sessions := t.b.lookupSessions(t.id, t.all)
	if len(sessions) == 0 && !t.all {
		return fmt.Errorf("%w: %q", ErrUnknownSession, t.id)
	}
	for _, s := range sessions {
		fn(s)
	}
	return nil
}

// Drop closes the connection abruptly, without flushing what it has
// queued or sending an ERROR: with a TCP reset (RST, SO_LINGER 0) when
// rst is true, else with a FIN. Unacknowledged messages return to their
// queues as for any closed connection.
func (t FaultTarget) Drop(rst bool) error {
	return t.each(func(s *session) { s.c.Abort(ErrDropped, rst) })
}

// Hang makes the broker stop answering while the socket stays open: what
// the client sends is read and discarded, nothing is written (not even
// heart-beats), no heart-beat timeout closes it, and no message is
// delivered to it. Only Drop, a shutdown, or the client ends it.
func (t FaultTarget) Hang() error {
	return t.each(func(s *session) { s.onLoop(s.hang) })
}

func (s *session) hang() {
	s.wire.hung.Store(true)
	s.mu.Lock()
	s.hung = true
	s.mu.Unlock()
	s.out.Load().stop()
	if s.connectT != nil {
		s.connectT.Stop()
	}
	s.c.SetHeartBeat(0, 0)
}

// WithholdHeartBeats stops (on) or resumes (off) the broker's heart-beats
// to the connection; everything else goes on, including the check of the
// client's heart-beats. Set before CONNECT, it applies from CONNECTED.
func (t FaultTarget) WithholdHeartBeats(on bool) error {
	return t.each(func(s *session) {
		s.onLoop(func() {
			s.withholding = on
			if s.state == connected {
				s.applyHeartBeat()
			}
		})
	})
}

// DelayNext holds the next frame the broker sends to the connection for
// d, and the frames after it until then, so that their order is kept.
// Heart-beats are not frames and are not held.
func (t FaultTarget) DelayNext(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: delay %v", ErrInvalidOption, d)
	}
	return t.each(func(s *session) {
		o := s.faults()
		o.mu.Lock()
		o.delay = d
		o.update()
		o.mu.Unlock()
	})
}

// CorruptNext corrupts the next frame the broker sends to the connection:
// a header line with an empty name follows its command line, which every
// conforming decoder rejects (CONF-4).
func (t FaultTarget) CorruptNext() error {
	return t.each(func(s *session) {
		o := s.faults()
		o.mu.Lock()
		o.corrupt = true
		o.update()
		o.mu.Unlock()
	})
}

// SendError sends an ERROR frame whose message header is message, then
// closes the connection, as a broker does on a fatal error.
func (t FaultTarget) SendError(message string) error {
	return t.each(func(s *session) {
		s.onLoop(func() {
			if s.state != finished {
				s.fail(nil, message, "error injected by the broker's fault API")
			}
		})
	})
}
