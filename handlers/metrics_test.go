package handlers_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/reconnect/reconnecttest"
)

// takes returns a handler that advances clk by d (the time it "takes")
// and returns err.
func takes(clk *reconnecttest.Clock, err error) handlers.Handler {
	return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
		d, _ := time.ParseDuration(m.Header("took"))
		clk.Advance(d)
		return err
	})
}

// within reports whether est is a valid estimate of truth: never below, at
// most 12.5% above.
func within(est, truth time.Duration) bool {
	return est >= truth && float64(est) <= float64(truth)*1.125
}

func TestMetricsCountsAndLatency(t *testing.T) {
	clk := reconnecttest.NewClock(epoch)
	m := handlers.NewMetrics(handlers.MetricsClock(clk), nil)
	boom := errors.New("boom")
	okH := m.Middleware()(takes(clk, nil))
	badH := m.Middleware()(takes(clk, boom))
	// 100 messages taking 1ms..100ms; every tenth fails.
	for i := 1; i <= 100; i++ {
		h := okH
		if i%10 == 0 {
			h = badH
		}
		msg := newMessage("/q", "1", "took", (time.Duration(i) * time.Millisecond).String())
		if err := h.HandleMessage(context.Background(), msg); (err != nil) != (i%10 == 0) {
			t.Fatalf("message %d: err = %v", i, err)
		}
	}
	s := m.Snapshot()
	if s.Handled != 100 || s.Failed != 10 || s.InFlight != 0 {
		t.Errorf("counts %+v", s)
	}
	if s.Max != 100*time.Millisecond || s.Mean != 50500*time.Microsecond {
		t.Errorf("Max %v Mean %v, want 100ms 50.5ms", s.Max, s.Mean)
	}
	for _, q := range []struct {
		name       string
		est, truth time.Duration
	}{
		{"P50", s.P50, 50 * time.Millisecond},
		{"P90", s.P90, 90 * time.Millisecond},
		{"P99", s.P99, 99 * time.Millisecond},
		{"Quantile(0.25)", m.Quantile(0.25), 25 * time.Millisecond},
	} {
		if !within(q.est, q.truth) {
			t.Errorf("%s = %v, want within [%v, +12.5%%]", q.name, q.est, q.truth)
		}
	}
	if s.Destinations != nil {
		t.Errorf("Destinations = %v without MetricsPerDestination", s.Destinations)
	}
}

func TestMetricsInFlightAndPanics(t *testing.T) {
	var m handlers.Metrics // the zero value works
	entered, release := make(chan struct{}), make(chan struct{})
	h := m.Middleware()(handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
		entered <- struct{}{}
		<-release
		panic("late panic")
	}))
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		_ = h.HandleMessage(context.Background(), newMessage("/q", "1"))
	}()
	receive(t, entered)
	if s := m.Snapshot(); s.InFlight != 1 || s.Handled != 0 {
		t.Errorf("while handling: %+v", s)
	}
	close(release)
	if v := receive(t, done); v != "late panic" {
		t.Errorf("the panic was %v, want it to go on", v)
	}
	if s := m.Snapshot(); s.InFlight != 0 || s.Handled != 1 || s.Failed != 1 {
		t.Errorf("after the panic: %+v", s)
	}
}

func TestMetricsPerDestination(t *testing.T) {
	m := handlers.NewMetrics(handlers.MetricsPerDestination(2))
	h := m.Middleware()(handlers.HandlerFunc(func(_ context.Context, msg *handlers.Message) error {
		if msg != nil && msg.Header("fail") != "" {
			return errors.New("x")
		}
		return nil
	}))
	for _, d := range []struct{ dest, fail string }{
		{"/queue/a", ""}, {"/queue/b", "y"}, {"/queue/a", "y"}, {"/queue/c", ""}, {"/queue/d", "y"}, {"/queue/b", ""},
	} {
		_ = h.HandleMessage(context.Background(), newMessage(d.dest, "1", "fail", d.fail))
	}
	_ = h.HandleMessage(context.Background(), nil) // counted, with no destination
	got := m.Snapshot().Destinations
	want := map[string]handlers.DestinationCounts{
		"/queue/a":                 {Handled: 2, Failed: 1},
		"/queue/b":                 {Handled: 2, Failed: 1},
		handlers.OtherDestinations: {Handled: 2, Failed: 1},
	}
	if len(got) != len(want) {
		t.Errorf("Destinations = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Destinations[%q] = %+v, want %+v", k, got[k], v)
		}
	}
	if s := m.Snapshot(); s.Handled != 7 {
		t.Errorf("Handled = %d, want 7", s.Handled)
	}
	if d := handlers.NewMetrics(handlers.MetricsPerDestination(2), handlers.MetricsPerDestination(0)).Snapshot().Destinations; d != nil {
		t.Errorf("MetricsPerDestination(0) did not turn counting off: %v", d)
	}
}

func TestMetricsConcurrentUse(t *testing.T) {
	m := handlers.NewMetrics(handlers.MetricsPerDestination(8))
	h := m.Middleware()(ok)
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			msg := newMessage("/queue/"+string(rune('a'+w)), "1")
			for range each {
				_ = h.HandleMessage(context.Background(), msg)
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			_ = m.Snapshot()
		}
	})
	wg.Wait()
	s := m.Snapshot()
	if s.Handled != workers*each || s.InFlight != 0 || len(s.Destinations) != workers {
		t.Errorf("after concurrent use: handled %d in flight %d destinations %d", s.Handled, s.InFlight, len(s.Destinations))
	}
}

func BenchmarkMetricsMiddleware(b *testing.B) {
	m := handlers.NewMetrics()
	h := m.Middleware()(ok)
	msg := newMessage("/queue/orders", "1")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = h.HandleMessage(ctx, msg)
		}
	})
}

func BenchmarkMetricsMiddlewarePerDestination(b *testing.B) {
	m := handlers.NewMetrics(handlers.MetricsPerDestination(100))
	h := m.Middleware()(ok)
	msg := newMessage("/queue/orders", "1")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = h.HandleMessage(ctx, msg)
		}
	})
}

func BenchmarkMetricsSnapshot(b *testing.B) {
	m := handlers.NewMetrics()
	h := m.Middleware()(ok)
	for range 1000 {
		_ = h.HandleMessage(context.Background(), newMessage("/q", "1"))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Snapshot()
	}
}
