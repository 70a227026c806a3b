package broker

import (
	"strconv"
	"strings"

	"github.com/stampede-mq/stampede/codec"
)

// This file handles SEND, SUBSCRIBE, UNSUBSCRIBE and DISCONNECT, and the
// temp queues of RabbitMQ's reply-to scheme. Loop only.

// onSend routes a message, or keeps it in its transaction.
func (s *session) onSend(f *codec.Frame) {
	name := f.Header.Get(codec.HdrDestination)
	if name == "" {
		s.fail(f, "missing destination", "a SEND frame needs a destination header")
		return
	}
	var t *transaction
	if id, ok := f.Header.Lookup(codec.HdrTransaction); ok {
		if t = s.txs[id]; t == nil {
			s.fail(f, "unknown transaction", "no transaction "+strconv.Quote(id)+" was begun on this connection")
			return
		}
	}
	s.seq++
	m := newMessage(s.id, s.seq, f)
	if rt := f.Header.Get(codec.HdrReplyTo); strings.HasPrefix(rt, prefixTempQueue) {
		m.replyTo = s.tempQueue(rt, true).name
	}
	dest := s.resolve(name)
	if t != nil {
		m.compact()
		t.ops = append(t.ops, txOp{dest: dest, m: m})
	} else {
		s.route(dest, m)
	}
	s.receipt(f)
}

// resolve finds the destination a name means for this session: its own
// temp queue for a /temp-queue/ name, else the broker's.
func (s *session) resolve(name string) destination {
	if strings.HasPrefix(name, prefixTempQueue) {
		return s.tempQueue(name, false)
	}
	return s.b.lookupDestination(name)
}

// route publishes m; a message for a reply queue that is gone is dropped.
func (s *session) route(dest destination, m *message) {
	if dest == nil {
		s.b.noRoute.Add(1)
		return
	}
	buf := getBuffer()
	dest.publish(m, buf)
	putBuffer(buf)
}

// tempQueue returns the session's private queue for a /temp-queue/ name,
// creating it on first use, as RabbitMQ does: it is registered under a
// /reply-queue/ name that other connections send replies to. implicit asks
// for the subscription RabbitMQ makes when a temp queue first appears in a
// reply-to header: the replies arrive with the temp-queue name as their
// subscription id, although the client never subscribed.
func (s *session) tempQueue(name string, implicit bool) *queue {
	q := s.temps[name]
	if q == nil {
		q = newQueue(prefixReplyQueue + s.id + "-" + strings.TrimPrefix(name, prefixTempQueue))
		if s.temps == nil {
			s.temps = make(map[string]*queue)
		}
		s.temps[name] = q
		s.b.dests.Store(q.name, q)
	}
	if implicit && !s.subscribed(q) {
		sub := newSubscription(s, q, name, name, true, ackAuto, 0)
		sub.implicit = true
		s.addSub(sub)
	}
	return q
}

func (s *session) subscribed(d destination) bool {
	for _, sub := range s.subs {
		if sub.dest == d {
			return true
		}
	}
	return false
}

func (s *session) addSub(sub *subscription) {
	s.subs = append(s.subs, sub)
	s.b.subscriptions.Add(1)
	buf := getBuffer()
	sub.dest.attach(sub, buf)
	putBuffer(buf)
}

// onSubscribe creates a subscription and delivers what waits for it.
func (s *session) onSubscribe(f *codec.Frame) {
	name := f.Header.Get(codec.HdrDestination)
	if name == "" {
		s.fail(f, "missing destination", "a SUBSCRIBE frame needs a destination header")
		return
	}
	id, hasID := f.Header.Lookup(codec.HdrID)
	if !hasID && s.version >= codec.V11 {
		s.fail(f, "missing id", "a STOMP "+s.version.String()+" SUBSCRIBE frame needs an id header")
		return
	}
	mode, ok := parseAckMode(f.Header.Get(codec.HdrAck))
	if !ok {
		s.fail(f, "invalid ack mode", "ack "+strconv.Quote(f.Header.Get(codec.HdrAck))+" is not auto, client or client-individual")
		return
	}
	prefetch, err := parsePrefetch(f.Header)
	if err != "" {
		s.fail(f, "invalid prefetch", err)
		return
	}
	if strings.HasPrefix(name, prefixReplyQueue) {
		s.fail(f, "access refused", "reply queues take replies; only their owner receives from them")
		return
	}
	var dest destination
	if strings.HasPrefix(name, prefixTempQueue) {
		q := s.tempQueue(name, false)
		for _, sub := range s.subs {
			if sub.implicit && sub.dest == q {
				s.removeSub(sub) // the client now subscribes itself
				break
			}
		}
		dest = q
	} else {
		dest = s.b.lookupDestination(name)
	}
	if hasID && s.findSub(id) != nil {
		s.fail(f, "duplicate subscription id", "subscription "+strconv.Quote(id)+" already exists on this connection")
		return
	}
	sub := newSubscription(s, dest, name, id, hasID, mode, prefetch)
	// The receipt goes first: the messages that wait for the subscription
	// follow it, so a client that waits for the receipt misses none.
	s.receipt(f)
	s.addSub(sub)
}

// parsePrefetch reads prefetch-count (RabbitMQ) or activemq.prefetchSize
// (ActiveMQ). Zero or absent means no limit.
func parsePrefetch(h codec.Header) (int, string) {
	v, ok := h.Lookup("prefetch-count")
	if !ok {
		if v, ok = h.Lookup("activemq.prefetchSize"); !ok {
			return 0, ""
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, "prefetch " + strconv.Quote(v) + " is not a non-negative integer"
	}
	return n, ""
}

// onUnsubscribe ends a subscription, by id, or on 1.0 by destination.
// Its unacknowledged messages go back to the queue.
func (s *session) onUnsubscribe(f *codec.Frame) {
	var sub *subscription
	if id, ok := f.Header.Lookup(codec.HdrID); ok {
		sub = s.findSub(id)
	} else if s.version == codec.V10 {
		name := f.Header.Get(codec.HdrDestination)
		for _, x := range s.subs {
			if x.name == name && !x.implicit {
				sub = x
				break
			}
		}
	} else {
		s.fail(f, "missing id", "a STOMP "+s.version.String()+" UNSUBSCRIBE frame needs an id header")
		return
	}
	if sub == nil {
		s.fail(f, "unknown subscription", "no subscription matches "+f.String())
		return
	}
	s.removeSub(sub)
	s.receipt(f)
}

// onDisconnect answers the receipt and closes once it is written.
func (s *session) onDisconnect(f *codec.Frame) {
	s.receipt(f)
	s.state = finished
	s.close(nil)
}
