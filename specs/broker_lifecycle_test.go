package specs_test

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("the broker's lifecycle", func() {
	It("picks a free port for 127.0.0.1:0 and tells which through Addr and URL", func() {
		b := startBroker(broker.WithListen("tcp://127.0.0.1:0"))
		addr := b.Addr().(*net.TCPAddr)
		Expect(addr.Port).NotTo(BeZero())
		Expect(addr.IP.IsLoopback()).To(BeTrue())
		Expect(b.URL()).To(Equal("tcp://" + addr.String()))
		connect(b, "1.2")
	})

	It("runs no goroutine per connection", func() {
		b := startBroker(broker.WithHeartBeat(time.Second, time.Second))
		connect(b, "1.2")
		before := runtime.NumGoroutine()
		for i := range 200 {
			// Beats promised every 10 s: however long the 200 connects take,
			// the broker waits for the first one.
			c, _ := connect(b, "1.2", codec.HdrHeartBeat, "10000,1000")
			subscribe(c, "/topic/idle", strconv.Itoa(i))
		}
		Expect(b.Stats().Connections).To(Equal(201))
		Expect(runtime.NumGoroutine()).To(BeNumerically("<=", before+2))
	})

	It("refuses options that make no sense, wrapping ErrInvalidOption", func() {
		for _, o := range []broker.Option{
			broker.WithListen("ws://127.0.0.1:0/ws"),
			broker.WithListen("no-port"),
			broker.WithMaxPending(0),
			broker.WithVersions(),
			broker.WithAuthenticator(nil),
			broker.WithHeartBeat(-time.Second, 0),
		} {
			_, err := broker.Start(o)
			Expect(err).To(MatchError(broker.ErrInvalidOption))
		}
	})

	It("fails to start on an address already in use", func() {
		b := startBroker()
		_, err := broker.Start(broker.WithListen(b.Addr().String()))
		Expect(err).To(HaveOccurred())
	})

	It("reports connections, subscriptions, messages and queue depths in Stats", func() {
		b := startBroker()
		pub, _ := connect(b, "1.2")
		sub, _ := connect(b, "1.2")
		subscribe(sub, "/topic/s", "t")
		subscribe(sub, "/queue/s", "q", codec.HdrAck, "client")
		for range 3 {
			sendBody(pub, "/topic/s", "x")
		}
		sendBody(pub, "/queue/s", "y")
		sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/held")
		bodies(sub, 4)
		st := b.Stats()
		Expect(st.Connections).To(Equal(2))
		Expect(st.Subscriptions).To(Equal(2))
		Expect(st.MessagesIn).To(BeEquivalentTo(5))
		Expect(st.MessagesOut).To(BeEquivalentTo(4))
		names := []string{}
		for _, d := range st.Destinations {
			names = append(names, d.Name)
		}
		Expect(names).To(Equal([]string{"/queue/held", "/queue/s", "/topic/s"}))
		Expect(st.Destinations[0]).To(Equal(broker.DestinationStats{Name: "/queue/held", Kind: broker.KindQueue, Depth: 1, In: 1}))
		Expect(st.Destinations[2].Kind.String()).To(Equal("topic"))
		Expect(st.Destinations[2].Out).To(BeEquivalentTo(3))
	})

	It("on Shutdown writes everything queued for a client, then closes, then refuses connections", func() {
		b := startBroker()
		sub, _ := connect(b, "1.2")
		subscribe(sub, "/topic/big", "t")
		pub, _ := connect(b, "1.2")
		body := strings.Repeat("b", 16<<10)
		const n = 1000 // 16 MB: more than the socket and the outbound buffer hold
		for range n {
			sendBody(pub, "/topic/big", body)
		}
		sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/sync")
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			done <- b.Shutdown(ctx)
		}()
		frames, err := sub.ReadUntilClosed(20 * time.Second)
		Expect(err).To(MatchError(ContainSubstring("EOF")))
		Expect(frames).To(HaveLen(n))
		Expect(string(frames[n-1].Body)).To(Equal(body))
		Eventually(done, 20*time.Second).Should(Receive(BeNil()))
		_, err = net.Dial("tcp", b.Addr().String())
		Expect(err).To(MatchError(ContainSubstring("refused")))
	})

	It("gives up waiting at the Shutdown deadline and closes the connections anyway", func() {
		b := startBroker()
		sub, _ := connect(b, "1.2")
		subscribe(sub, "/topic/stuck", "t")
		pub, _ := connect(b, "1.2")
		body := strings.Repeat("s", 16<<10)
		for range 1000 {
			sendBody(pub, "/topic/stuck", body)
		}
		sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/sync")
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		Expect(b.Shutdown(ctx)).To(MatchError(context.DeadlineExceeded))
		_, err := sub.ReadUntilClosed(20 * time.Second)
		Expect(isTimeout(err)).To(BeFalse(), "the connection was closed")
	})

	It("on Close drops every connection at once", func() {
		b := startBroker()
		c, _ := connect(b, "1.2")
		Expect(b.Close()).To(Succeed())
		Expect(c.ExpectEOF(rawTimeout)).To(Succeed())
		Expect(b.Close()).To(Succeed(), "Close is idempotent")
		Expect(b.Restart(context.Background())).To(MatchError(broker.ErrClosed))
	})
})
