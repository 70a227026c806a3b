package broker

import (
	"strconv"
	"strings"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// This file handles ACK and NACK, and BEGIN, COMMIT and ABORT, whose
// transactions hold SENDs, ACKs and NACKs until COMMIT. Loop only.

// onAck settles a delivery, now or at COMMIT.
func (s *session) onAck(f *codec.Frame, nack bool) {
	if nack && s.version == codec.V10 {
		s.fail(f, "unknown command", "NACK is not part of STOMP 1.0")
		return
	}
	sub, seq, problem := s.locate(f)
	if problem != "" {
		s.fail(f, "invalid "+strings.ToLower(string(f.Command)), problem)
		return
	}
	if id, ok := f.Header.Lookup(codec.HdrTransaction); ok {
		t := s.txs[id]
		if t == nil {
			s.fail(f, "unknown transaction", "no transaction "+strconv.Quote(id)+" was begun on this connection")
			return
		}
		t.ops = append(t.ops, txOp{sub: sub, seq: seq, nack: nack})
		s.receipt(f)
		return
	}
	s.settle(sub, seq, nack)
	s.receipt(f)
}

// locate finds the unacknowledged delivery an ACK or NACK names: on 1.2
// by its id (the MESSAGE's ack header); on 1.1 by message-id and
// subscription; on 1.0 by message-id alone. A 1.2 frame without id falls
// back to message-id, a 1.1 frame without subscription searches every
// subscription. problem says why nothing matched.
func (s *session) locate(f *codec.Frame) (sub *subscription, seq uint64, problem string) {
	if id, ok := f.Header.Lookup(codec.HdrID); ok && s.version >= codec.V12 {
		numS, seqS, _ := strings.Cut(id, "-")
		num, err1 := strconv.ParseUint(numS, 10, 32)
		seq, err2 := strconv.ParseUint(seqS, 10, 64)
		if sub = s.subByNum(uint32(num)); err1 == nil && err2 == nil && sub != nil {
			s.mu.Lock()
			found := sub.indexOfSeq(seq) >= 0
			s.mu.Unlock()
			if found {
				return sub, seq, ""
			}
		}
		return nil, 0, "no unacknowledged message has ack id " + strconv.Quote(id)
	}
	mid, ok := f.Header.Lookup(codec.HdrMessageID)
	if !ok {
		if s.version >= codec.V12 {
			return nil, 0, "the frame has no id header"
		}
		return nil, 0, "the frame has no message-id header"
	}
	subID, bySub := f.Header.Lookup(codec.HdrSubscription)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.subs {
		if bySub && x.id != subID {
			continue
		}
		if i := x.indexOfID(mid); i >= 0 {
			return x, x.unacked[i].seq, ""
		}
	}
	return nil, 0, "no unacknowledged message has message-id " + strconv.Quote(mid)
}

// settle acknowledges (or, for nack, rejects) a delivery; in client mode
// every earlier delivery of the subscription too. Rejected messages are
// redelivered, marked so: a queue's to any consumer, a topic's to the same
// subscription. The freed prefetch window is filled again. A delivery
// already settled (by an earlier cumulative ACK in the same transaction)
// is ignored.
func (s *session) settle(sub *subscription, seq uint64, nack bool) {
	buf := getBuffer()
	defer putBuffer(buf)
	s.mu.Lock()
	done := sub.settleLocked(seq)
	q, isQueue := sub.dest.(*queue)
	if !isQueue {
		if nack {
			for _, d := range done {
				if !sub.pushLocked(d.m, true, buf) {
					sub.dest.counts().dropped.Add(1)
				}
			}
		}
		sub.drainLocked(buf, loop.NoWait)
	}
	s.mu.Unlock()
	if !isQueue || len(done) == 0 {
		return
	}
	if nack {
		q.redeliver(sub, redeliveries(done), buf)
	} else {
		q.pump(buf)
	}
}

// transaction is what a BEGIN opened: the operations to apply at COMMIT.
type transaction struct {
	ops []txOp
}

// txOp is a SEND (dest and m) or an ACK/NACK (sub and seq).
type txOp struct {
	dest destination
	m    *message
	sub  *subscription
	seq  uint64
	nack bool
}

func (s *session) txID(f *codec.Frame) (string, bool) {
	id, ok := f.Header.Lookup(codec.HdrTransaction)
	if !ok {
		s.fail(f, "missing transaction", "a "+string(f.Command)+" frame needs a transaction header")
	}
	return id, ok
}

func (s *session) onBegin(f *codec.Frame) {
	id, ok := s.txID(f)
	if !ok {
		return
	}
	if s.txs[id] != nil {
		s.fail(f, "transaction already begun", "transaction "+strconv.Quote(id)+" is already open on this connection")
		return
	}
	if s.txs == nil {
		s.txs = make(map[string]*transaction)
	}
	s.txs[id] = &transaction{}
	s.receipt(f)
}

// takeTx ends the transaction a COMMIT or ABORT names.
func (s *session) takeTx(f *codec.Frame) *transaction {
	id, ok := s.txID(f)
	if !ok {
		return nil
	}
	t := s.txs[id]
	if t == nil {
		s.fail(f, "unknown transaction", "no transaction "+strconv.Quote(id)+" is open on this connection")
		return nil
	}
	delete(s.txs, id)
	return t
}

// onCommit applies a transaction's operations in the order they came.
func (s *session) onCommit(f *codec.Frame) {
	t := s.takeTx(f)
	if t == nil {
		return
	}
	for _, op := range t.ops {
		if op.m != nil {
			s.route(op.dest, op.m)
		} else if !op.sub.isGone() {
			s.settle(op.sub, op.seq, op.nack)
		}
	}
	s.receipt(f)
}

// onAbort forgets a transaction: its messages are never sent, its ACKs
// never happened (those messages stay unacknowledged).
func (s *session) onAbort(f *codec.Frame) {
	if s.takeTx(f) != nil {
		s.receipt(f)
	}
}

func (sub *subscription) isGone() bool {
	sub.sess.mu.Lock()
	defer sub.sess.mu.Unlock()
	return sub.gone
}
