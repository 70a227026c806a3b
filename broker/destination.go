package broker

import (
	"strings"
	"sync/atomic"
)

// Destination name prefixes with a meaning of their own. Any other name is
// a queue.
const (
	prefixTopic      = "/topic/"
	prefixTempQueue  = "/temp-queue/"
	prefixReplyQueue = "/reply-queue/"
)

// destination routes messages to subscriptions. Every method is safe for
// concurrent use; each destination has its own lock, so publishers to
// different destinations never contend.
type destination interface {
	// Name returns the destination's name.
	Name() string
	// publish routes a message; buf is scratch space for encoding.
	publish(m *message, buf *[]byte)
	// attach adds a subscription and delivers what waits for it.
	attach(sub *subscription, buf *[]byte)
	// detach removes a subscription.
	detach(sub *subscription)
	// redeliver takes back messages sub did not acknowledge (NACK,
	// UNSUBSCRIBE, a closed connection).
	redeliver(sub *subscription, ps []pending, buf *[]byte)
	// counts returns the destination's message counters.
	counts() *tally
	// stats describes the destination.
	stats() DestinationStats
}

// tally counts a destination's messages.
type tally struct {
	in, out, dropped atomic.Uint64
}

func (c *tally) counts() *tally { return c }

// lookupDestination returns the destination named name, creating a queue
// or topic on first use. A /reply-queue/ name is found, never created: it
// exists while the connection that owns it is open; nil means it is gone.
// Temp queues are resolved per session (see session.tempQueue).
func (b *Broker) lookupDestination(name string) destination {
	if d, ok := b.dests.Load(name); ok {
		return d.(destination)
	}
	var d destination
	switch {
	case strings.HasPrefix(name, prefixReplyQueue):
		return nil
	case strings.HasPrefix(name, prefixTopic):
		d = newTopic(name)
	default:
		d = newQueue(name)
	}
	actual, _ := b.dests.LoadOrStore(name, d)
	return actual.(destination)
}
