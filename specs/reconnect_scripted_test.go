package specs_test

import (
	"context"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/reconnect"
)

// quick is a reconnect policy for specs: 20 ms between rounds, n rounds.
func quick(n int) reconnect.Policy {
	return reconnect.Constant{Delay: 20 * time.Millisecond, Attempts: n}
}

var _ = Describe("automatic reconnection (scripted peer)", func() {
	var s *scripted
	BeforeEach(func() { s = newScripted() })

	It("fails over: the first host refuses, the second accepts", func() {
		dead, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		deadAddr := dead.Addr().String()
		dead.Close()
		log := newEventLog()
		ch := make(chan dialResult, 1)
		go func() {
			c, err := stampede.Dial(ctxT(), deadAddr+","+s.peer.addr(), stampede.WithEngine(s.eng), stampede.WithListener("log", log))
			ch <- dialResult{c, err}
		}()
		pc := s.peer.accept()
		pc.connected(codec.V12)
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		Expect(r.c.Address()).To(Equal("tcp://" + s.peer.addr()))
		Eventually(log.events).Should(Receive(Equal("connecting")))
		Eventually(log.events).Should(Receive(Equal("connecting")))
		Eventually(log.events).Should(Receive(Equal("connected")))
	})

	It("gives up after the policy's rounds with an error wrapping the last cause", func() {
		dead, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		deadAddr := dead.Addr().String()
		dead.Close()
		_, err = stampede.Dial(ctxT(), deadAddr, stampede.WithEngine(s.eng), stampede.WithReconnect(quick(2)))
		Expect(err).To(MatchError(stampede.ErrReconnectFailed))
		Expect(err.Error()).To(ContainSubstring("refused"))
	})

	It("reconnects after a drop, re-subscribes with the original id and headers, and fires reconnected", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithReconnect(quick(50)), stampede.WithListener("log", log))
		h, got := inbox()
		sub, err := c.Subscribe(ctxT(), "/queue/a", h, stampede.WithAck(stampede.AckClientIndividual), stampede.WithSubscribeHeader("selector", "x > 1"))
		Expect(err).NotTo(HaveOccurred())
		first := pc.readFrame()

		By("a receipt pending at the drop fails with ErrReceiptLost")
		pending := make(chan error, 1)
		go func() { pending <- c.Send(context.Background(), "/queue/b", nil, stampede.WithReceipt()) }()
		pc.readFrame()
		tx, err := c.Begin(ctxT())
		Expect(err).NotTo(HaveOccurred())
		pc.readFrame()
		pc.close()
		Eventually(pending).Should(Receive(MatchError(stampede.ErrReceiptLost)))

		By("sends wait while reconnecting")
		sent := make(chan error, 1)
		go func() { sent <- c.Send(context.Background(), "/queue/c", []byte("waited")) }()

		pc2 := s.peer.accept()
		pc2.connected(codec.V12)
		again := pc2.readFrame()
		Expect(again.Command).To(Equal(codec.Subscribe))
		Expect(again.Header).To(Equal(first.Header), "same id, destination, ack and extra headers")
		Eventually(sent).Should(Receive(BeNil()))
		Expect(pc2.readFrame().Body).To(Equal([]byte("waited")))
		Eventually(log.events).Should(Receive(Equal("reconnected")))
		Expect(c.Status()).To(Equal(stampede.StatusConnected))

		By("the open transaction died with its connection")
		Expect(tx.Send(ctxT(), "/queue/a", nil)).To(MatchError(stampede.ErrTransactionDead))
		Expect(tx.Commit(ctxT())).To(MatchError(stampede.ErrTransactionDead))

		By("messages reach the re-established subscription")
		pc2.write("MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:" + sub.ID() + "\nack:k\n\nback\x00")
		var m *stampede.Message
		Eventually(got).Should(Receive(&m))
		Expect(string(m.Body())).To(Equal("back"))
		Expect(m.Ack(ctxT())).To(Succeed())
		Expect(pc2.readFrame().Header.Get("id")).To(Equal("k"))
	})

	It("fails sends at once while reconnecting with WithFailFast", func() {
		c, pc := s.connect(codec.V12, stampede.WithReconnect(quick(100)), stampede.WithFailFast())
		pc.close()
		Eventually(c.Status).Should(Equal(stampede.StatusReconnecting))
		Expect(c.Send(ctxT(), "/queue/a", nil)).To(MatchError(stampede.ErrNotConnected))
		s.peer.accept().connected(codec.V12)
		Eventually(c.Status).Should(Equal(stampede.StatusConnected))
	})

	It("ends with ErrReconnectFailed when the server stays away, reporting disconnected once", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithReconnect(quick(3)), stampede.WithListener("log", log))
		s.peer.close() // nobody listens any more
		pc.close()
		Eventually(c.Done(), 10*time.Second).Should(BeClosed())
		Expect(c.Err()).To(MatchError(stampede.ErrReconnectFailed))
		// Listener events are dispatched on the executor: collect them up
		// to the last one, "closed".
		var events []string
		Eventually(func() string {
			for len(log.events) > 0 {
				events = append(events, <-log.events)
			}
			if len(events) == 0 {
				return ""
			}
			return events[len(events)-1]
		}).Should(Equal("closed"))
		count := 0
		for _, e := range events {
			if e == "disconnected" {
				count++
			}
		}
		Expect(count).To(Equal(1), "%v", events)
		Expect(events[len(events)-1]).To(Equal("closed"))
	})

	It("does not reconnect after Disconnect or Close", func() {
		c, pc := s.connect(codec.V12, stampede.WithReconnect(quick(100)))
		go func() {
			defer GinkgoRecover()
			d := pc.readFrame()
			pc.write("RECEIPT\nreceipt-id:" + d.Header.Get("receipt") + "\n\n\x00")
		}()
		Expect(c.Disconnect(ctxT())).To(Succeed())
		Expect(c.Status()).To(Equal(stampede.StatusClosed))
		Consistently(s.peer.conns, 200*time.Millisecond).ShouldNot(Receive())
	})

	It("stops reconnecting when closed while reconnecting", func() {
		c, pc := s.connect(codec.V12, stampede.WithReconnect(reconnect.Constant{Delay: time.Hour, Attempts: -1}))
		s.peer.close()
		pc.close()
		Eventually(c.Status).Should(Equal(stampede.StatusReconnecting))
		Expect(c.Close()).To(Succeed())
		Expect(c.Status()).To(Equal(stampede.StatusClosed))
		Eventually(c.Done()).Should(BeClosed())
	})
})
