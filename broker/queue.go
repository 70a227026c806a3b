package broker

import (
	"slices"
	"sync"
)

// queue delivers each message to one consumer, round robin, and holds it
// while no consumer can take it: nobody subscribes, every consumer's
// prefetch window is full or its connection is past the high-water mark.
// Undelivered messages stay here, never in a consumer.
type queue struct {
	name string
	tally

	mu        sync.Mutex
	held      fifo
	consumers []*subscription
	next      int // round-robin position
}

func newQueue(name string) *queue { return &queue{name: name} }

// Name returns the queue's name.
func (q *queue) Name() string { return q.name }

func (q *queue) publish(m *message, buf *[]byte) {
	q.in.Add(1)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.held.len() == 0 {
		if q.dispatch(m, false, buf) {
			return
		}
		m.compact() // it may wait long: stop pinning the decoder's memory
		q.held.push(pending{m, false})
		return
	}
	m.compact()
	q.held.push(pending{m, false})
	q.pumpLocked(buf)
}

// dispatch offers m to each consumer once, starting after the last one
// served. q.mu held.
func (q *queue) dispatch(m *message, redelivered bool, buf *[]byte) bool {
	n := len(q.consumers)
	for i := range n {
		k := (q.next + i) % n
		if q.consumers[k].offer(m, redelivered, buf) {
			q.next = (k + 1) % n
			return true
		}
	}
	return false
}

// pump delivers held messages while a consumer can take them.
func (q *queue) pump(buf *[]byte) {
	q.mu.Lock()
	q.pumpLocked(buf)
	q.mu.Unlock()
}

func (q *queue) pumpLocked(buf *[]byte) {
	for q.held.len() > 0 {
		p := q.held.front()
		if !q.dispatch(p.m, p.redelivered, buf) {
			return
		}
		q.held.pop()
	}
}

func (q *queue) attach(sub *subscription, buf *[]byte) {
	q.mu.Lock()
	q.consumers = append(q.consumers, sub)
	q.pumpLocked(buf)
	q.mu.Unlock()
}

func (q *queue) detach(sub *subscription) {
	q.mu.Lock()
	if i := slices.Index(q.consumers, sub); i >= 0 {
		q.consumers = slices.Delete(q.consumers, i, i+1)
		if q.next > i {
			q.next--
		}
		if q.next >= len(q.consumers) {
			q.next = 0
		}
	}
	q.mu.Unlock()
}

// redeliver puts messages back at the head of the queue, in their order,
// marked redelivered, and delivers what it can.
func (q *queue) redeliver(_ *subscription, ps []pending, buf *[]byte) {
	if len(ps) == 0 {
		return
	}
	q.mu.Lock()
	q.held.pushFront(ps)
	q.pumpLocked(buf)
	q.mu.Unlock()
}

// drop discards the held messages of a temp queue whose owner left.
func (q *queue) drop() {
	q.mu.Lock()
	q.dropped.Add(uint64(q.held.len()))
	q.held.reset()
	q.mu.Unlock()
}

func (q *queue) stats() DestinationStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return DestinationStats{
		Name: q.name, Kind: KindQueue, Depth: q.held.len(), Consumers: len(q.consumers),
		In: q.in.Load(), Out: q.out.Load(), Dropped: q.dropped.Load(),
	}
}
