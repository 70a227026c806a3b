package specs_test

import (
	"context"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/reconnect"
)

// tally counts the deliveries of numbered messages: every number seen, how
// often, and whether each repeat of the same copy was marked redelivered.
// A producer that re-sends a message whose receipt was lost makes a second
// copy (its attempt header differs): that one is new to the broker.
type tally struct {
	mu          sync.Mutex
	seen        map[int]int
	copies      map[[2]int]int
	unmarkedDup int
}

func newTally() *tally { return &tally{seen: make(map[int]int), copies: make(map[[2]int]int)} }

func (t *tally) add(m *stampede.Message) {
	n, err := strconv.Atoi(m.Header("seq"))
	Expect(err).NotTo(HaveOccurred())
	attempt, _ := strconv.Atoi(m.Header("attempt"))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen[n]++
	k := [2]int{n, attempt}
	t.copies[k]++
	if t.copies[k] > 1 && !m.Redelivered() {
		t.unmarkedDup++
	}
}

func (t *tally) distinct() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.seen)
}

func (t *tally) missing(n int) []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int
	for i := range n {
		if t.seen[i] == 0 {
			out = append(out, i)
		}
	}
	return out
}

// reconnects records reconnections and heart-beat timeouts.
type reconnects struct {
	handlers.Base
	reconnected chan struct{}
	timeouts    chan time.Time
}

func newReconnects() *reconnects {
	return &reconnects{reconnected: make(chan struct{}, 256), timeouts: make(chan time.Time, 16)}
}

func (r *reconnects) OnReconnected(*codec.Frame) { r.reconnected <- struct{}{} }
func (r *reconnects) OnHeartbeatTimeout()        { r.timeouts <- time.Now() }

// ackingConsumer subscribes in client-individual mode and acknowledges each
// message only after counting it.
func ackingConsumer(c *stampede.Conn, dest string, t *tally, opts ...stampede.SubscribeOption) {
	GinkgoHelper()
	_, err := c.Subscribe(ctxT(), dest, stampede.HandlerFunc(func(ctx context.Context, m *stampede.Message) error {
		t.add(m)
		_ = m.Ack(ctx) // an ack for a message of a dropped session fails: the broker redelivers it
		return nil
	}), append([]stampede.SubscribeOption{stampede.WithAck(stampede.AckClientIndividual), stampede.WithSubscribeReceipt()}, opts...)...)
	Expect(err).NotTo(HaveOccurred())
}

var fastBackoff = reconnect.Backoff{Initial: 50 * time.Millisecond, Increase: 0.5, Max: time.Second, Attempts: reconnect.Forever}

var _ = Describe("automatic reconnection against a misbehaving broker", func() {
	It("loses nothing when the broker drops the connection mid-stream", func() {
		b := startBroker()
		eng := newEngine()
		events := newReconnects()
		consumer, err := stampede.Dial(ctxT(), b.URL(), stampede.WithEngine(eng), stampede.WithReconnect(fastBackoff), stampede.WithListener("r", events))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(consumer.Close)
		producer, err := stampede.Dial(ctxT(), b.URL(), stampede.WithEngine(eng))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(producer.Close)

		const n = 3000
		q := uniqueQueue("drop")
		t := newTally()
		ackingConsumer(consumer, q, t, stampede.WithPrefetch(50))
		go func() {
			defer GinkgoRecover()
			for i := range n {
				Expect(producer.Send(context.Background(), q, []byte("payload"), stampede.WithHeader("seq", strconv.Itoa(i)))).To(Succeed())
			}
		}()
		for _, at := range []int{300, 1200, 2400} {
			Eventually(t.distinct, 20*time.Second).Should(BeNumerically(">=", at))
			Expect(b.Faults().Session(consumer.Session()).Drop(at == 1200)).To(Succeed()) // FIN, RST, FIN
			Eventually(events.reconnected, 10*time.Second).Should(Receive())
		}
		Eventually(t.distinct, 30*time.Second).Should(Equal(n), func() string {
			return "missing " + strconv.Itoa(len(t.missing(n)))
		})
		Expect(t.missing(n)).To(BeEmpty())
		Expect(t.unmarkedDup).To(BeZero(), "every duplicate carries redelivered:true")
	})

	It("detects a hung broker by heart-beat within interval × scale and reconnects", func() {
		b := startBroker(broker.WithHeartBeat(100*time.Millisecond, 100*time.Millisecond))
		eng := newEngine()
		events := newReconnects()
		c, err := stampede.Dial(ctxT(), b.URL(), stampede.WithEngine(eng), stampede.WithReconnect(fastBackoff),
			stampede.WithHeartBeat(100*time.Millisecond, 100*time.Millisecond), stampede.WithHeartBeatScale(3), stampede.WithListener("r", events))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		q := uniqueQueue("hang")
		h, got := inbox()
		_, err = c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
		Expect(err).NotTo(HaveOccurred())

		hungAt := time.Now()
		Expect(b.Faults().Session(c.Session()).Hang()).To(Succeed())
		var detected time.Time
		Eventually(events.timeouts, 5*time.Second).Should(Receive(&detected))
		// The timeout is due 300 ms (interval × scale) after the last byte,
		// which came before the hang, plus one wheel tick (5 ms here) and
		// the hop to the executor, given as much again on a busy machine.
		Expect(detected.Sub(hungAt)).To(BeNumerically("<=", 300*time.Millisecond+5*time.Millisecond+300*time.Millisecond))
		Eventually(events.reconnected, 10*time.Second).Should(Receive())
		Expect(c.Send(ctxT(), q, []byte("after"), stampede.WithReceipt())).To(Succeed())
		Eventually(got, 10*time.Second).Should(Receive())
	})

	It("returns to its goroutine and heap baseline after 100 reconnect cycles", func() {
		b := startBroker()
		// Two workers at most: the executor cannot grow between the
		// measurements, whatever the scheduling.
		ex := loop.NewSerial(loop.SerialConfig{Workers: 2})
		DeferCleanup(ex.Close)
		eng := newEngine(stampede.WithEngineExecutor(ex))
		events := newReconnects()
		c, err := stampede.Dial(ctxT(), b.URL(), stampede.WithEngine(eng), stampede.WithReconnect(fastBackoff), stampede.WithListener("r", events))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		q := uniqueTopic("cycles")
		var received atomic.Int64
		_, err = c.Subscribe(ctxT(), q, stampede.HandlerFunc(func(context.Context, *stampede.Message) error {
			received.Add(1)
			return nil
		}), stampede.WithSubscribeReceipt())
		Expect(err).NotTo(HaveOccurred())
		cycle := func() {
			Expect(b.Faults().Session(c.Session()).Drop(false)).To(Succeed())
			Eventually(events.reconnected, 10*time.Second).Should(Receive())
			Expect(c.Send(ctxT(), q, []byte("x"), stampede.WithReceipt())).To(Succeed())
		}
		measure := func() (int, uint64) {
			var ms runtime.MemStats
			Eventually(func() int { return eng.Loop().Conns() }).Should(Equal(1))
			runtime.GC()
			runtime.ReadMemStats(&ms)
			return runtime.NumGoroutine(), ms.HeapAlloc
		}
		for range 5 { // warm up: pools and executor workers reach their size
			cycle()
		}
		g0, h0 := measure()
		for range 100 {
			cycle()
		}
		Eventually(received.Load, 10*time.Second).Should(BeEquivalentTo(105))
		g1, h1 := measure()
		Eventually(runtime.NumGoroutine).Should(BeNumerically("<=", g0+2), "goroutines %d → %d", g0, g1)
		Expect(h1).To(BeNumerically("<", h0+2<<20), "heap %d → %d bytes", h0, h1)
	})
})

var _ = Describe("automatic reconnection across a RabbitMQ restart", Serial, func() {
	It("loses nothing of 10,000 persistent messages on a queue with client-individual acks", func() {
		p := rabbitMQ
		p.mustBeUp()
		eng := newEngine()
		opts := p.options(stampede.WithEngine(eng), stampede.WithReconnect(fastBackoff))
		consumer, err := stampede.Dial(ctxT(), p.addr, opts...)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(consumer.Close)
		producer, err := stampede.Dial(ctxT(), p.addr, opts...)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(producer.Close)

		const n = 10000
		q := uniqueQueue("restart")
		t := newTally()
		ackingConsumer(consumer, q, t, stampede.WithPrefetch(200))
		produced := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(produced)
			for i, attempt := 0, 0; i < n; attempt++ {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				err := producer.Send(ctx, q, []byte("payload"), stampede.WithHeader("seq", strconv.Itoa(i)),
					stampede.WithHeader("attempt", strconv.Itoa(attempt)),
					stampede.WithHeader("persistent", "true"), stampede.WithReceipt())
				cancel()
				if err == nil {
					i, attempt = i+1, -1 // confirmed: next; otherwise the same message again
				}
			}
		}()
		Eventually(t.distinct, 60*time.Second).Should(BeNumerically(">=", 2000))
		restart := exec.Command("bash", "../scripts/brokers/rabbitmq.sh", "restart")
		restart.Stdout, restart.Stderr = GinkgoWriter, GinkgoWriter
		Expect(restart.Run()).To(Succeed())
		Eventually(produced, 120*time.Second).Should(BeClosed())
		Eventually(t.distinct, 120*time.Second).Should(Equal(n), func() string {
			return "missing " + strconv.Itoa(len(t.missing(n)))
		})
		Expect(t.unmarkedDup).To(BeZero())
	})
})
