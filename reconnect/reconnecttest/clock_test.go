package reconnecttest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/reconnect"
)

var _ reconnect.Clock = (*Clock)(nil)

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// fired returns the values available on the timers' channels, or the zero
// time for a timer that has not fired.
func fired(ts ...reconnect.Timer) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		select {
		case v := <-t.C():
			out[i] = v
		default:
		}
	}
	return out
}

func TestAdvanceFiresInOrder(t *testing.T) {
	c := NewClock(epoch)
	if !c.Now().Equal(epoch) {
		t.Fatalf("Now() = %v, want %v", c.Now(), epoch)
	}
	t3 := c.NewTimer(3 * time.Second)
	t1 := c.NewTimer(time.Second)
	t1b := c.NewTimer(time.Second)
	t5 := c.NewTimer(5 * time.Second)
	if n := c.Pending(); n != 4 {
		t.Fatalf("Pending() = %d, want 4", n)
	}

	c.Advance(3 * time.Second)
	got := fired(t1, t1b, t3, t5)
	want := []time.Time{epoch.Add(time.Second), epoch.Add(time.Second), epoch.Add(3 * time.Second), {}}
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("after 3s fired %v, want %v", got, want)
	}
	if n := c.Pending(); n != 1 {
		t.Errorf("Pending() = %d, want 1", n)
	}

	c.Advance(-time.Hour) // ignored
	if !c.Now().Equal(epoch.Add(3 * time.Second)) {
		t.Errorf("negative Advance moved the clock to %v", c.Now())
	}
	c.Advance(10 * time.Second)
	if got := fired(t5); !got[0].Equal(epoch.Add(5 * time.Second)) {
		t.Errorf("t5 fired %v, want %v", got[0], epoch.Add(5*time.Second))
	}
	if !c.Now().Equal(epoch.Add(13 * time.Second)) {
		t.Errorf("Now() = %v, want +13s", c.Now())
	}
	if t5.Stop() {
		t.Error("Stop() after firing = true")
	}
}

// TestAdvanceTieOrder checks that timers with equal deadlines fire in order
// of creation, observed through the clock time each one sees.
func TestAdvanceTieOrder(t *testing.T) {
	c := NewClock(epoch)
	var ts []reconnect.Timer
	for range 5 {
		ts = append(ts, c.NewTimer(time.Second))
	}
	ts[0].Stop()
	c.Advance(time.Second)
	got := fired(ts...)
	if !got[0].IsZero() {
		t.Error("stopped timer fired")
	}
	for i := 1; i < 5; i++ {
		if !got[i].Equal(epoch.Add(time.Second)) {
			t.Errorf("timer %d fired %v", i, got[i])
		}
	}
}

func TestStop(t *testing.T) {
	c := NewClock(epoch)
	tm := c.NewTimer(time.Second)
	if !tm.Stop() {
		t.Error("Stop() on a pending timer = false")
	}
	if tm.Stop() {
		t.Error("second Stop() = true")
	}
	c.Advance(time.Hour)
	if got := fired(tm); !got[0].IsZero() {
		t.Errorf("stopped timer fired at %v", got[0])
	}
	if tm.C() != tm.C() {
		t.Error("C() not stable")
	}
}

func TestImmediateTimer(t *testing.T) {
	c := NewClock(epoch)
	for _, d := range []time.Duration{0, -time.Second} {
		tm := c.NewTimer(d)
		if got := fired(tm); !got[0].Equal(epoch) {
			t.Errorf("NewTimer(%v) fired %v, want %v at once", d, got[0], epoch)
		}
		if tm.Stop() {
			t.Errorf("NewTimer(%v).Stop() = true, want false (already fired)", d)
		}
	}
	if n := c.Pending(); n != 0 {
		t.Errorf("Pending() = %d, want 0", n)
	}
}

func TestBlockUntilTimers(t *testing.T) {
	c := NewClock(epoch)
	if err := c.BlockUntilTimers(context.Background(), 0); err != nil {
		t.Fatalf("BlockUntilTimers(0) = %v", err)
	}

	done := make(chan error, 1)
	go func() { done <- c.BlockUntilTimers(context.Background(), 2) }()
	c.NewTimer(time.Second)
	c.NewTimer(time.Second)
	if err := <-done; err != nil {
		t.Errorf("BlockUntilTimers(2) = %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	if err := c.BlockUntilTimers(ctx, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("BlockUntilTimers(cancelled) = %v, want context.Canceled", err)
	}
}

// TestConcurrentUse is meant for the race detector.
func TestConcurrentUse(t *testing.T) {
	c := NewClock(epoch)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const n = 8
	done := make(chan error, n)
	for range n {
		go func() { done <- reconnect.Wait(ctx, c, time.Minute) }()
	}
	if err := c.BlockUntilTimers(ctx, n); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	for range n {
		if err := <-done; err != nil {
			t.Errorf("Wait() = %v", err)
		}
	}
}
