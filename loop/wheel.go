package loop

import (
	"container/heap"
	"sync"
	"time"
)

// Wheel is a hashed timing wheel: one goroutine and one ticker serve every
// timer of an engine (heart-beats, connect and receipt deadlines), so a
// connection costs a list entry, not a runtime timer.
//
// Timers due within the wheel's horizon (slots × tick) sit in a slot list;
// later ones wait in a heap and move into the wheel when they come within
// the horizon, once. A tick therefore costs O(due timers), whatever the
// number of connections.
//
// Callbacks run on the wheel's goroutine, one after another. They must not
// block: post the real work to an event loop (gnet's Conn.Wake or
// EventLoop.Execute) or a channel. Timers fire no earlier than asked and at
// most about one tick late.
type Wheel struct {
	tick  time.Duration
	slots []timerList
	mask  uint64

	mu    sync.Mutex
	now   uint64    // ticks elapsed since start
	start time.Time // the time of tick 0
	far   farHeap   // timers beyond the horizon
	count int

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// Timer is one scheduled callback. Its methods are safe for concurrent use.
type Timer struct {
	w          *Wheel
	fn         func()
	at         uint64 // tick at which it fires
	prev, next *Timer
	list       *timerList
	heapIndex  int // index in the far heap, or -1
}

type timerList struct{ head Timer }

// NewWheel returns a started wheel with the given tick (default 10 ms when
// zero) and number of slots (rounded up to a power of two; default 4096).
// Stop it with [Wheel.Stop].
func NewWheel(tick time.Duration, slots int) *Wheel {
	if tick <= 0 {
		tick = 10 * time.Millisecond
	}
	if slots <= 0 {
		slots = 4096
	}
	n := 1
	for n < slots {
		n <<= 1
	}
	w := &Wheel{
		tick:  tick,
		slots: make([]timerList, n),
		mask:  uint64(n - 1),
		start: time.Now(),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	for i := range w.slots {
		l := &w.slots[i]
		l.head.next, l.head.prev = &l.head, &l.head
	}
	go w.run()
	return w
}

// Tick returns the wheel's resolution.
func (w *Wheel) Tick() time.Duration { return w.tick }

// Len returns the number of pending timers.
func (w *Wheel) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}

// AfterFunc schedules fn to run on the wheel goroutine after d. It is safe
// for concurrent use. After [Wheel.Stop] the timer never fires.
func (w *Wheel) AfterFunc(d time.Duration, fn func()) *Timer {
	t := &Timer{w: w, fn: fn, heapIndex: -1}
	w.mu.Lock()
	w.schedule(t, d)
	w.mu.Unlock()
	return t
}

// Stop cancels the timer. It reports whether the timer was pending; false
// means it already fired (or is firing) or was stopped.
func (t *Timer) Stop() bool {
	w := t.w
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.remove(t)
}

// Reset reschedules the timer to fire after d, whether or not it was
// pending, and reports whether it was pending.
func (t *Timer) Reset(d time.Duration) bool {
	w := t.w
	w.mu.Lock()
	defer w.mu.Unlock()
	was := w.remove(t)
	w.schedule(t, d)
	return was
}

// schedule places t; w.mu is held. The delay is rounded up to whole ticks
// counted from the real time, so a timer never fires early.
func (w *Wheel) schedule(t *Timer, d time.Duration) {
	elapsed := time.Since(w.start)
	target := elapsed + max(d, 0)
	at := uint64((target + w.tick - 1) / w.tick)
	if at <= w.now {
		at = w.now + 1
	}
	t.at = at
	w.count++
	if at-w.now > uint64(len(w.slots)) {
		heap.Push(&w.far, t)
		return
	}
	w.slots[at&w.mask].push(t)
}

func (w *Wheel) remove(t *Timer) bool {
	switch {
	case t.list != nil:
		t.list.unlink(t)
	case t.heapIndex >= 0:
		heap.Remove(&w.far, t.heapIndex)
	default:
		return false
	}
	w.count--
	return true
}

// Stop stops the wheel's goroutine and waits for it to end. Pending timers
// never fire. Stop is idempotent.
func (w *Wheel) Stop() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

func (w *Wheel) run() {
	defer close(w.done)
	ticker := time.NewTicker(w.tick)
	defer ticker.Stop()
	var due []*Timer
	for {
		select {
		case <-w.stop:
			return
		case now := <-ticker.C:
			due = w.advance(now, due[:0])
			for i, t := range due {
				t.fn()
				due[i] = nil
			}
		}
	}
}

// advance moves the wheel to the current time and collects what is due.
func (w *Wheel) advance(now time.Time, due []*Timer) []*Timer {
	target := uint64(now.Sub(w.start) / w.tick)
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.now < target {
		w.now++
		// Bring far timers that are now within the horizon into the wheel.
		for len(w.far) > 0 && w.far[0].at-w.now <= uint64(len(w.slots)) {
			t := heap.Pop(&w.far).(*Timer)
			w.slots[t.at&w.mask].push(t)
		}
		l := &w.slots[w.now&w.mask]
		for t := l.head.next; t != &l.head; {
			next := t.next
			if t.at <= w.now {
				l.unlink(t)
				w.count--
				due = append(due, t)
			}
			t = next
		}
	}
	return due
}

func (l *timerList) push(t *Timer) {
	t.list = l
	t.prev = l.head.prev
	t.next = &l.head
	l.head.prev.next = t
	l.head.prev = t
}

func (l *timerList) unlink(t *Timer) {
	t.prev.next = t.next
	t.next.prev = t.prev
	t.prev, t.next, t.list = nil, nil, nil
}

// farHeap orders timers beyond the horizon by their tick.
type farHeap []*Timer

func (h farHeap) Len() int           { return len(h) }
func (h farHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h farHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex, h[j].heapIndex = i, j
}
func (h *farHeap) Push(x any) {
	t := x.(*Timer)
	t.heapIndex = len(*h)
	*h = append(*h, t)
}
func (h *farHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.heapIndex = -1
	*h = old[:len(old)-1]
	return t
}
