package specs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/reconnect"
)

// sentLog records the frames a connection sends (OnSend).
type sentLog struct {
	handlers.Base
	mu     sync.Mutex
	frames []*codec.Frame
}

func (s *sentLog) OnSend(f *codec.Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames = append(s.frames, f.Clone())
}

// last returns the last frame sent with command cmd.
func (s *sentLog) last(cmd codec.Command) *codec.Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.frames) - 1; i >= 0; i-- {
		if s.frames[i].Command == cmd {
			return s.frames[i]
		}
	}
	return nil
}

// eventsUntil collects a connection's events up to and including last.
func eventsUntil(log *eventLog, last string) []string {
	GinkgoHelper()
	var events []string
	Eventually(func() string {
		select {
		case e := <-log.events:
			events = append(events, e)
			return e
		default:
			return ""
		}
	}, 10*time.Second, time.Millisecond).Should(Equal(last), "events so far: %v", events)
	return events
}

// unknownCommit is a COMMIT of a transaction nobody began: every broker
// answers it with an ERROR.
func unknownCommit() *codec.Frame {
	return codec.New(codec.Commit, codec.HdrTransaction, "no-such-transaction")
}

var receiptSpecs = []matrixSpec{
	{
		name: "CONF-43 CONF-44 gets a receipt for every kind of frame, each matched by its id, an unmatched one to the listener; a receipt covers the frames before it",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				log := newEventLog()
				conn := c.dial(v, stampede.WithListener("log", log))
				By("SUBSCRIBE without a receipt, then a SEND to the topic with one: when it returns, the subscription was in place")
				t := c.topic("covered")
				h, got := inbox()
				sub, err := conn.Subscribe(ctxT(), t, h)
				Expect(err).NotTo(HaveOccurred())
				Expect(conn.Send(ctxT(), t, []byte("covered"), stampede.WithReceipt())).To(Succeed())
				Expect(string(next(got).Body())).To(Equal("covered"))

				By("concurrent SENDs, each released by its own receipt")
				q := c.queue("receipts")
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				errs := make(chan error, 20)
				for i := range 20 {
					go func() { errs <- conn.Send(ctx, q, []byte(fmt.Sprint(i)), stampede.WithReceipt()) }()
				}
				for range 20 {
					Eventually(errs).Should(Receive(BeNil()))
				}

				By("BEGIN, COMMIT, ABORT and UNSUBSCRIBE with receipts")
				for _, f := range []*codec.Frame{
					codec.New(codec.Begin, codec.HdrTransaction, "r-1"), codec.New(codec.Commit, codec.HdrTransaction, "r-1"),
					codec.New(codec.Begin, codec.HdrTransaction, "r-2"), codec.New(codec.Abort, codec.HdrTransaction, "r-2"),
				} {
					Expect(conn.SendFrame(ctxT(), f, true)).To(Succeed(), "%s", f.Command)
				}
				Expect(sub.Unsubscribe(ctxT(), true)).To(Succeed())

				By("a receipt nobody waits for reaches the listener")
				id := "nobody-waits-" + v.String()
				Expect(conn.SendFrame(ctxT(), codec.New(codec.Send, codec.HdrDestination, q, codec.HdrReceipt, id), false)).To(Succeed())
				Eventually(log.events).Should(Receive(Equal("receipt:" + id)))
				Expect(conn.Status()).To(Equal(stampede.StatusConnected))
			})
		},
	},
	{
		name: "CONF-45 commits and aborts transactions, each with its own id, that SEND and ACK join",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("tx")
				_, got := subscribeInbox(conn, q, stampede.WithAck(ackMode(v)))
				tx1, err := conn.Begin(ctxT())
				Expect(err).NotTo(HaveOccurred())
				tx2, err := conn.Begin(ctxT())
				Expect(err).NotTo(HaveOccurred())
				Expect(tx1.ID()).NotTo(Equal(tx2.ID()))
				Expect(tx1.Send(ctxT(), q, []byte("committed"))).To(Succeed())
				Expect(tx2.Send(ctxT(), q, []byte("aborted"))).To(Succeed())
				Expect(tx2.Abort(ctxT(), true)).To(Succeed())
				Expect(conn.Send(ctxT(), q, []byte("marker"), stampede.WithReceipt())).To(Succeed())
				marker := next(got)
				Expect(string(marker.Body())).To(Equal("marker"), "nothing of an open or aborted transaction is delivered")
				Expect(tx1.Commit(ctxT(), true)).To(Succeed())
				committed := next(got)
				Expect(string(committed.Body())).To(Equal("committed"))

				By("ACKs in a transaction apply at COMMIT")
				tx3, err := conn.Begin(ctxT())
				Expect(err).NotTo(HaveOccurred())
				Expect(tx3.Ack(ctxT(), marker)).To(Succeed())
				Expect(tx3.Ack(ctxT(), committed)).To(Succeed())
				Expect(tx3.Commit(ctxT(), true)).To(Succeed())
				Expect(conn.Disconnect(ctxT())).To(Succeed())
				again := c.dial(v)
				_, rest := subscribeInbox(again, q)
				Expect(again.Send(ctxT(), q, []byte("second marker"), stampede.WithReceipt())).To(Succeed())
				Expect(string(next(rest).Body())).To(Equal("second marker"), "the acknowledged messages are gone")
				Consistently(rest, 200*time.Millisecond).ShouldNot(Receive())
			})
		},
	},
	{
		name: "CONF-46 declares a transaction open when the connection dropped dead, and the broker discarded it",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				l := newLink(c.hostPort())
				log := newEventLog()
				conn := c.dialVia(l, v, stampede.WithListener("log", log),
					stampede.WithReconnect(reconnect.Constant{Delay: 50 * time.Millisecond, Attempts: reconnect.Forever}))
				watcher := c.dial(v)
				q := c.queue("dead-tx")
				_, got := subscribeInbox(watcher, q)
				tx, err := conn.Begin(ctxT())
				Expect(err).NotTo(HaveOccurred())
				Expect(tx.Send(ctxT(), q, []byte("lost with the connection"))).To(Succeed())
				Expect(conn.Send(ctxT(), c.queue("sync"), nil, stampede.WithReceipt())).To(Succeed())
				l.drop()
				Eventually(log.events, 10*time.Second).Should(Receive(Equal("reconnected")))
				Expect(tx.Send(ctxT(), q, []byte("too late"))).To(MatchError(stampede.ErrTransactionDead))
				Expect(tx.Commit(ctxT())).To(MatchError(stampede.ErrTransactionDead))
				Expect(conn.Send(ctxT(), q, []byte("marker"), stampede.WithReceipt())).To(Succeed())
				Expect(string(next(got).Body())).To(Equal("marker"), "the broker discarded the transaction")
			})
		},
	},
	{
		name: "CONF-47 CONF-48 CONF-49 fails the pending receipt with the broker's ERROR, maps it by receipt-id where the broker sends one, and closes",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				By("an ERROR answering a frame that asked for a receipt")
				log := newEventLog()
				sent := &sentLog{}
				conn := c.dial(v, stampede.WithListener("log", log), stampede.WithListener("sent", sent))
				se := serverError(conn.SendFrame(ctxT(), unknownCommit(), true))
				receipt := sent.last(codec.Commit).Header.Get(codec.HdrReceipt)
				if c.p.flags.errorReceiptID {
					Expect(se.ReceiptID()).To(Equal(receipt))
				} else {
					Expect(se.ReceiptID()).To(BeEmpty(), "%s's ERRORs name no receipt: the wait fails with the connection-level ERROR", c.p.name)
					stateDifference("CONF-48: %s's ERRORs carry no receipt-id, so the mapping by receipt-id is seen against ActiveMQ and the embedded broker; here the pending wait fails with the connection-level ERROR.", c.p.name)
				}
				if !c.p.flags.errorLength {
					stateDifference("CONF-48: %s's ERRORs carry no content-length: their bodies are read up to the NUL.", c.p.name)
				}
				Expect(se.Body()).NotTo(BeEmpty())
				Expect(se.Frame.Header.Has(codec.HdrContentLength)).To(Equal(c.p.flags.errorLength))
				Eventually(conn.Done()).Should(BeClosed())
				Expect(conn.Err()).To(MatchError(se))
				Expect(conn.Send(ctxT(), c.queue("closed"), nil)).To(MatchError(stampede.ErrClosed))
				Eventually(log.events).Should(Receive(Equal("error")))

				By("an ERROR for a frame without receipt is connection-level")
				conn = c.dial(v)
				Expect(conn.SendFrame(ctxT(), unknownCommit(), false)).To(Succeed())
				Eventually(conn.Done(), 10*time.Second).Should(BeClosed())
				Expect(serverError(conn.Err()).ReceiptID()).To(BeEmpty())
			})
		},
	},
	{
		name: "CONF-50 refuses a SEND without destination before writing it: the broker never sees it",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				Expect(conn.Send(ctxT(), "", []byte("x"))).To(MatchError(stampede.ErrNoDestination))
				Expect(conn.SendFrame(ctxT(), codec.New(codec.Send), true)).To(MatchError(stampede.ErrNoDestination))
				Expect(conn.Send(ctxT(), c.queue("after"), []byte("y"), stampede.WithReceipt())).To(Succeed())
				Expect(conn.Status()).To(Equal(stampede.StatusConnected), "a SEND without destination would have got an ERROR from %s", c.p.name)
			})
		},
	},
	{
		name: "CONF-51 CONF-52 disconnects gracefully: DISCONNECT with a receipt, or the broker closing right after it, then nothing is sent",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				log := newEventLog()
				conn := c.dial(v, stampede.WithListener("log", log))
				start := time.Now()
				Expect(conn.Disconnect(ctxT())).To(Succeed())
				Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
				Expect(conn.Err()).NotTo(HaveOccurred())
				Expect(conn.Status()).To(Equal(stampede.StatusClosed))
				Expect(conn.Send(ctxT(), c.queue("after"), nil)).To(MatchError(stampede.ErrClosed))
				events := eventsUntil(log, "closed")
				Expect(events).To(ContainElements("disconnecting", "disconnected"))
				receipted := false
				for _, e := range events {
					receipted = receipted || strings.HasPrefix(e, "receipt:")
				}
				Expect(receipted).To(Equal(c.disconnectReceipt()),
					"%s over %s answers DISCONNECT with its RECEIPT: %v (without it, the close counts as success)", c.p.name, c.t, c.disconnectReceipt())
				if c.disconnectReceipt() {
					stateDifference("CONF-52: the broker answers DISCONNECT with its RECEIPT here, so a close without it is exercised against RabbitMQ over ws (and the scripted peer).")
				} else {
					stateDifference("CONF-52: %s over %s closes after DISCONNECT without the RECEIPT; the close counts as success.", c.p.name, c.t)
				}
			})
		},
	},
}
