package loop

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWheelFiresNoEarlierThanAsked(t *testing.T) {
	w := NewWheel(time.Millisecond, 64) // horizon 64 ms: later timers use the heap
	defer w.Stop()
	var wg sync.WaitGroup
	delays := []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 63 * time.Millisecond, 64 * time.Millisecond, 65 * time.Millisecond, 200 * time.Millisecond}
	var early atomic.Int32
	for _, d := range delays {
		for range 20 {
			wg.Add(1)
			start := time.Now()
			w.AfterFunc(d, func() {
				if time.Since(start) < d {
					early.Add(1)
				}
				wg.Done()
			})
		}
	}
	wg.Wait()
	if early.Load() != 0 {
		t.Fatalf("%d timers fired early", early.Load())
	}
	if w.Len() != 0 {
		t.Fatalf("%d timers left", w.Len())
	}
}

func TestWheelStopAndReset(t *testing.T) {
	// 100 ms ticks: "a" sits in a slot of the wheel (not the far heap) for
	// long enough that no stall of the test makes it fire before Stop.
	w := NewWheel(100*time.Millisecond, 16)
	defer w.Stop()
	fired := make(chan string, 10)
	a := w.AfterFunc(time.Second, func() { fired <- "a" })
	far := w.AfterFunc(time.Hour, func() { fired <- "far" })
	if !a.Stop() || a.Stop() {
		t.Fatal("Stop should report pending once")
	}
	if !far.Stop() {
		t.Fatal("far timer not pending")
	}
	b := w.AfterFunc(time.Hour, func() { fired <- "b" })
	if !b.Reset(2 * time.Millisecond) {
		t.Fatal("Reset of a pending timer")
	}
	if got := <-fired; got != "b" {
		t.Fatalf("fired %s", got)
	}
	if b.Stop() {
		t.Fatal("a fired timer is not pending")
	}
	// A fired timer can be reset and fires again.
	b.Reset(time.Millisecond)
	if got := <-fired; got != "b" {
		t.Fatalf("fired %s", got)
	}
	select {
	case got := <-fired:
		t.Fatalf("%s fired after Stop", got)
	default:
	}
	if w.Len() != 0 {
		t.Fatalf("%d pending", w.Len())
	}
}

func TestWheelResetFromCallback(t *testing.T) {
	w := NewWheel(time.Millisecond, 16)
	defer w.Stop()
	var n atomic.Int32
	done := make(chan struct{})
	var tm *Timer
	tm = w.AfterFunc(time.Hour, func() {
		if n.Add(1) == 5 {
			close(done)
			return
		}
		tm.Reset(time.Millisecond)
	})
	tm.Reset(time.Millisecond)
	<-done
}

func TestWheelStopIsIdempotentAndSilencesTimers(t *testing.T) {
	w := NewWheel(time.Millisecond, 16)
	w.AfterFunc(time.Hour, func() { t.Error("fired after Stop") })
	w.Stop()
	w.Stop()
}
