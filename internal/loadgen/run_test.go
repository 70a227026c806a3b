package loadgen

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }

func TestRunCountsEveryMessage(t *testing.T) {
	s := DefaultScenario()
	s.Producers, s.Consumers = 2, 2
	s.Messages, s.Duration, s.Warmup = 2000, 0, 0
	s.Rate = 20000
	var reports int
	res, err := Run(context.Background(), Target{Embedded: true}, s, WithProgress(100*time.Millisecond, func(Progress) { reports++ }))
	if err != nil {
		t.Fatal(err)
	}
	d := res.Delivery
	if d.Sent != 4000 || d.Expected != 4000 || d.Unique != 4000 || d.Lost != 0 || d.Dups != 0 {
		t.Fatalf("delivery %+v", d)
	}
	if res.Errors.Total != 0 || res.Partial {
		t.Fatalf("errors %+v partial %v", res.Errors, res.Partial)
	}
	if l := res.Latency; l.Count != 4000 || l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max {
		t.Fatalf("latency %+v", l)
	}
	if reports == 0 || len(res.Series) == 0 {
		t.Fatalf("%d progress reports, %d samples", reports, len(res.Series))
	}
	var out bytes.Buffer
	if err := WriteSummary(&out, res); err != nil || !strings.Contains(out.String(), "lost 0") {
		t.Fatalf("summary (%v):\n%s", err, out.String())
	}
	out.Reset()
	if err := WriteReport(&out, Labeled{"a", res}, Labeled{"b", res}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{ChartThroughput, ChartLatency, ChartPercentiles, ChartConnections, ChartErrors} {
		if !strings.Contains(out.String(), `<svg id="`+id+`"`) {
			t.Errorf("report without %s", id)
		}
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	s := DefaultScenario()
	s.Producers, s.Consumers = 1, 1
	s.Duration, s.Warmup = time.Hour, 0
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	res, err := Run(ctx, Target{Embedded: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Partial || time.Since(start) > 10*time.Second {
		t.Fatalf("partial %v after %v", res.Partial, time.Since(start))
	}
	if res.Sent.Messages == 0 {
		t.Fatal("nothing sent before the interruption")
	}
}

func TestRunFailsWithoutBroker(t *testing.T) {
	s := DefaultScenario()
	s.Producers, s.Consumers = 1, 0
	s.Duration = time.Second
	if _, err := Run(context.Background(), Target{Address: "127.0.0.1:1"}, s); err == nil || !strings.Contains(err.Error(), "no connection") {
		t.Fatalf("err %v", err)
	}
}

func TestRunWithoutProducersLastsItsDuration(t *testing.T) {
	s := DefaultScenario()
	s.Producers, s.Consumers, s.Idle = 0, 2, 3
	s.Duration, s.Warmup = 300*time.Millisecond, 0
	res, err := Run(context.Background(), Target{Embedded: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Measured < s.Duration || res.Connect.Connections != 5 || res.Delivery.Checked && res.Delivery.Expected != 0 {
		t.Fatalf("measured %v, %d connections, delivery %+v", res.Measured, res.Connect.Connections, res.Delivery)
	}
}

// A producer that cannot keep its rate never waits for its schedule; it
// must still stop when the measured phase ends.
func TestRunStopsAProducerBehindItsRate(t *testing.T) {
	s := DefaultScenario()
	s.Producers, s.Consumers = 1, 1
	s.Duration, s.Warmup = 300*time.Millisecond, 0
	s.Rate = 1e8 // far more than one connection sends
	done := make(chan error, 1)
	var res *Result
	go func() {
		var err error
		res, err = Run(context.Background(), Target{Embedded: true}, s)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end")
	}
	if res.Sent.Messages == 0 || res.Measured < s.Duration {
		t.Fatalf("sent %d in %v", res.Sent.Messages, res.Measured)
	}
}
