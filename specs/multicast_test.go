package specs_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

// mcastGroups numbers the groups of these specs, so that no two share one.
var mcastGroups atomic.Uint32

// mcastErrors records what members report to their error listeners.
type mcastErrors struct {
	handlers.Base
	mu   sync.Mutex
	errs []error
}

func (r *mcastErrors) OnError(_ *codec.Frame, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

func (r *mcastErrors) list() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// mcastBox keeps the messages a handler gets.
type mcastBox chan *handlers.Message

func (b mcastBox) HandleMessage(_ context.Context, m *handlers.Message) error {
	b <- m
	return nil
}

func bodyOf(m *handlers.Message) string { return string(m.Body()) }

var _ = Describe("broker-less STOMP over UDP multicast on the loopback interface", func() {
	var loopOpts []multicast.Option

	BeforeEach(func() {
		DeferCleanup(leakCheck())
		// A group and a port of this spec's own: 239.x.y.z from the process
		// id and a counter, and a port the kernel just reported free.
		n := mcastGroups.Add(1)
		group := fmt.Sprintf("239.%d.%d.%d", 201+os.Getpid()%50, n/250%256, 1+n%250)
		pc, err := net.ListenPacket("udp4", "0.0.0.0:0")
		Expect(err).NotTo(HaveOccurred())
		port := pc.LocalAddr().(*net.UDPAddr).Port
		Expect(pc.Close()).To(Succeed())
		// The receiver joins on lo and the sender's multicast interface is lo.
		loopOpts = []multicast.Option{multicast.WithGroup(group), multicast.WithPort(port), multicast.WithInterface("lo"), multicast.WithTTL(1)}
	})

	member := func(opts ...multicast.Option) *multicast.Conn {
		GinkgoHelper()
		c, err := multicast.Dial(ctxT(), append(append([]multicast.Option(nil), loopOpts...), opts...)...)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		return c
	}
	subscribe := func(c *multicast.Conn, dest string) (mcastBox, *multicast.Subscription) {
		GinkgoHelper()
		box := make(mcastBox, 256)
		s, err := c.Subscribe(ctxT(), dest, box)
		Expect(err).NotTo(HaveOccurred())
		return box, s
	}

	It("lets two members exchange messages, each only on the destinations it subscribed to", func() {
		alice, bob := member(), member()
		Expect(alice.Status()).To(Equal(multicast.StatusConnected), "connected locally, without a broker")
		aliceIn, _ := subscribe(alice, "/queue/alice")
		bobIn, bobSub := subscribe(bob, "/queue/bob")

		Expect(alice.Send(ctxT(), "/queue/bob", []byte("hi bob"), multicast.WithHeader("k", "v"))).To(Succeed())
		var m *handlers.Message
		Eventually(bobIn).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("hi bob"))
		Expect(m.Frame.Command).To(Equal(codec.Message))
		Expect(m.Header(codec.HdrSubscription)).To(Equal(bobSub.ID()))
		Expect(m.ID()).NotTo(BeEmpty())
		Expect(m.Header("k")).To(Equal("v"))

		Expect(bob.Send(ctxT(), "/queue/alice", []byte("hi alice"))).To(Succeed())
		Eventually(aliceIn).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("hi alice"))
		Expect(bob.Send(ctxT(), "/queue/nobody", []byte("ignored"))).To(Succeed())
		Expect(bob.Send(ctxT(), "/queue/alice", []byte("marker"))).To(Succeed())
		Eventually(aliceIn).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("marker"), "the message to /queue/nobody reached no handler")
		Expect(bobIn).NotTo(Receive())
	})

	It("stops delivering after unsubscribe", func() {
		sender, rcv := member(), member()
		in, sub := subscribe(rcv, "/topic/t")
		marker, _ := subscribe(rcv, "/topic/marker")
		Expect(sender.Send(ctxT(), "/topic/t", []byte("one"))).To(Succeed())
		Eventually(in).Should(Receive())
		Expect(sub.Unsubscribe(ctxT())).To(Succeed())
		Expect(sender.Send(ctxT(), "/topic/t", []byte("two"))).To(Succeed())
		Expect(sender.Send(ctxT(), "/topic/marker", []byte("end"))).To(Succeed())
		Eventually(marker).Should(Receive())
		Expect(in).NotTo(Receive())
	})

	It("sends a committed transaction's messages, and nothing of an aborted one", func() {
		sender, rcv := member(), member()
		in, _ := subscribe(rcv, "/queue/tx")
		aborted, err := sender.Begin(ctxT())
		Expect(err).NotTo(HaveOccurred())
		Expect(aborted.Send(ctxT(), "/queue/tx", []byte("never"))).To(Succeed())
		Expect(aborted.Abort(ctxT())).To(Succeed())
		committed, err := sender.Begin(ctxT())
		Expect(err).NotTo(HaveOccurred())
		Expect(committed.Send(ctxT(), "/queue/tx", []byte("a"))).To(Succeed())
		Expect(committed.Send(ctxT(), "/queue/tx", []byte("b"))).To(Succeed())
		Expect(in).NotTo(Receive(), "nothing leaves before the commit")
		Expect(committed.Commit(ctxT())).To(Succeed())
		var m *handlers.Message
		Eventually(in).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("a"))
		Eventually(in).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("b"))
		Consistently(in, "100ms").ShouldNot(Receive())
	})

	It("answers a receipt on the sender once the datagram is written; the other members do not", func() {
		sender, rcv := member(), member()
		in, _ := subscribe(rcv, "/queue/r")
		Expect(sender.Send(ctxT(), "/queue/r", []byte("with receipt"), multicast.WithReceipt())).To(Succeed())
		Eventually(in).Should(Receive())
		Expect(rcv.Stats().Sent).To(BeZero(), "the receiver sent no RECEIPT into the group")
	})

	It("receives its own messages with loopback on, and not with loopback off", func() {
		on, off := member(), member(multicast.WithLoopback(false))
		onIn, _ := subscribe(on, "/topic/echo")
		offIn, _ := subscribe(off, "/topic/echo")
		Expect(on.Send(ctxT(), "/topic/echo", []byte("from on"))).To(Succeed())
		Eventually(onIn).Should(Receive())
		Eventually(offIn).Should(Receive())
		Expect(off.Send(ctxT(), "/topic/echo", []byte("from off"))).To(Succeed())
		var m *handlers.Message
		Eventually(onIn).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("from off"))
		Expect(on.Send(ctxT(), "/topic/echo", []byte("marker"))).To(Succeed())
		Eventually(offIn).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("marker"), "off never got its own message")
	})

	It("delivers a 60 KiB frame whole, and refuses one that does not fit in a datagram", func() {
		sender, rcv := member(), member()
		in, _ := subscribe(rcv, "/queue/big")
		body := make([]byte, 60<<10)
		for i := range body {
			body[i] = byte(i % 251)
		}
		Expect(sender.Send(ctxT(), "/queue/big", body)).To(Succeed())
		var m *handlers.Message
		Eventually(in).Should(Receive(&m))
		Expect(m.Body()).To(Equal(body))

		err := sender.Send(ctxT(), "/queue/big", make([]byte, multicast.MaxDatagramSize))
		Expect(errors.Is(err, multicast.ErrFrameTooLarge)).To(BeTrue(), "got %v", err)
		Expect(errors.Is(err, codec.ErrFrameTooLarge)).To(BeTrue())
	})

	It("reports a garbage datagram to the error listener and keeps working", func() {
		errs := &mcastErrors{}
		rcv := member(multicast.WithListener("errors", errs))
		in, _ := subscribe(rcv, "/queue/q")
		raw, err := multicast.NewTransport(loopOpts...)
		Expect(err).NotTo(HaveOccurred())
		Expect(raw.Start(ctxT())).To(Succeed())
		DeferCleanup(raw.Stop)
		Expect(raw.Send(ctxT(), []byte("\x00\xff garbage, no frame"))).To(Succeed())
		Eventually(errs.list).Should(HaveLen(1))
		var de *multicast.DatagramError
		Expect(errors.As(errs.list()[0], &de)).To(BeTrue(), "got %v", errs.list()[0])

		sender := member()
		Expect(sender.Send(ctxT(), "/queue/q", []byte("still working"))).To(Succeed())
		var m *handlers.Message
		Eventually(in).Should(Receive(&m))
		Expect(bodyOf(m)).To(Equal("still working"))
	})
})
