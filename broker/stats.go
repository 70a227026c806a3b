package broker

import (
	"cmp"
	"slices"
)

// Kind says how a destination routes messages.
type Kind uint8

const (
	// KindQueue delivers each message to one consumer and holds messages
	// while no consumer can take them.
	KindQueue Kind = iota + 1
	// KindTopic delivers each message to every subscriber and drops it
	// when there is none.
	KindTopic
)

// String returns "queue" or "topic".
func (k Kind) String() string {
	switch k {
	case KindQueue:
		return "queue"
	case KindTopic:
		return "topic"
	}
	return "unknown"
}

// Stats is a snapshot of a broker's state. Counters are cumulative since
// Start; they survive Restart.
type Stats struct {
	Connections   int    // open connections, connected or not
	Subscriptions int    // subscriptions, including temp-queue ones
	MessagesIn    uint64 // messages routed (SENDs, committed ones for transactions)
	MessagesOut   uint64 // MESSAGE frames written, redeliveries included
	// MessagesDropped counts messages nobody got: sent to a topic without
	// subscribers or to a reply queue that is gone, or left in the backlog
	// of a subscriber that went away.
	MessagesDropped uint64
	Destinations    []DestinationStats // sorted by name
}

// DestinationStats describes one destination.
type DestinationStats struct {
	Name      string
	Kind      Kind
	Depth     int // messages a queue holds, not yet delivered
	Consumers int // subscriptions attached
	In        uint64
	Out       uint64
	Dropped   uint64
}

// Stats returns a snapshot of the broker's state. Safe for concurrent use;
// each destination is read under its own lock, so the totals of a busy
// broker are not one atomic picture.
func (b *Broker) Stats() Stats {
	st := Stats{
		Subscriptions:   int(b.subscriptions.Load()),
		MessagesIn:      b.noRoute.Load(),
		MessagesDropped: b.noRoute.Load(),
	}
	b.mu.Lock()
	st.Connections = len(b.sessions)
	b.mu.Unlock()
	b.dests.Range(func(_, v any) bool {
		ds := v.(destination).stats()
		st.Destinations = append(st.Destinations, ds)
		st.MessagesIn += ds.In
		st.MessagesOut += ds.Out
		st.MessagesDropped += ds.Dropped
		return true
	})
	slices.SortFunc(st.Destinations, func(a, b DestinationStats) int { return cmp.Compare(a.Name, b.Name) })
	return st
}

// Destination returns the stats of the destination named name, and false
// when it does not exist. Safe for concurrent use.
func (b *Broker) Destination(name string) (DestinationStats, bool) {
	d, ok := b.dests.Load(name)
	if !ok {
		return DestinationStats{}, false
	}
	return d.(destination).stats(), true
}
