package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// ackBook keeps the received messages that wait for an ack or nack, so
// that "ack ID" finds the message the id names. The library acknowledges
// a message, not raw ids: that way the ACK always carries the headers the
// negotiated version needs, and an id that names no message is an error
// here instead of an ERROR from the broker that closes the connection.
//
// Only messages of client and client-individual subscriptions are kept,
// and only until acknowledged: the broker's prefetch bounds them. Safe for
// concurrent use: messages arrive on the connection's goroutine.
type ackBook struct {
	mu      sync.Mutex
	pending []*handlers.Message // in arrival order
}

// add keeps m if its subscription expects an acknowledgement.
func (b *ackBook) add(m *handlers.Message) {
	if !m.NeedsAck() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = append(b.pending, m)
}

// ackUsage is what ack and nack take in each version (stomp.py's).
func ackUsage(cmd string, v codec.Version) string {
	switch v {
	case codec.V12:
		return cmd + " <ack-id>"
	case codec.V11:
		return cmd + " <message-id> <subscription-id>"
	}
	return cmd + " <message-id>"
}

// ackMatches reports whether m is the message args name in version v: its
// ack header on 1.2; its message-id and, when given, subscription on 1.1;
// its message-id on 1.0.
func ackMatches(v codec.Version, m *handlers.Message, args []string) bool {
	h := m.Frame.Header
	switch v {
	case codec.V12:
		return h.Get(codec.HdrAck) == args[0]
	case codec.V11:
		if h.Get(codec.HdrMessageID) != args[0] {
			return false
		}
		return len(args) < 2 || m.Subscription == args[1]
	}
	return h.Get(codec.HdrMessageID) == args[0]
}

// take finds the message args names and removes it from the book; in
// client mode an ACK or NACK also covers the subscription's earlier
// messages (cumulative, as brokers treat both), so they are removed too.
func (b *ackBook) take(v codec.Version, args []string) (*handlers.Message, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	found := -1
	for i, m := range b.pending {
		if !ackMatches(v, m, args) {
			continue
		}
		if found >= 0 {
			return nil, fmt.Errorf("%q names more than one message; give the subscription id too", args[0])
		}
		found = i
	}
	if found < 0 {
		return nil, b.unknown(v, args)
	}
	m := b.pending[found]
	keep := b.pending[:0]
	for i, p := range b.pending {
		covered := i == found || i < found && p.Subscription == m.Subscription && p.AckMode == "client"
		if !covered {
			keep = append(keep, p)
		}
	}
	clear(b.pending[len(keep):])
	b.pending = keep
	return m, nil
}

// unknown explains an id that names no waiting message.
func (b *ackBook) unknown(v codec.Version, args []string) error {
	what := "message-id"
	if v == codec.V12 {
		what = "ack id"
	}
	ids := b.idsLocked(v)
	if len(ids) == 0 {
		return fmt.Errorf("no received message with %s %q: no message is waiting for an acknowledgement (subscribe with ack client or client-individual)", what, strings.Join(args, " "))
	}
	const shown = 10
	more := ""
	if len(ids) > shown {
		more = fmt.Sprintf(" and %d more", len(ids)-shown)
		ids = ids[:shown]
	}
	return fmt.Errorf("no received message with %s %q; waiting: %s%s", what, strings.Join(args, " "), strings.Join(ids, ", "), more)
}

// idsLocked lists the ids that name the waiting messages, as ack takes
// them.
func (b *ackBook) idsLocked(v codec.Version) []string {
	ids := make([]string, 0, len(b.pending))
	for _, m := range b.pending {
		h := m.Frame.Header
		switch v {
		case codec.V12:
			ids = append(ids, h.Get(codec.HdrAck))
		case codec.V11:
			ids = append(ids, h.Get(codec.HdrMessageID)+" "+m.Subscription)
		default:
			ids = append(ids, h.Get(codec.HdrMessageID))
		}
	}
	return ids
}

// ids lists the ids of the waiting messages (for completion).
func (b *ackBook) ids(v codec.Version) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := b.idsLocked(v)
	if v == codec.V11 {
		for i, id := range ids {
			ids[i], _, _ = strings.Cut(id, " ")
		}
	}
	return ids
}
