package specs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/loop"
)

// handlerPeers are the servers the handler and executor specs run on.
var handlerPeers = []*peer{embedded, rabbitMQ}

// rewriter upper-cases bodies of messages with x-shout and drops those with
// x-drop.
type rewriter struct{ handlers.Base }

func (rewriter) OnBeforeMessage(f *codec.Frame) *codec.Frame {
	if f.Header.Get("x-drop") == "yes" {
		return nil
	}
	if f.Header.Get("x-shout") == "yes" {
		f.Body = []byte(fmt.Sprintf("%s!", f.Body))
	}
	return f
}

// orderLog records which listener saw which event, in one shared sequence.
type orderLog struct {
	handlers.Base
	name string
	mu   *sync.Mutex
	seq  *[]string
}

func (l orderLog) add(ev string) {
	l.mu.Lock()
	*l.seq = append(*l.seq, l.name+":"+ev)
	l.mu.Unlock()
}
func (l orderLog) OnConnected(*codec.Frame)      { l.add("connected") }
func (l orderLog) OnMessage(m *handlers.Message) { l.add("message:" + string(m.Body())) }
func (l orderLog) OnReceipt(*codec.Frame)        { l.add("receipt") }
func (l orderLog) OnDisconnecting()              { l.add("disconnecting") }
func (l orderLog) OnDisconnected(error)          { l.add("disconnected") }
func (l orderLog) OnClosed()                     { l.add("closed") }

var _ = Describe("listeners, middleware and executors on a real broker", func() {
	for _, p := range handlerPeers {
		Context(p.name, func() {
			BeforeEach(func() { DeferCleanup(leakCheck()) })

			It("lets a before-message listener rewrite a body and drop a frame", func() {
				c := dialPeer(p, codec.V12, stampede.WithListener("rewrite", rewriter{}))
				q := uniqueQueue("before")
				h, got := inbox()
				_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				Expect(c.Send(ctxT(), q, []byte("dropped"), stampede.WithHeader("x-drop", "yes"))).To(Succeed())
				Expect(c.Send(ctxT(), q, []byte("hello"), stampede.WithHeader("x-shout", "yes"))).To(Succeed())
				Expect(c.Send(ctxT(), q, []byte("plain"), stampede.WithReceipt())).To(Succeed())
				var m *stampede.Message
				Eventually(got, 10*time.Second).Should(Receive(&m))
				Expect(string(m.Body())).To(Equal("hello!"))
				Eventually(got, 10*time.Second).Should(Receive(&m))
				Expect(string(m.Body())).To(Equal("plain"))
				Consistently(got, 200*time.Millisecond).ShouldNot(Receive())
			})

			It("runs listeners in the order they were added, after the connection's own processing", func() {
				var mu sync.Mutex
				var seq []string
				first := orderLog{name: "z-first", mu: &mu, seq: &seq}
				second := orderLog{name: "a-second", mu: &mu, seq: &seq}
				c := dialPeer(p, codec.V12, stampede.WithListener("z", first), stampede.WithListener("a", second))
				q := uniqueQueue("order")
				h, got := inbox()
				_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				Expect(c.Send(ctxT(), q, []byte("m"))).To(Succeed())
				Eventually(got, 10*time.Second).Should(Receive())
				Expect(c.Disconnect(ctxT())).To(Succeed())
				Eventually(func() []string {
					mu.Lock()
					defer mu.Unlock()
					return append([]string(nil), seq...)
				}).Should(Equal([]string{
					"z-first:connected", "a-second:connected",
					"z-first:receipt", "a-second:receipt",
					"z-first:message:m", "a-second:message:m",
					"z-first:disconnecting", "a-second:disconnecting",
					"z-first:receipt", "a-second:receipt",
					"z-first:disconnected", "a-second:disconnected",
					"z-first:closed", "a-second:closed",
				}))
			})

			It("keeps the connection alive after a handler panic with Recover", func() {
				var recovered atomic.Int32
				c := dialPeer(p, codec.V12,
					stampede.WithMiddleware(handlers.Recover(handlers.RecoverNotify(func(context.Context, *handlers.Message, *handlers.PanicError) { recovered.Add(1) }))),
					stampede.WithErrorHandler(func(*stampede.Message, error) {}))
				q := uniqueQueue("panic")
				got := make(chan string, 4)
				_, err := c.Subscribe(ctxT(), q, stampede.HandlerFunc(func(_ context.Context, m *stampede.Message) error {
					if string(m.Body()) == "boom" {
						panic("handler exploded")
					}
					got <- string(m.Body())
					return nil
				}), stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				Expect(c.Send(ctxT(), q, []byte("boom"))).To(Succeed())
				Expect(c.Send(ctxT(), q, []byte("after"))).To(Succeed())
				Eventually(got, 10*time.Second).Should(Receive(Equal("after")))
				Expect(recovered.Load()).To(Equal(int32(1)))
				Expect(c.Status()).To(Equal(stampede.StatusConnected))
			})

			It("redelivers with AckOnSuccess when the handler fails", func() {
				c := dialPeer(p, codec.V12, stampede.WithErrorHandler(func(*stampede.Message, error) {}))
				q := uniqueQueue("ackonsuccess")
				type delivery struct {
					body        string
					redelivered bool
				}
				got := make(chan delivery, 8)
				var failed atomic.Bool
				_, err := c.Subscribe(ctxT(), q, stampede.HandlerFunc(func(_ context.Context, m *stampede.Message) error {
					got <- delivery{string(m.Body()), m.Redelivered()}
					if failed.CompareAndSwap(false, true) {
						return errors.New("not this time")
					}
					return nil
				}), stampede.WithAck(stampede.AckClientIndividual), stampede.WithSubscriptionMiddleware(handlers.AckOnSuccess()), stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				Expect(c.Send(ctxT(), q, []byte("work"))).To(Succeed())
				Eventually(got, 10*time.Second).Should(Receive(Equal(delivery{"work", false})))
				Eventually(got, 10*time.Second).Should(Receive(Equal(delivery{"work", true})))
				Consistently(got, 300*time.Millisecond).ShouldNot(Receive(), "acked after the second delivery")
			})

			It("counts with Stats exactly what was sent and received", func() {
				stats := handlers.NewStats()
				c := dialPeer(p, codec.V12, stampede.WithListener("stats", stats))
				q := uniqueQueue("stats")
				h, got := inbox()
				_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				for i := range 25 {
					Expect(c.Send(ctxT(), q, []byte(fmt.Sprint(i)))).To(Succeed())
				}
				for range 25 {
					Eventually(got, 10*time.Second).Should(Receive())
				}
				Expect(c.Disconnect(ctxT())).To(Succeed())
				Eventually(func() handlers.StatsSnapshot { return stats.Snapshot() }).Should(And(
					HaveField("Connections", BeEquivalentTo(1)),
					HaveField("MessagesSent", BeEquivalentTo(25)),
					HaveField("MessagesReceived", BeEquivalentTo(25)),
					HaveField("Disconnects", BeEquivalentTo(1)),
					HaveField("Errors", BeEquivalentTo(0)),
				))
				Expect(stats.String()).To(ContainSubstring("Messages sent: 25"))
			})

			It("does not let a slow handler on one connection delay another connection", func() {
				eng := newEngine()
				dial := func() *stampede.Conn {
					c, err := stampede.Dial(ctxT(), p.addr, p.options(stampede.WithEngine(eng))...)
					Expect(err).NotTo(HaveOccurred())
					DeferCleanup(c.Close)
					return c
				}
				slow, fast := dial(), dial()
				release := make(chan struct{})
				DeferCleanup(func() { close(release) })
				slowStarted := make(chan struct{}, 1)
				qs, qf := uniqueQueue("slow"), uniqueQueue("fast")
				_, err := slow.Subscribe(ctxT(), qs, stampede.HandlerFunc(func(context.Context, *stampede.Message) error {
					slowStarted <- struct{}{}
					<-release
					return nil
				}), stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				h, got := inbox()
				_, err = fast.Subscribe(ctxT(), qf, h, stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				Expect(slow.Send(ctxT(), qs, []byte("stuck"))).To(Succeed())
				Eventually(slowStarted, 10*time.Second).Should(Receive())
				for i := range 10 {
					Expect(fast.Send(ctxT(), qf, []byte(fmt.Sprint(i)))).To(Succeed())
					Eventually(got, 5*time.Second).Should(Receive(), "message %d waited for the slow handler", i)
				}
			})

			It("runs handlers on a custom executor (stomp.py override_threading)", func() {
				var started atomic.Int32
				var wg sync.WaitGroup
				exec := loop.ExecutorFunc(func(run func()) {
					started.Add(1)
					wg.Add(1)
					go func() { defer wg.Done(); run() }()
				})
				DeferCleanup(wg.Wait)
				c := dialPeer(p, codec.V12, stampede.WithExecutor(exec))
				q := uniqueQueue("executor")
				h, got := inbox()
				_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				for range 5 {
					Expect(c.Send(ctxT(), q, []byte("x"))).To(Succeed())
				}
				for range 5 {
					Eventually(got, 10*time.Second).Should(Receive())
				}
				Expect(started.Load()).To(BeNumerically(">=", 5), "every delivery went through the custom executor")
			})
		})
	}
})
