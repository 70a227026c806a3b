package specs_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
)

var _ = Describe("many connections on one engine", Serial, func() {
	It("drives 10,000 connections with heart-beats and a subscription each from a fixed set of goroutines", func() {
		// The broker runs in its own process: 10,000 connections on both
		// ends would exceed one process's file limit.
		addr := brokerProcess("--heartbeat", "5s")
		eng := newEngine()
		const n = 10000
		topic := uniqueTopic("ten-thousand")
		var received atomic.Int64
		handler := stampede.HandlerFunc(func(context.Context, *stampede.Message) error {
			received.Add(1)
			return nil
		})
		dialer, err := stampede.NewDialer(stampede.WithEngine(eng), stampede.WithHeartBeat(5*time.Second, 5*time.Second))
		Expect(err).NotTo(HaveOccurred())
		before := runtime.NumGoroutine()
		conns := make([]*stampede.Conn, n)
		var wg sync.WaitGroup
		var failed atomic.Int64
		next := atomic.Int64{}
		for range 64 { // dial 64 at a time
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer GinkgoRecover()
				for {
					i := next.Add(1) - 1
					if i >= n {
						return
					}
					ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
					c, err := dialer.Dial(ctx, addr)
					if err == nil {
						_, err = c.Subscribe(ctx, topic, handler, stampede.WithSubscribeReceipt())
					}
					cancel()
					if err != nil {
						failed.Add(1)
						GinkgoWriter.Printf("connection %d: %v\n", i, err)
						continue
					}
					conns[i] = c
				}
			}()
		}
		wg.Wait()
		Expect(failed.Load()).To(BeZero())
		Expect(eng.Conns()).To(Equal(n))
		// Short-lived goroutines (gnet's enrollment pool) may linger a moment.
		Eventually(func() int { return runtime.NumGoroutine() - before }).Should(BeNumerically("<=", 24), "the goroutine count does not grow with connections")
		GinkgoWriter.Printf("goroutines: %d before, %d with %d connections\n", before, runtime.NumGoroutine(), n)

		Expect(conns[0].Send(ctxT(), topic, []byte("to every connection"))).To(Succeed())
		Eventually(received.Load, 60*time.Second).Should(BeEquivalentTo(n))
		Eventually(func() int { return runtime.NumGoroutine() - before }).Should(BeNumerically("<=", 24))
	})
})
