package reconnect_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/reconnect"
	"github.com/stampede-mq/stampede/reconnect/reconnecttest"
)

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// startWait runs reconnect.Wait in a goroutine and returns its result
// channel once Wait has created its timer.
func startWait(t *testing.T, ctx context.Context, clk *reconnecttest.Clock, d time.Duration) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- reconnect.Wait(ctx, clk, d) }()
	bctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.BlockUntilTimers(bctx, 1); err != nil {
		t.Fatalf("Wait never created its timer: %v", err)
	}
	return done
}

// receive returns the result of a Wait that must have finished.
func receive(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return")
		return nil
	}
}

func TestWaitFullDuration(t *testing.T) {
	clk := reconnecttest.NewClock(epoch)
	done := startWait(t, context.Background(), clk, 5*time.Second)

	clk.Advance(4 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v after 4s of a 5s wait", err)
	default:
	}
	if n := clk.Pending(); n != 1 {
		t.Fatalf("Pending() = %d after 4s, want 1", n)
	}

	clk.Advance(time.Second)
	if err := receive(t, done); err != nil {
		t.Errorf("Wait() = %v, want nil", err)
	}
	if got := clk.Now(); !got.Equal(epoch.Add(5 * time.Second)) {
		t.Errorf("Now() = %v, want %v", got, epoch.Add(5*time.Second))
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("Pending() = %d after Wait, want 0", n)
	}
}

func TestWaitCancelledDuringWait(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cancel func(context.CancelCauseFunc)
	}{
		{"canceled", func(c context.CancelCauseFunc) { c(nil) }},
		{"canceled with cause", func(c context.CancelCauseFunc) { c(errors.New("shutting down")) }},
	} {
		clk := reconnecttest.NewClock(epoch)
		ctx, cancel := context.WithCancelCause(context.Background())
		done := startWait(t, ctx, clk, time.Hour)
		tc.cancel(cancel)
		if err := receive(t, done); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Wait() = %v, want context.Canceled", tc.name, err)
		}
		// Wait must have stopped its timer before returning.
		if n := clk.Pending(); n != 0 {
			t.Errorf("%s: Pending() = %d after cancellation, want 0 (timer not stopped)", tc.name, n)
		}
		if !clk.Now().Equal(epoch) {
			t.Errorf("%s: clock moved", tc.name)
		}
	}
}

func TestWaitDoneContext(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()

	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"cancelled", cancelled, time.Second, context.Canceled},
		{"cancelled zero delay", cancelled, 0, context.Canceled},
		{"expired", expired, time.Second, context.DeadlineExceeded},
		{"zero delay", context.Background(), 0, nil},
		{"negative delay", context.Background(), -time.Second, nil},
	}
	for _, tt := range tests {
		clk := reconnecttest.NewClock(epoch)
		if err := reconnect.Wait(tt.ctx, clk, tt.d); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: Wait() = %v, want %v", tt.name, err, tt.want)
		}
		// No timer may be left behind, and none is needed.
		if n := clk.Pending(); n != 0 {
			t.Errorf("%s: Pending() = %d, want 0", tt.name, n)
		}
	}
}

func TestWaitSystemClock(t *testing.T) {
	for _, clk := range []reconnect.Clock{reconnect.SystemClock{}, nil} {
		start := time.Now()
		if err := reconnect.Wait(context.Background(), clk, time.Millisecond); err != nil {
			t.Errorf("Wait(%T) = %v, want nil", clk, err)
		}
		if el := time.Since(start); el < time.Millisecond {
			t.Errorf("Wait(%T) returned after %v, want >= 1ms", clk, el)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	if err := reconnect.Wait(ctx, reconnect.SystemClock{}, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(cancelled) = %v, want context.Canceled", err)
	}
}

func TestSystemClock(t *testing.T) {
	var c reconnect.Clock = reconnect.SystemClock{}
	before := time.Now()
	if now := c.Now(); now.Before(before) {
		t.Errorf("Now() = %v, before %v", now, before)
	}
	tm := c.NewTimer(time.Hour)
	if tm.C() == nil || tm.C() != tm.C() {
		t.Error("C() is nil or not stable")
	}
	if !tm.Stop() {
		t.Error("Stop() on a pending timer = false")
	}
	if tm.Stop() {
		t.Error("second Stop() = true")
	}
	tm = c.NewTimer(0)
	<-tm.C()
	if tm.Stop() {
		t.Error("Stop() after firing = true")
	}
}

// TestRetryLoop drives a complete reconnection loop, as the root package
// will, entirely on the fake clock: three failed rounds, each followed by
// the stomp.py default delays, then giving up.
func TestRetryLoop(t *testing.T) {
	clk := reconnecttest.NewClock(epoch)
	policy := reconnect.DefaultBackoff()
	policy.Rand = reconnecttest.FixedRand(0)

	var waits []time.Duration
	done := make(chan int, 1)
	go func() {
		rounds := 0
		for attempt := 1; ; attempt++ {
			rounds++ // every host of the round fails
			d, ok := policy.Next(attempt)
			if !ok {
				done <- rounds
				return
			}
			waits = append(waits, d)
			if err := reconnect.Wait(context.Background(), clk, d); err != nil {
				done <- -1
				return
			}
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, d := range []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 225 * time.Millisecond} {
		if err := clk.BlockUntilTimers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(d)
	}
	if rounds := <-done; rounds != 4 {
		t.Errorf("rounds = %d, want 4 (initial + 3 retries)", rounds)
	}
	if want := epoch.Add(475 * time.Millisecond); !clk.Now().Equal(want) {
		t.Errorf("Now() = %v, want %v", clk.Now(), want)
	}
	if len(waits) != 3 {
		t.Errorf("waits = %v, want 3 of them", waits)
	}
}
