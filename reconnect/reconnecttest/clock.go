package reconnecttest

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/stampede-mq/stampede/reconnect"
)

// Clock is a fake [reconnect.Clock] whose time moves only when Advance is
// called. Timers fire during Advance, in order of deadline (ties in order of
// creation), each delivering its deadline as the current time. All methods
// are safe for concurrent use.
//
// A typical test starts the code under test in a goroutine, calls
// BlockUntilTimers to learn that it is now waiting, then Advance:
//
//	clk := reconnecttest.NewClock(time.Unix(0, 0))
//	done := make(chan error, 1)
//	go func() { done <- reconnect.Wait(ctx, clk, time.Second) }()
//	clk.BlockUntilTimers(ctx, 1)
//	clk.Advance(time.Second)
//	err := <-done
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	seq     uint64
	pending []*timer      // active timers, unordered
	changed chan struct{} // closed and replaced when pending changes
}

// NewClock returns a fake clock whose current time is start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, changed: make(chan struct{})}
}

// Now returns the fake current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer that fires when the clock has been advanced by d.
// A d <= 0 fires immediately. The timer's channel has a buffer of one, so
// firing never blocks Advance.
func (c *Clock) NewTimer(d time.Duration) reconnect.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{clock: c, ch: make(chan time.Time, 1), deadline: c.now.Add(d), seq: c.seq}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.pending = append(c.pending, t)
	c.notifyLocked()
	return t
}

// Advance moves the clock forward by d (a negative d is treated as 0),
// firing every timer whose deadline is reached, in deadline order. When
// Advance returns, the fired timers' values are in their channels and Now
// reports the new time.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	end := c.now.Add(max(d, 0))
	slices.SortFunc(c.pending, func(a, b *timer) int {
		if n := a.deadline.Compare(b.deadline); n != 0 {
			return n
		}
		return cmp.Compare(a.seq, b.seq)
	})
	fired := 0
	for _, t := range c.pending {
		if t.deadline.After(end) {
			break
		}
		c.now = t.deadline
		t.ch <- t.deadline
		fired++
	}
	if fired > 0 {
		c.pending = slices.Delete(c.pending, 0, fired)
		c.notifyLocked()
	}
	c.now = end
}

// Pending returns the number of timers that have neither fired nor been
// stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// BlockUntilTimers waits until at least n timers are pending, or ctx is
// done, in which case it returns ctx.Err().
func (c *Clock) BlockUntilTimers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		ok, changed := len(c.pending) >= n, c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// notifyLocked wakes BlockUntilTimers callers. c.mu must be held.
func (c *Clock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// timer is a Clock's reconnect.Timer.
type timer struct {
	clock    *Clock
	ch       chan time.Time
	deadline time.Time
	seq      uint64
}

// C returns the timer's channel.
func (t *timer) C() <-chan time.Time { return t.ch }

// Stop removes the timer from its clock. It reports whether the timer was
// still pending. A value already delivered stays in the channel.
func (t *timer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.pending, t)
	if i < 0 {
		return false
	}
	c.pending = slices.Delete(c.pending, i, i+1)
	c.notifyLocked()
	return true
}
