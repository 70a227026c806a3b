package broker

import (
	"errors"
	"strconv"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// ackMode is a subscription's acknowledgement mode.
type ackMode uint8

const (
	ackAuto       ackMode = iota // delivered means done
	ackClient                    // cumulative ACK
	ackIndividual                // client-individual: one message per ACK
)

func parseAckMode(s string) (ackMode, bool) {
	switch s {
	case "", "auto":
		return ackAuto, true
	case "client":
		return ackClient, true
	case "client-individual":
		return ackIndividual, true
	}
	return 0, false
}

// delivery is a message written to a client that has not acknowledged it.
type delivery struct {
	seq uint64 // the subscription's delivery number, part of the 1.2 ack id
	m   *message
}

// pending is a message waiting for a consumer.
type pending struct {
	m           *message
	redelivered bool
}

// subscription is one SUBSCRIBE of one session. Its identity fields are
// set on the session's loop before it is attached to a destination and
// never change; the delivery state is guarded by the session's mu, because
// publishers on other loops deliver to it.
type subscription struct {
	sess     *session
	dest     destination
	name     string // the destination name the client subscribed to
	id       string // the client's id ("" for a 1.0 subscription without one)
	num      uint32 // the session's number for it, part of 1.2 ack ids
	mode     ackMode
	version  codec.Version
	prefetch int    // most unacknowledged messages; 0 = no limit
	prefix   []byte // "MESSAGE\nsubscription:<id>\n", escaped for version
	implicit bool   // a temp-queue subscription the client never sent

	// Guarded by sess.mu.
	seq     uint64
	unacked []delivery
	backlog fifo // topics: messages waiting until the client has room
	gone    bool
}

func newSubscription(s *session, dest destination, name, id string, hasID bool, mode ackMode, prefetch int) *subscription {
	s.nextSub++
	prefix := []byte("MESSAGE\n")
	if hasID {
		bp := getBuffer()
		b := appendHeaderLines(append((*bp)[:0], prefix...), s.version, codec.Header{{Key: codec.HdrSubscription, Value: id}})
		prefix = append([]byte(nil), b...)
		*bp = b
		putBuffer(bp)
	}
	return &subscription{
		sess: s, dest: dest, name: name, id: id, num: s.nextSub, mode: mode,
		version: s.version, prefetch: prefetch, prefix: prefix,
	}
}

// windowFull reports whether the prefetch window is used up. sess.mu held.
func (sub *subscription) windowFull() bool {
	return sub.mode != ackAuto && sub.prefetch > 0 && len(sub.unacked) >= sub.prefetch
}

// appendMessage encodes the MESSAGE frame of one delivery.
func (sub *subscription) appendMessage(dst []byte, m *message, seq uint64, redelivered bool) []byte {
	dst = append(dst, sub.prefix...)
	if sub.mode != ackAuto && sub.version >= codec.V12 {
		dst = append(dst, "ack:"...)
		dst = appendAckID(dst, sub.num, seq)
		dst = append(dst, '\n')
	}
	if redelivered {
		dst = append(dst, "redelivered:true\n"...)
	}
	dst = m.appendTail(dst, sub.version)
	dst = append(dst, m.body...)
	return append(dst, 0)
}

// appendAckID appends a 1.2 ack id: the subscription's number and the
// delivery's, "7-42". It names one delivery on one connection.
func appendAckID(dst []byte, num uint32, seq uint64) []byte {
	dst = strconv.AppendUint(dst, uint64(num), 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, seq, 10)
}

// offer hands m to the client now if it can take it, for a queue: it
// fails when the session is gone, hung or blocked, or the prefetch window
// is full, and the queue keeps the message. Safe from any goroutine.
func (sub *subscription) offer(m *message, redelivered bool, buf *[]byte) bool {
	s := sub.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked.Load() && s.drained() {
		s.blocked.Store(false) // it caught up since the last look
	}
	if s.dead || s.hung || s.blocked.Load() || sub.gone || sub.windowFull() {
		return false
	}
	return sub.deliverLocked(m, redelivered, buf, loop.NoWait) == nil
}

// push hands m to the client, for a topic: at once when it has room, else
// into the subscription's backlog, whose overflow closes the client as a
// slow consumer. It reports whether m was kept (written or waiting in the
// backlog); false means it was dropped. Safe from any goroutine.
func (sub *subscription) push(m *message, redelivered bool, buf *[]byte) bool {
	s := sub.sess
	s.mu.Lock()
	defer s.mu.Unlock()
	return sub.pushLocked(m, redelivered, buf)
}

func (sub *subscription) pushLocked(m *message, redelivered bool, buf *[]byte) bool {
	s := sub.sess
	if s.dead || s.hung || sub.gone {
		return false
	}
	if sub.backlog.len() > 0 {
		if s.blocked.Load() && s.drained() {
			s.blocked.Store(false) // it caught up since the last look
		}
		sub.drainLocked(buf, loop.NoWait) // what waits goes first
	}
	if sub.backlog.len() == 0 && !s.blocked.Load() && !sub.windowFull() {
		err := sub.deliverLocked(m, redelivered, buf, loop.NoWait)
		if err == nil {
			return true
		}
		if !errors.Is(err, loop.ErrBackpressure) {
			return false // the connection is closing
		}
	}
	if sub.backlog.len() >= s.b.cfg.maxPending {
		s.killLocked(ErrSlowConsumer, "slow consumer",
			"more than "+strconv.Itoa(s.b.cfg.maxPending)+" messages waiting for subscription "+strconv.Quote(sub.id))
		return false
	}
	sub.backlog.push(pending{m, redelivered})
	return true
}

// deliverLocked writes one MESSAGE and records it as unacknowledged when
// the mode asks for acknowledgements. A write refused for backpressure
// blocks the session until it drains. sess.mu held.
func (sub *subscription) deliverLocked(m *message, redelivered bool, buf *[]byte, mode loop.WriteMode) error {
	s := sub.sess
	seq := sub.seq + 1
	b := sub.appendMessage((*buf)[:0], m, seq, redelivered)
	*buf = b
	if err := s.write(b, mode); err != nil {
		if errors.Is(err, loop.ErrBackpressure) {
			s.blockLocked()
		}
		return err
	}
	sub.seq = seq
	if sub.mode != ackAuto {
		sub.unacked = append(sub.unacked, delivery{seq, m})
	}
	sub.dest.counts().out.Add(1)
	return nil
}

// drainLocked writes what the backlog holds while the client has room.
// sess.mu held.
func (sub *subscription) drainLocked(buf *[]byte, mode loop.WriteMode) {
	s := sub.sess
	for sub.backlog.len() > 0 && !s.dead && (mode == loop.Force || (!s.blocked.Load() && !sub.windowFull())) {
		p := sub.backlog.front()
		if sub.deliverLocked(p.m, p.redelivered, buf, mode) != nil {
			return
		}
		sub.backlog.pop()
	}
}

// indexOfSeq finds the unacknowledged delivery seq. sess.mu held.
func (sub *subscription) indexOfSeq(seq uint64) int {
	lo, hi := 0, len(sub.unacked)
	for lo < hi { // deliveries are recorded in increasing seq order
		mid := int(uint(lo+hi) >> 1)
		if sub.unacked[mid].seq < seq {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(sub.unacked) && sub.unacked[lo].seq == seq {
		return lo
	}
	return -1
}

// indexOfID finds the unacknowledged delivery of message id. sess.mu held.
func (sub *subscription) indexOfID(id string) int {
	for i := range sub.unacked {
		if sub.unacked[i].m.hasID(id) {
			return i
		}
	}
	return -1
}

// settleLocked removes the delivery seq (and, for a client-mode
// subscription, every earlier one) from the unacknowledged list and
// returns what it removed. sess.mu held.
func (sub *subscription) settleLocked(seq uint64) []delivery {
	i := sub.indexOfSeq(seq)
	if i < 0 {
		return nil
	}
	if sub.mode == ackClient {
		done := append([]delivery(nil), sub.unacked[:i+1]...)
		n := copy(sub.unacked, sub.unacked[i+1:])
		clear(sub.unacked[n:])
		sub.unacked = sub.unacked[:n]
		return done
	}
	done := []delivery{sub.unacked[i]}
	last := len(sub.unacked) - 1
	copy(sub.unacked[i:], sub.unacked[i+1:])
	sub.unacked[last] = delivery{}
	sub.unacked = sub.unacked[:last]
	return done
}

// redeliveries turns deliveries into messages marked redelivered.
func redeliveries(ds []delivery) []pending {
	ps := make([]pending, len(ds))
	for i, d := range ds {
		ps[i] = pending{d.m, true}
	}
	return ps
}

// fifo is a queue of pending messages that frees its memory when empty.
type fifo struct {
	items []pending
	head  int
}

func (q *fifo) len() int       { return len(q.items) - q.head }
func (q *fifo) front() pending { return q.items[q.head] }
func (q *fifo) push(p pending) { q.items = append(q.items, p) }
func (q *fifo) all() []pending { return q.items[q.head:] }
func (q *fifo) reset()         { q.items, q.head = nil, 0 }
func (q *fifo) pushFront(ps []pending) {
	rest := q.all()
	items := make([]pending, 0, len(ps)+len(rest))
	q.items = append(append(items, ps...), rest...)
	q.head = 0
}

func (q *fifo) pop() {
	q.items[q.head] = pending{}
	q.head++
	switch {
	case q.head == len(q.items):
		if cap(q.items) > 1024 {
			q.items = nil // a burst is over: give its memory back
		} else {
			q.items = q.items[:0]
		}
		q.head = 0
	case q.head >= 1024 && q.head*2 >= len(q.items):
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}
