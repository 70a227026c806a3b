package specs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime/pprof"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/internal/loadgen"
)

// benchTarget is the target of the load generator for a peer.
func benchTarget(p *peer, extra ...stampede.Option) loadgen.Target {
	return loadgen.Target{Address: p.addr, Options: p.options(extra...)}
}

// shortScenario is a scenario of n messages per producer with a unique
// destination prefix, no warm-up, and a bounded drain.
func shortScenario(producers, consumers, n int) loadgen.Scenario {
	s := loadgen.DefaultScenario()
	s.Producers, s.Consumers = producers, consumers
	s.Messages, s.Duration, s.Warmup = n, 0, 0
	s.Prefix = uniqueQueue("bench")[len("/queue/"):]
	s.Drain = 10 * time.Second
	return s
}

// runBench runs a scenario in-process and checks there is no goroutine
// left afterwards.
func runBench(t loadgen.Target, s loadgen.Scenario, opts ...loadgen.RunOption) *loadgen.Result {
	GinkgoHelper()
	noLeaks := leakCheck()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := loadgen.Run(ctx, t, s, opts...)
	Expect(err).NotTo(HaveOccurred())
	noLeaks()
	return res
}

// expectTrueSummary checks that a result tells the truth: every message
// expected arrived once, nothing failed, latencies are positive and
// ordered, and the JSON form round-trips.
func expectTrueSummary(res *loadgen.Result, sent uint64, fanOut uint64) {
	GinkgoHelper()
	Expect(res.Partial).To(BeFalse())
	Expect(res.Errors.Total).To(BeZero(), "errors: %v", res.Errors.First)
	d := res.Delivery
	Expect(d.Sent).To(Equal(sent))
	Expect(d.Expected).To(Equal(sent * fanOut))
	Expect(d.Received).To(Equal(sent*fanOut), "received")
	Expect(d.Unique).To(Equal(sent * fanOut))
	Expect(d.Lost).To(BeZero())
	Expect(d.Dups).To(BeZero())
	Expect(d.Foreign).To(BeZero())
	l := res.Latency
	Expect(l.Count).To(BeNumerically("==", sent*fanOut), "every message's latency counts (no warm-up)")
	Expect(l.Min).To(BeNumerically(">", 0))
	Expect(l.P50).To(BeNumerically(">=", l.Min))
	Expect(l.P90).To(BeNumerically(">=", l.P50))
	Expect(l.P99).To(BeNumerically(">=", l.P90))
	Expect(l.P999).To(BeNumerically(">=", l.P99))
	Expect(l.Max).To(BeNumerically(">=", l.P999))
	Expect(l.Percentiles).NotTo(BeEmpty())
	for i := 1; i < len(l.Percentiles); i++ {
		Expect(l.Percentiles[i].Value).To(BeNumerically(">=", l.Percentiles[i-1].Value), "the percentile curve never goes down")
	}
	var total int64
	for _, b := range l.Buckets {
		total += b.Count
	}
	Expect(total).To(Equal(l.Count), "the distribution bars hold every latency")
	Expect(res.Connect.Failed).To(BeZero())
	Expect(res.Connect.Connections).To(Equal(res.Scenario.Connections()))
	Expect(res.Connect.Latency.P50).To(BeNumerically(">", 0))

	var series uint64
	for _, smp := range res.Series {
		series += smp.Sent
	}
	Expect(series).To(Equal(sent), "the per-second series adds up to what was sent")

	var buf bytes.Buffer
	Expect(res.WriteJSON(&buf)).To(Succeed())
	var back loadgen.Result
	Expect(json.Unmarshal(buf.Bytes(), &back)).To(Succeed())
	Expect(back.Delivery).To(Equal(res.Delivery))
	Expect(back.Latency.P99).To(Equal(res.Latency.P99))
	Expect(back.Scenario).To(Equal(res.Scenario))
	Expect(back.Series).To(HaveLen(len(res.Series)))
}

var _ = Describe("stampede bench: the load generator against the embedded broker", func() {
	It("counts a queue 1 → 1 exactly", func() {
		s := shortScenario(1, 1, 5000)
		res := runBench(benchTarget(embedded), s)
		expectTrueSummary(res, 5000, 1)
		Expect(res.Server).To(HavePrefix("stampede/"))
	})

	It("sees every message once per subscriber on a topic fan-out 1 → 8", func() {
		s := shortScenario(1, 8, 1000)
		s.Kind = loadgen.Topic
		res := runBench(benchTarget(embedded), s)
		expectTrueSummary(res, 1000, 8)
	})

	It("spreads producers and consumers over several queues", func() {
		s := shortScenario(4, 6, 500)
		s.Destinations = 3
		s.MinSize, s.MaxSize = 64, 2048
		res := runBench(benchTarget(embedded), s)
		expectTrueSummary(res, 2000, 1)
		Expect(res.Sent.Bytes).To(BeNumerically(">", 2000*64))
		Expect(res.Sent.Bytes).To(BeNumerically("<", 2000*2048))
	})

	It("keeps an open-loop rate and measures from the due time", func() {
		s := shortScenario(2, 2, 0)
		s.Messages, s.Duration, s.Rate = 0, 1500*time.Millisecond, 1000
		res := runBench(benchTarget(embedded), s)
		Expect(res.Errors.Total).To(BeZero())
		Expect(res.Delivery.Lost).To(BeZero())
		Expect(res.Delivery.Dups).To(BeZero())
		// 2 producers × 1,000/s over the measured phase; a stall of the
		// machine near the end leaves a backlog unsent, hence the margins.
		Expect(res.Sent.MsgsPerSec).To(BeNumerically("~", 2000, 400))
		Expect(res.Delivery.Sent).To(BeNumerically("~", 3000, 300))
		Expect(res.Latency.P50).To(BeNumerically(">", 0))
	})

	It("sends with receipts", func() {
		s := shortScenario(2, 1, 300)
		s.Receipts = true
		expectTrueSummary(runBench(benchTarget(embedded), s), 600, 1)
	})

	It("sends in transactions of N messages", func() {
		s := shortScenario(1, 1, 505)
		s.Transaction = 10 // 50 full transactions and one of 5
		expectTrueSummary(runBench(benchTarget(embedded), s), 505, 1)
	})

	It("acknowledges each message in client-individual mode", func() {
		s := shortScenario(1, 2, 1000)
		s.Ack = loadgen.AckClientIndividual
		s.Prefetch = 100
		expectTrueSummary(runBench(benchTarget(embedded), s), 1000, 1)
	})

	It("holds 500 connections with heart-beats and reports memory per connection", func() {
		s := shortScenario(2, 20, 200)
		s.Idle = 478
		s.Concurrency = 32
		var goroutines bytes.Buffer // what runs once all are connected, for the failure message
		res := runBench(benchTarget(embedded, stampede.WithHeartBeat(time.Second, time.Second)), s,
			loadgen.WithConnectedHook(func() { _ = pprof.Lookup("goroutine").WriteTo(&goroutines, 1) }))
		expectTrueSummary(res, 400, 1)
		Expect(res.Connect.Connections).To(Equal(500))
		Expect(res.Connect.PerSec).To(BeNumerically(">", 0))
		Expect(res.Process.PerConn.HeapStack).To(BeNumerically(">", 0))
		// RSS is sampled, but its growth per connection may be zero: the
		// runtime can return more pages to the system than 500 idle
		// connections take.
		Expect(res.Process.Connected.RSS).To(BeNumerically(">", 0))
		Expect(res.Process.Connected.Goroutines-res.Process.Baseline.Goroutines).To(BeNumerically("<", 100),
			"connections cost no goroutine each; the goroutines once connected:\n%s", &goroutines)
	})

	It("starts a broker of its own when asked", func() {
		s := shortScenario(1, 1, 1000)
		res := runBench(loadgen.Target{Embedded: true}, s)
		expectTrueSummary(res, 1000, 1)
		Expect(res.Target).To(Equal("embedded"))
		Expect(res.Process.Embedded).To(BeTrue())
	})

	It("stops early with a partial result when its context ends", func() {
		noLeaks := leakCheck()
		s := shortScenario(1, 1, 0)
		s.Messages, s.Duration = 0, time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(700*time.Millisecond, cancel)
		defer timer.Stop()
		res, err := loadgen.Run(ctx, benchTarget(embedded), s)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Partial).To(BeTrue())
		Expect(res.Delivery.Sent).To(BeNumerically(">", 0))
		noLeaks()
	})
})

var _ = Describe("stampede bench: the load generator against RabbitMQ", func() {
	BeforeEach(func() { rabbitMQ.mustBeUp() })

	It("counts a queue 1 → 1 exactly", func() {
		s := shortScenario(1, 1, 2000)
		res := runBench(benchTarget(rabbitMQ), s)
		expectTrueSummary(res, 2000, 1)
		Expect(res.Server).To(HavePrefix("RabbitMQ/"))
	})

	It("fans a topic out to every subscriber", func() {
		s := shortScenario(1, 4, 500)
		s.Kind = loadgen.Topic
		expectTrueSummary(runBench(benchTarget(rabbitMQ), s), 500, 4)
	})
})
