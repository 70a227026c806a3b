package specs_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// inbox is a handler that hands messages to the spec.
func inbox() (stampede.HandlerFunc, chan *stampede.Message) {
	ch := make(chan *stampede.Message, 256)
	return func(_ context.Context, m *stampede.Message) error {
		ch <- m
		return nil
	}, ch
}

var _ = Describe("client conformance: subscribe and acknowledge (scripted peer)", func() {
	var s *scripted
	BeforeEach(func() { s = newScripted() })

	It("CONF-34 gives every SUBSCRIBE a unique id and unsubscribes 1.0 by destination too", func() {
		c, pc := s.connect(codec.V10)
		h, _ := inbox()
		a, err := c.Subscribe(ctxT(), "/queue/a", h)
		Expect(err).NotTo(HaveOccurred())
		b, err := c.Subscribe(ctxT(), "/queue/b", h)
		Expect(err).NotTo(HaveOccurred())
		fa, fb := pc.readFrame(), pc.readFrame()
		Expect(fa.Command).To(Equal(codec.Subscribe))
		Expect(fa.Header.Get("id")).NotTo(Equal(fb.Header.Get("id")))
		Expect(fa.Header.Get("id")).To(Equal(a.ID()))
		Expect(b.ID()).To(Equal(fb.Header.Get("id")))
		_, err = c.Subscribe(ctxT(), "/queue/c", h, stampede.WithID(a.ID()))
		Expect(err).To(MatchError(stampede.ErrSubscriptionExists))
		Expect(a.Unsubscribe(ctxT())).To(Succeed())
		u := pc.readFrame()
		Expect(u.Command).To(Equal(codec.Unsubscribe))
		Expect(u.Header.Get("id")).To(Equal(a.ID()))
		Expect(u.Header.Get("destination")).To(Equal("/queue/a"))
		Eventually(a.Done()).Should(BeClosed())
	})

	It("CONF-35 refuses client-individual on 1.0 and sends the ack mode otherwise", func() {
		c, _ := s.connect(codec.V10)
		h, _ := inbox()
		_, err := c.Subscribe(ctxT(), "/queue/a", h, stampede.WithAck(stampede.AckClientIndividual))
		Expect(err).To(MatchError(stampede.ErrUnsupported))
		_, err = c.Subscribe(ctxT(), "/queue/a", h, stampede.WithAck("sometimes"))
		Expect(err).To(MatchError(stampede.ErrInvalidOption))
	})

	It("CONF-36 routes MESSAGE by subscription and sends unknown ids to the unhandled route", func() {
		unhandled, lost := inbox()
		c, pc := s.connect(codec.V12, stampede.WithUnhandled(unhandled))
		h, got := inbox()
		sub, err := c.Subscribe(ctxT(), "/queue/a", h)
		Expect(err).NotTo(HaveOccurred())
		pc.readFrame()
		pc.write("MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:" + sub.ID() + "\n\nfor you\x00")
		pc.write("MESSAGE\ndestination:/temp-queue/x\nmessage-id:2\nsubscription:never-sent\n\nreply\x00")
		var m *stampede.Message
		Eventually(got).Should(Receive(&m))
		Expect(string(m.Body())).To(Equal("for you"))
		Expect(m.Subscription).To(Equal(sub.ID()))
		Eventually(lost).Should(Receive(&m))
		Expect(string(m.Body())).To(Equal("reply"))
		Expect(m.Subscription).To(Equal("never-sent"))
		Expect(c.Status()).To(Equal(stampede.StatusConnected))
	})

	DescribeTable("CONF-37..40 acknowledges with the headers of the negotiated version",
		func(v codec.Version, message string, ackHeaders, nackHeaders map[string]string) {
			c, pc := s.connect(v)
			h, got := inbox()
			_, err := c.Subscribe(ctxT(), "/queue/a", h, stampede.WithAck(stampede.AckClient), stampede.WithID("s1"))
			Expect(err).NotTo(HaveOccurred())
			Expect(pc.readFrame().Header.Get("ack")).To(Equal("client"))
			pc.write(message)
			var m *stampede.Message
			Eventually(got).Should(Receive(&m))
			Expect(m.NeedsAck()).To(BeTrue())
			Expect(m.Ack(ctxT())).To(Succeed())
			ack := pc.readFrame()
			Expect(ack.Command).To(Equal(codec.Ack))
			for k, v := range ackHeaders {
				Expect(ack.Header.Get(k)).To(Equal(v), k)
			}
			if nackHeaders == nil {
				Expect(m.Nack(ctxT())).To(MatchError(stampede.ErrUnsupported))
				return
			}
			Expect(c.Nack(ctxT(), m)).To(Succeed())
			nack := pc.readFrame()
			Expect(nack.Command).To(Equal(codec.Nack))
			for k, v := range nackHeaders {
				Expect(nack.Header.Get(k)).To(Equal(v), k)
			}
		},
		Entry("CONF-37 CONF-38 1.2 by the ack header", codec.V12,
			"MESSAGE\ndestination:/queue/a\nmessage-id:m1\nsubscription:s1\nack:a-77\n\nx\x00",
			map[string]string{"id": "a-77"}, map[string]string{"id": "a-77"}),
		Entry("CONF-39 1.1 by message-id and subscription", codec.V11,
			"MESSAGE\ndestination:/queue/a\nmessage-id:m1\nsubscription:s1\n\nx\x00",
			map[string]string{"message-id": "m1", "subscription": "s1"}, map[string]string{"message-id": "m1", "subscription": "s1"}),
		Entry("CONF-40 1.0 by message-id, and no NACK", codec.V10,
			"MESSAGE\ndestination:/queue/a\nmessage-id:m1\nsubscription:s1\n\nx\x00",
			map[string]string{"message-id": "m1"}, nil),
	)

	It("CONF-42 handles a MESSAGE that arrives after UNSUBSCRIBE without error", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithListener("log", log))
		h, got := inbox()
		sub, err := c.Subscribe(ctxT(), "/queue/a", h)
		Expect(err).NotTo(HaveOccurred())
		pc.readFrame()
		Expect(sub.Unsubscribe(ctxT())).To(Succeed())
		pc.readFrame()
		pc.write("MESSAGE\ndestination:/queue/a\nmessage-id:late\nsubscription:" + sub.ID() + "\n\nlate\x00")
		pc.write("RECEIPT\nreceipt-id:after\n\n\x00")
		Eventually(log.events).Should(Receive(Equal("receipt:after")))
		Consistently(got, 100*time.Millisecond).ShouldNot(Receive())
		Expect(log.errs).NotTo(Receive())
		Expect(c.Status()).To(Equal(stampede.StatusConnected))
	})

	It("delivers to a channel-style subscription and closes the channel on unsubscribe", func() {
		c, pc := s.connect(codec.V12)
		sub, err := c.Subscribe(ctxT(), "/queue/a", nil)
		Expect(err).NotTo(HaveOccurred())
		pc.readFrame()
		pc.write("MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:" + sub.ID() + "\n\none\x00")
		var m *stampede.Message
		Eventually(sub.C()).Should(Receive(&m))
		Expect(string(m.Body())).To(Equal("one"))
		Expect(sub.Unsubscribe(ctxT())).To(Succeed())
		Eventually(sub.C()).Should(BeClosed())
	})
})

var _ = Describe("client conformance: receipts and transactions (scripted peer)", func() {
	var s *scripted
	BeforeEach(func() { s = newScripted() })

	It("CONF-43 CONF-44 waits for the matching receipt; ids are unique; unmatched receipts reach listeners", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithListener("log", log))
		done := make(chan error, 2)
		go func() { done <- c.Send(context.Background(), "/queue/a", []byte("1"), stampede.WithReceipt()) }()
		go func() { done <- c.Send(context.Background(), "/queue/a", []byte("2"), stampede.WithReceipt()) }()
		f1, f2 := pc.readFrame(), pc.readFrame()
		id1, id2 := f1.Header.Get("receipt"), f2.Header.Get("receipt")
		Expect(id1).NotTo(BeEmpty())
		Expect(id1).NotTo(Equal(id2))
		Consistently(done, 50*time.Millisecond).ShouldNot(Receive())
		pc.write("RECEIPT\nreceipt-id:" + id2 + "\n\n\x00")
		pc.write("RECEIPT\nreceipt-id:" + id1 + "\n\n\x00")
		Eventually(done).Should(Receive(BeNil()))
		Eventually(done).Should(Receive(BeNil()))
		pc.write("RECEIPT\nreceipt-id:nobody-asked\n\n\x00")
		Eventually(log.events).Should(Receive(Equal("receipt:nobody-asked")))
	})

	It("fails a receipt wait at its deadline with ErrReceiptTimeout", func() {
		c, pc := s.connect(codec.V12)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		Expect(c.Send(ctx, "/queue/a", nil, stampede.WithReceipt())).To(MatchError(stampede.ErrReceiptTimeout))
		pc.readFrame()
	})

	It("CONF-45 gives transactions unique ids that SEND and ACK carry", func() {
		c, pc := s.connect(codec.V12)
		h, got := inbox()
		_, err := c.Subscribe(ctxT(), "/queue/a", h, stampede.WithAck(stampede.AckClientIndividual), stampede.WithID("s"))
		Expect(err).NotTo(HaveOccurred())
		pc.readFrame()
		tx1, err := c.Begin(ctxT())
		Expect(err).NotTo(HaveOccurred())
		tx2, err := c.Begin(ctxT())
		Expect(err).NotTo(HaveOccurred())
		b1, b2 := pc.readFrame(), pc.readFrame()
		Expect(b1.Command).To(Equal(codec.Begin))
		Expect(b1.Header.Get("transaction")).To(Equal(tx1.ID()))
		Expect(b2.Header.Get("transaction")).To(Equal(tx2.ID()))
		Expect(tx1.ID()).NotTo(Equal(tx2.ID()))

		Expect(tx1.Send(ctxT(), "/queue/b", []byte("in tx"))).To(Succeed())
		Expect(pc.readFrame().Header.Get("transaction")).To(Equal(tx1.ID()))
		pc.write("MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:s\nack:k1\n\nx\x00")
		var m *stampede.Message
		Eventually(got).Should(Receive(&m))
		Expect(tx1.Ack(ctxT(), m)).To(Succeed())
		ack := pc.readFrame()
		Expect(ack.Header.Get("id")).To(Equal("k1"))
		Expect(ack.Header.Get("transaction")).To(Equal(tx1.ID()))
		Expect(tx1.Commit(ctxT())).To(Succeed())
		Expect(pc.readFrame().Command).To(Equal(codec.Commit))
		Expect(tx2.Abort(ctxT())).To(Succeed())
		Expect(pc.readFrame().Command).To(Equal(codec.Abort))
		Expect(tx1.Send(ctxT(), "/queue/b", nil)).To(MatchError(stampede.ErrTransactionDone))
		Expect(tx2.Commit(ctxT())).To(MatchError(stampede.ErrTransactionDone))
	})
})

var _ = Describe("client conformance: errors and disconnect (scripted peer)", func() {
	var s *scripted
	BeforeEach(func() { s = newScripted() })

	It("CONF-47 CONF-48 fails pending receipts with the ERROR, mapped by receipt-id, body read by content-length", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithListener("log", log))
		first := make(chan error, 1)
		second := make(chan error, 1)
		go func() { first <- c.Send(context.Background(), "/queue/a", nil, stampede.WithReceipt()) }()
		id := pc.readFrame().Header.Get("receipt")
		go func() { second <- c.Send(context.Background(), "/queue/b", nil, stampede.WithReceipt()) }()
		pc.readFrame()
		pc.write("ERROR\nmessage:bad destination\nreceipt-id:" + id + "\ncontent-length:10\n\nnul\x00inside\x00")
		var err error
		Eventually(first).Should(Receive(&err))
		var se *stampede.ServerError
		Expect(err).To(BeAssignableToTypeOf(se))
		se = err.(*stampede.ServerError)
		Expect(se.ReceiptID()).To(Equal(id))
		Expect(se.Body()).To(Equal([]byte("nul\x00inside")))
		Eventually(second).Should(Receive(MatchError(se)), "every pending wait fails with the ERROR")
		Eventually(c.Done()).Should(BeClosed())
		Expect(c.Err()).To(MatchError(se))
		Eventually(log.events).Should(Receive(Equal("error")))
		pc.expectEOF()
	})

	It("CONF-49 treats an ERROR without receipt-id as connection-level", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithListener("log", log))
		pc.write("ERROR\nmessage:shutting down\n\n\x00")
		Eventually(c.Done()).Should(BeClosed())
		var se *stampede.ServerError
		Expect(c.Err()).To(BeAssignableToTypeOf(se))
		Expect(c.Err().(*stampede.ServerError).ReceiptID()).To(BeEmpty())
		Expect(c.Send(ctxT(), "/queue/a", nil)).To(MatchError(stampede.ErrClosed))
	})

	It("CONF-50 refuses a SEND without destination before writing anything", func() {
		c, pc := s.connect(codec.V12)
		Expect(c.Send(ctxT(), "", []byte("x"))).To(MatchError(stampede.ErrNoDestination))
		Expect(c.SendFrame(ctxT(), codec.New(codec.Send), false)).To(MatchError(stampede.ErrNoDestination))
		Expect(c.Send(ctxT(), "/queue/ok", nil)).To(Succeed())
		Expect(pc.readFrame().Header.Get("destination")).To(Equal("/queue/ok"), "nothing was written before")
	})

	It("CONF-51 disconnects with a receipt, fires on_disconnecting first and sends nothing after", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithListener("log", log))
		// Events reach listeners through the executor; OnDisconnecting runs
		// on the caller of Disconnect and could overtake them.
		Eventually(log.events).Should(Receive(Equal("connecting")))
		Eventually(log.events).Should(Receive(Equal("connected")))
		done := make(chan error, 1)
		go func() { done <- c.Disconnect(context.Background()) }()
		d := pc.readFrame()
		Expect(d.Command).To(Equal(codec.Disconnect))
		Expect(log.events).To(Receive(Equal("disconnecting")), "on_disconnecting ran before DISCONNECT was sent")
		Expect(c.Send(ctxT(), "/queue/a", nil)).To(MatchError(stampede.ErrClosed))
		pc.write("RECEIPT\nreceipt-id:" + d.Header.Get("receipt") + "\n\n\x00")
		Eventually(done).Should(Receive(BeNil()))
		pc.expectEOF()
		Eventually(log.events).Should(Receive(Equal("disconnected")))
		Eventually(log.events).Should(Receive(Equal("closed")))
		Expect(c.Status()).To(Equal(stampede.StatusClosed))
		Expect(c.Err()).NotTo(HaveOccurred())
	})

	It("CONF-52 counts the server closing right after DISCONNECT as success", func() {
		c, pc := s.connect(codec.V12)
		done := make(chan error, 1)
		go func() { done <- c.Disconnect(context.Background()) }()
		Expect(pc.readFrame().Command).To(Equal(codec.Disconnect))
		pc.close()
		Eventually(done).Should(Receive(BeNil()))
	})

	It("CONF-53 reports an unknown server command to the error listener and keeps going", func() {
		log := newEventLog()
		c, pc := s.connect(codec.V12, stampede.WithListener("log", log))
		pc.write("SURPRISE\nx:y\n\n\x00")
		Eventually(log.events).Should(Receive(Equal("error")))
		var err error
		Expect(log.errs).To(Receive(&err))
		Expect(err).To(MatchError(stampede.ErrProtocol))
		Expect(c.Status()).To(Equal(stampede.StatusConnected))
		Expect(c.Send(ctxT(), "/queue/a", nil)).To(Succeed())
	})

	It("closes with a typed error on a malformed frame, without a panic", func() {
		c, pc := s.connect(codec.V12)
		pc.write("MESSAGE\ndestination:/queue/a\nk:bad\\escape\n\n\x00")
		Eventually(c.Done()).Should(BeClosed())
		Expect(c.Err()).To(MatchError(codec.ErrBadEscape))
		var se *codec.SyntaxError
		Expect(c.Err()).To(BeAssignableToTypeOf(se))
	})
})

var _ handlers.Listener = (*eventLog)(nil)
