package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/reconnect"
	"github.com/stampede-mq/stampede/reconnect/reconnecttest"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// flaky fails with err for the first failures calls, then succeeds.
type flaky struct {
	failures int
	err      error
	calls    atomic.Int32
}

func (f *flaky) HandleMessage(context.Context, *handlers.Message) error {
	if int(f.calls.Add(1)) <= f.failures {
		return f.err
	}
	return nil
}

// retryRun runs h in a goroutine and, for each delay in advance, waits
// until the handler waits on clk and advances clk by that delay. It returns
// the handler's result.
func retryRun(t *testing.T, ctx context.Context, h handlers.Handler, clk *reconnecttest.Clock, advance ...time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- h.HandleMessage(ctx, newMessage("/q", "1")) }()
	for _, d := range advance {
		if err := clk.BlockUntilTimers(testContext(t), 1); err != nil {
			t.Fatalf("Retry never waited: %v", err)
		}
		clk.Advance(d)
	}
	return receive(t, done)
}

func TestRetryUntilSuccess(t *testing.T) {
	boom := errors.New("boom")
	clk := reconnecttest.NewClock(epoch)
	f := &flaky{failures: 2, err: boom}
	var notes []string
	h := handlers.Retry(reconnect.Constant{Delay: time.Second, Attempts: 5},
		handlers.RetryClock(clk),
		handlers.RetryNotify(func(_ context.Context, m *handlers.Message, attempt int, err error, d time.Duration) {
			notes = append(notes, fmt.Sprintf("%s %v %v %d", m.ID(), err, d, attempt))
		}))(f)
	if err := retryRun(t, context.Background(), h, clk, time.Second, time.Second); err != nil {
		t.Fatalf("err = %v, want success on the third attempt", err)
	}
	if n := f.calls.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if want := []string{"1 boom 1s 1", "1 boom 1s 2"}; !slices.Equal(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	if got := clk.Now().Sub(epoch); got != 2*time.Second {
		t.Errorf("waited %v on the clock, want 2s", got)
	}
}

func TestRetryWaitsThePolicysDelays(t *testing.T) {
	policy := reconnect.DefaultBackoff() // 100ms, growing by 50%, 3 retries
	policy.Rand = reconnecttest.FixedRand(0)
	clk := reconnecttest.NewClock(epoch)
	boom := errors.New("boom")
	f := &flaky{failures: 100, err: boom}
	var delays []time.Duration
	h := handlers.Retry(policy, handlers.RetryClock(clk),
		handlers.RetryNotify(func(_ context.Context, _ *handlers.Message, _ int, _ error, d time.Duration) {
			delays = append(delays, d)
		}))(f)
	want := []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 225 * time.Millisecond}
	err := retryRun(t, context.Background(), h, clk, want...)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "gave up after 4 attempt(s)") {
		t.Errorf("err = %v, want boom after 4 attempts", err)
	}
	if !slices.Equal(delays, want) || f.calls.Load() != 4 {
		t.Errorf("delays %v after %d calls, want %v after 4", delays, f.calls.Load(), want)
	}
}

func TestRetryStopsOnNonRetryable(t *testing.T) {
	boom := errors.New("boom")
	other := errors.New("other")
	for _, tc := range []struct {
		name string
		err  error
		opts []handlers.RetryOption
	}{
		{"permanent", handlers.Permanent(boom), nil},
		{"canceled", context.Canceled, nil},
		{"deadline", context.DeadlineExceeded, nil},
		{"no route", &handlers.NoRouteError{Destination: "/q"}, nil},
		{"RetryIf", other, []handlers.RetryOption{handlers.RetryIf(func(err error) bool { return errors.Is(err, boom) })}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &flaky{failures: 100, err: tc.err}
			h := handlers.Retry(reconnect.Constant{Attempts: reconnect.Forever}, tc.opts...)(f)
			err := h.HandleMessage(context.Background(), newMessage("/q", "1"))
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), "not retryable after 1 attempt(s)") {
				t.Errorf("err = %v", err)
			}
			if n := f.calls.Load(); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}

func TestRetryIfRetriesWhatItSays(t *testing.T) {
	f := &flaky{failures: 2, err: context.Canceled}
	h := handlers.Retry(reconnect.Constant{Attempts: 5},
		handlers.RetryIf(func(error) bool { return true }), handlers.RetryIf(nil), nil, handlers.RetryClock(nil))(f)
	// RetryIf(nil) restored the default, which does not retry context errors.
	if err := h.HandleMessage(context.Background(), newMessage("/q", "1")); !errors.Is(err, context.Canceled) || f.calls.Load() != 1 {
		t.Errorf("err = %v after %d calls", err, f.calls.Load())
	}
	f = &flaky{failures: 2, err: context.Canceled}
	h = handlers.Retry(reconnect.Constant{Attempts: 5}, handlers.RetryIf(func(error) bool { return true }))(f)
	if err := h.HandleMessage(context.Background(), newMessage("/q", "1")); err != nil || f.calls.Load() != 3 {
		t.Errorf("err = %v after %d calls, want success after 3", err, f.calls.Load())
	}
}

func TestRetryGivesUpAtOnceWithoutPolicy(t *testing.T) {
	boom := errors.New("boom")
	for _, p := range []reconnect.Policy{nil, reconnect.Never{}, reconnect.Constant{Attempts: 0}} {
		f := &flaky{failures: 100, err: boom}
		err := handlers.Retry(p)(f).HandleMessage(context.Background(), newMessage("/q", "1"))
		if !errors.Is(err, boom) || f.calls.Load() != 1 {
			t.Errorf("policy %#v: err = %v after %d calls", p, err, f.calls.Load())
		}
	}
}

func TestRetryHonoursCancellationWhileWaiting(t *testing.T) {
	boom := errors.New("boom")
	clk := reconnecttest.NewClock(epoch)
	f := &flaky{failures: 100, err: boom}
	h := handlers.Retry(reconnect.Constant{Delay: time.Hour, Attempts: 5}, handlers.RetryClock(clk))(f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.HandleMessage(ctx, newMessage("/q", "1")) }()
	if err := clk.BlockUntilTimers(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := receive(t, done)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, boom) || !strings.Contains(err.Error(), "stopped after 1 attempt(s)") {
		t.Errorf("err = %v, want Canceled and the last error", err)
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("%d timers left behind", n)
	}
	if f.calls.Load() != 1 {
		t.Errorf("%d attempts, want 1", f.calls.Load())
	}
}
