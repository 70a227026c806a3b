package loadgen

import (
	"sync"
	"sync/atomic"
)

// Window sizes, in sequence numbers. A queue's window is shared by every
// consumer of the producer's messages, which arrive interleaved and, across
// consumers, somewhat out of order: it is wide. A topic subscriber sees one
// producer's messages in order: its window can be narrow, and there are
// many of them (subscribers × producers).
const (
	queueWindow = 1 << 16 // 8 KiB per producer
	topicWindow = 1 << 10 // 128 B per subscriber and producer
)

// window tracks which sequence numbers of one producer one receiver (or,
// on a queue, all of them) has seen, over the last len(bits)*64 numbers.
// A number seen twice in the window is a duplicate; a number that falls
// behind the window can no longer be checked and counts as reordered.
type window struct {
	mu        sync.Mutex
	base      uint64 // the lowest sequence number the window covers
	bits      []uint64
	unique    uint64
	dups      uint64
	reordered uint64
}

func newWindow(size int) *window { return &window{bits: make([]uint64, size/64)} }

// record notes seq and reports whether it was a duplicate.
func (w *window) record(seq uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	span := uint64(len(w.bits)) * 64
	if seq < w.base {
		w.reordered++
		w.unique++ // most likely a late first arrival; it cannot be told apart
		return false
	}
	if seq >= w.base+span {
		w.slide(seq - span + 1)
	}
	i := seq % span
	word, bit := i/64, uint64(1)<<(i%64)
	if w.bits[word]&bit != 0 {
		w.dups++
		return true
	}
	w.bits[word] |= bit
	w.unique++
	return false
}

// slide moves the window's base up to base, forgetting what falls out.
func (w *window) slide(base uint64) {
	span := uint64(len(w.bits)) * 64
	if base-w.base >= span {
		clear(w.bits)
		w.base = base
		return
	}
	for s := w.base; s < base; s++ {
		i := s % span
		w.bits[i/64] &^= 1 << (i % 64)
	}
	w.base = base
}

// tracker holds the windows of a run: windows[g][p] is receiver group g's
// window for producer p (nil when g never receives from p). On a queue
// there is one group; on a topic each consumer is a group.
type tracker struct {
	run     uint32
	kind    Kind
	windows [][]*window
	foreign atomic.Uint64
	invalid atomic.Uint64
}

func newTracker(run uint32, s *Scenario) *tracker {
	t := &tracker{run: run, kind: s.Kind}
	if s.Kind == Queue {
		t.windows = [][]*window{make([]*window, s.Producers)}
		for p := range s.Producers {
			t.windows[0][p] = newWindow(queueWindow)
		}
		return t
	}
	t.windows = make([][]*window, s.Consumers)
	for c := range s.Consumers {
		t.windows[c] = make([]*window, s.Producers)
		for p := range s.Producers {
			if p%s.Destinations == c%s.Destinations {
				t.windows[c][p] = newWindow(topicWindow)
			}
		}
	}
	return t
}

// outcome is what the tracker made of one message.
type outcome uint8

const (
	fresh outcome = iota
	duplicate
	foreign // a bench body of another run
	garbage // not a bench body, or from a producer this run does not have
)

// record checks one received message for consumer c.
func (t *tracker) record(c int, h *payloadHeader) outcome {
	if h.run != t.run {
		t.foreign.Add(1)
		return foreign
	}
	g := 0
	if t.kind == Topic {
		g = c
	}
	ws := t.windows[g]
	if int(h.producer) >= len(ws) || ws[h.producer] == nil {
		t.invalid.Add(1)
		return garbage
	}
	if ws[h.producer].record(h.seq) {
		return duplicate
	}
	return fresh
}

// totals adds up the windows.
func (t *tracker) totals() (unique, dups, reordered uint64) {
	for _, ws := range t.windows {
		for _, w := range ws {
			if w == nil {
				continue
			}
			w.mu.Lock()
			unique += w.unique
			dups += w.dups
			reordered += w.reordered
			w.mu.Unlock()
		}
	}
	return unique, dups, reordered
}
