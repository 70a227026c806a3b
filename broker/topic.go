package broker

import (
	"slices"
	"sync"
	"sync/atomic"
)

// topic delivers each message to every subscriber and drops it when there
// is none. Publishing takes no lock: the subscriber list is an immutable
// slice replaced on every change (copy on write), and each subscriber is
// served under its own session's lock.
type topic struct {
	name string
	tally

	mu   sync.Mutex // serializes changes of subs
	subs atomic.Pointer[[]*subscription]
}

func newTopic(name string) *topic { return &topic{name: name} }

// Name returns the topic's name.
func (t *topic) Name() string { return t.name }

func (t *topic) publish(m *message, buf *[]byte) {
	t.in.Add(1)
	subs := t.subs.Load()
	if subs == nil || len(*subs) == 0 {
		t.dropped.Add(1)
		return
	}
	if len(*subs) > 1 {
		var versions uint8
		for _, sub := range *subs {
			versions |= 1 << versionIndex(sub.version)
		}
		m.cacheTails(versions)
	}
	for _, sub := range *subs {
		sub.push(m, false, buf)
	}
}

func (t *topic) attach(sub *subscription, _ *[]byte) {
	t.mu.Lock()
	var next []*subscription
	if old := t.subs.Load(); old != nil {
		next = append(make([]*subscription, 0, len(*old)+1), *old...)
	}
	next = append(next, sub)
	t.subs.Store(&next)
	t.mu.Unlock()
}

func (t *topic) detach(sub *subscription) {
	t.mu.Lock()
	if old := t.subs.Load(); old != nil {
		if i := slices.Index(*old, sub); i >= 0 {
			next := slices.Concat((*old)[:i], (*old)[i+1:])
			t.subs.Store(&next)
		}
	}
	t.mu.Unlock()
}

// redeliver gives NACKed messages back to the subscription that had them;
// messages of a subscription that is gone are dropped.
func (t *topic) redeliver(sub *subscription, ps []pending, buf *[]byte) {
	for _, p := range ps {
		if !sub.push(p.m, true, buf) {
			t.dropped.Add(1)
		}
	}
}

func (t *topic) stats() DestinationStats {
	n := 0
	if subs := t.subs.Load(); subs != nil {
		n = len(*subs)
	}
	return DestinationStats{
		Name: t.name, Kind: KindTopic, Consumers: n,
		In: t.in.Load(), Out: t.out.Load(), Dropped: t.dropped.Load(),
	}
}
