package specs_test

import (
	"context"
	"runtime"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/websocket/wstest"
)

var _ = Describe("1,000 WebSocket connections on one engine", func() {
	const n = 1000

	run := func(url string, opts ...stampede.Option) {
		eng, err := stampede.NewEngine(stampede.WithLoops(2))
		Expect(err).NotTo(HaveOccurred())
		defer eng.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		before := runtime.NumGoroutine()

		conns := make([]*stampede.Conn, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		const dialers = 8
		for d := range dialers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := d; i < n; i += dialers {
					conns[i], errs[i] = stampede.Dial(ctx, url, append(opts, stampede.WithEngine(eng))...)
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			Expect(err).NotTo(HaveOccurred(), "connection %d", i)
		}
		Expect(eng.Loop().Conns()).To(Equal(n))
		during := runtime.NumGoroutine()
		GinkgoWriter.Printf("goroutines: %d before, %d with %d WebSocket connections to %s\n", before, during, n, url)
		// Nothing per connection: the loops, the wheel and the executor's
		// bounded workers were there before; gnet's enrollment workers may
		// linger briefly.
		Expect(during - before).To(BeNumerically("<=", 16))
		for _, c := range conns {
			Expect(c.Disconnect(ctx)).To(Succeed())
		}
		Expect(eng.Conns()).To(BeZero())
	}

	It("keeps the goroutine count fixed against RabbitMQ Web-STOMP", func() {
		run("ws://"+rabbitWS+"/ws", stampede.WithLogin("guest", "guest"), stampede.WithHost("/"))
	})

	It("keeps the goroutine count fixed against the embedded broker's stand-in", func() {
		s, err := wstest.Start(wstest.Options{})
		Expect(err).NotTo(HaveOccurred())
		defer s.Close()
		run(s.URL())
	})
})
