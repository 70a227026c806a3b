package multicast

import "sync/atomic"

// Status is where a [Conn] is in its life.
type Status int32

// The statuses a connection goes through, in order. A connection is never
// reconnected: after StatusClosed, Dial a new one.
const (
	// StatusConnecting: Dial is joining the group.
	StatusConnecting Status = iota
	// StatusConnected: the group is joined; Send and Subscribe work.
	StatusConnected
	// StatusDisconnecting: Disconnect is running.
	StatusDisconnecting
	// StatusClosed: the group is left and the connection is finished.
	StatusClosed
)

// String returns the status in lower case ("connected").
func (s Status) String() string {
	switch s {
	case StatusConnecting:
		return "connecting"
	case StatusConnected:
		return "connected"
	case StatusDisconnecting:
		return "disconnecting"
	case StatusClosed:
		return "closed"
	}
	return "unknown"
}

// Stats counts what a connection did. Every field only grows.
type Stats struct {
	// Sent: datagrams written to the group.
	Sent uint64
	// Received: datagrams read from the group, whatever became of them.
	Received uint64
	// Delivered: messages handed to listeners and handlers, one per
	// matching subscription.
	Delivered uint64
	// Unmatched: SEND frames that no subscription of this member matched,
	// ignored.
	Unmatched uint64
	// Own: this member's own frames dropped because loopback is off.
	Own uint64
	// Ignored: well-formed frames that are not SEND (a RECEIPT answered by
	// a stomp.py member, for instance), ignored.
	Ignored uint64
	// Malformed: datagrams that are not a usable STOMP frame, reported to
	// the error listeners.
	Malformed uint64
	// Dropped: messages and error reports dropped because the dispatch
	// queue was full, reported to the error listeners with ErrQueueFull.
	Dropped uint64
}

type counters struct {
	sent, received, delivered, unmatched, own, ignored, malformed, dropped atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Sent:      c.sent.Load(),
		Received:  c.received.Load(),
		Delivered: c.delivered.Load(),
		Unmatched: c.unmatched.Load(),
		Own:       c.own.Load(),
		Ignored:   c.ignored.Load(),
		Malformed: c.malformed.Load(),
		Dropped:   c.dropped.Load(),
	}
}
