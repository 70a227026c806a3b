package specs_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("the broker's acknowledgements", func() {
	var b *broker.Broker
	var pub *rawStomp
	BeforeEach(func() {
		b = startBroker()
		pub, _ = connect(b, "1.2")
	})

	publish := func(dest string, bs ...string) {
		GinkgoHelper()
		for _, body := range bs {
			sendBody(pub, dest, body)
		}
	}

	// redelivered reads n messages and returns their bodies and whether
	// each was marked redelivered.
	redelivered := func(r *rawStomp, n int) ([]string, []bool) {
		GinkgoHelper()
		var bs []string
		var marks []bool
		for range n {
			m := expectFrame(r, codec.Message)
			bs = append(bs, string(m.Body))
			marks = append(marks, m.Header.Get(codec.HdrRedelivered) == "true")
		}
		return bs, marks
	}

	It("needs no ACK in auto mode and never redelivers", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/auto", "0")
		publish("/queue/auto", "1", "2")
		Expect(bodies(c, 2)).To(Equal([]string{"1", "2"}))
		Expect(c.Close()).To(Succeed())
		next, _ := connect(b, "1.2")
		subscribe(next, "/queue/auto", "0")
		expectQuiet(next, 100*time.Millisecond)
	})

	It("CONF-37 puts an ack header on 1.2 MESSAGEs of client and client-individual subscriptions", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/topic/acks", "cl", codec.HdrAck, "client")
		subscribe(c, "/topic/acks", "ci", codec.HdrAck, "client-individual")
		publish("/topic/acks", "x")
		a1 := expectFrame(c, codec.Message).Header.Get(codec.HdrAck)
		a2 := expectFrame(c, codec.Message).Header.Get(codec.HdrAck)
		Expect(a1).NotTo(BeEmpty())
		Expect(a2).NotTo(BeEmpty())
		Expect(a1).NotTo(Equal(a2), "the same message on two subscriptions has two ack ids")
	})

	It("CONF-41 acknowledges cumulatively in client mode; the rest is redelivered, marked, when the connection closes", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/cumulative", "0", codec.HdrAck, "client")
		publish("/queue/cumulative", "1", "2", "3", "4", "5")
		var third string
		for i := range 5 {
			m := expectFrame(c, codec.Message)
			if i == 2 {
				third = m.Header.Get(codec.HdrAck)
			}
		}
		sendAndWait(c, codec.Ack, codec.HdrID, third)
		Expect(c.Close()).To(Succeed())
		next, _ := connect(b, "1.2")
		subscribe(next, "/queue/cumulative", "0")
		bs, marks := redelivered(next, 2)
		Expect(bs).To(Equal([]string{"4", "5"}))
		Expect(marks).To(Equal([]bool{true, true}))
		expectQuiet(next, 100*time.Millisecond)
	})

	It("CONF-41 acknowledges one message at a time in client-individual mode", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/individual", "0", codec.HdrAck, "client-individual")
		publish("/queue/individual", "1", "2", "3")
		var second string
		for i := range 3 {
			if m := expectFrame(c, codec.Message); i == 1 {
				second = m.Header.Get(codec.HdrAck)
			}
		}
		sendAndWait(c, codec.Ack, codec.HdrID, second)
		Expect(c.Close()).To(Succeed())
		next, _ := connect(b, "1.2")
		subscribe(next, "/queue/individual", "0")
		bs, marks := redelivered(next, 2)
		Expect(bs).To(Equal([]string{"1", "3"}))
		Expect(marks).To(Equal([]bool{true, true}))
	})

	It("redelivers a NACKed queue message, marked redelivered", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/nack", "0", codec.HdrAck, "client-individual")
		publish("/queue/nack", "retry me")
		m := expectFrame(c, codec.Message)
		Expect(m.Header.Has(codec.HdrRedelivered)).To(BeFalse())
		send(c, codec.Nack, codec.HdrID, m.Header.Get(codec.HdrAck))
		again := expectFrame(c, codec.Message)
		Expect(string(again.Body)).To(Equal("retry me"))
		Expect(again.Header.Get(codec.HdrRedelivered)).To(Equal("true"))
		Expect(again.Header.Get(codec.HdrMessageID)).To(Equal(m.Header.Get(codec.HdrMessageID)))
	})

	It("redelivers a NACKed topic message to the same subscription", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/topic/nack", "t", codec.HdrAck, "client")
		publish("/topic/nack", "again")
		m := expectFrame(c, codec.Message)
		send(c, codec.Nack, codec.HdrID, m.Header.Get(codec.HdrAck))
		again := expectFrame(c, codec.Message)
		Expect(again.Header.Get(codec.HdrRedelivered)).To(Equal("true"))
		Expect(again.Header.Get(codec.HdrSubscription)).To(Equal("t"))
	})

	It("requeues unacknowledged messages on UNSUBSCRIBE", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/unsub", "0", codec.HdrAck, "client")
		publish("/queue/unsub", "kept")
		expectFrame(c, codec.Message)
		sendAndWait(c, codec.Unsubscribe, codec.HdrID, "0")
		subscribe(c, "/queue/unsub", "1")
		m := expectFrame(c, codec.Message)
		Expect(string(m.Body)).To(Equal("kept"))
		Expect(m.Header.Get(codec.HdrRedelivered)).To(Equal("true"))
	})

	It("CONF-39 takes 1.1 ACKs by message-id and subscription", func() {
		c, _ := connect(b, "1.1")
		subscribe(c, "/queue/v11", "s", codec.HdrAck, "client-individual")
		publish("/queue/v11", "1", "2")
		first := expectFrame(c, codec.Message)
		Expect(first.Header.Has(codec.HdrAck)).To(BeFalse(), "1.1 MESSAGEs carry no ack header")
		expectFrame(c, codec.Message)
		sendAndWait(c, codec.Ack, codec.HdrMessageID, first.Header.Get(codec.HdrMessageID), codec.HdrSubscription, "s")
		Expect(c.Close()).To(Succeed())
		next, _ := connect(b, "1.2")
		subscribe(next, "/queue/v11", "0")
		Expect(bodies(next, 1)).To(Equal([]string{"2"}))
	})

	It("CONF-40 takes 1.0 ACKs by message-id and refuses NACK on 1.0", func() {
		c, _ := connect(b, "1.0")
		sendAndWait(c, codec.Subscribe, codec.HdrDestination, "/queue/v10", codec.HdrAck, "client")
		publish("/queue/v10", "1")
		m := expectFrame(c, codec.Message)
		sendAndWait(c, codec.Ack, codec.HdrMessageID, m.Header.Get(codec.HdrMessageID))
		send(c, codec.Nack, codec.HdrMessageID, m.Header.Get(codec.HdrMessageID))
		expectError(c, "unknown command")
		next, _ := connect(b, "1.2")
		subscribe(next, "/queue/v10", "0")
		expectQuiet(next, 100*time.Millisecond)
	})

	It("answers an ACK for no unacknowledged message with an ERROR", func() {
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/x", "0", codec.HdrAck, "client")
		send(c, codec.Ack, codec.HdrID, "1-99", codec.HdrReceipt, "a")
		f := expectError(c, "invalid ack")
		Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal("a"))
	})

	DescribeTable("bounds unacknowledged messages with a prefetch window",
		func(header string) {
			c, _ := connect(b, "1.2")
			subscribe(c, "/queue/prefetch", "0", codec.HdrAck, "client-individual", header, "2")
			publish("/queue/prefetch", "1", "2", "3", "4")
			m1 := expectFrame(c, codec.Message)
			expectFrame(c, codec.Message)
			expectQuiet(c, 100*time.Millisecond)
			d, _ := b.Destination("/queue/prefetch")
			Expect(d.Depth).To(Equal(2))
			send(c, codec.Ack, codec.HdrID, m1.Header.Get(codec.HdrAck))
			Expect(bodies(c, 1)).To(Equal([]string{"3"}))
			expectQuiet(c, 50*time.Millisecond)
		},
		Entry("prefetch-count (RabbitMQ)", "prefetch-count"),
		Entry("activemq.prefetchSize (ActiveMQ)", "activemq.prefetchSize"),
	)

	It("gives a full prefetch window's messages to another consumer", func() {
		slow, _ := connect(b, "1.2")
		fast, _ := connect(b, "1.2")
		subscribe(slow, "/queue/share", "0", codec.HdrAck, "client", "prefetch-count", "1")
		subscribe(fast, "/queue/share", "0")
		publish("/queue/share", "1", "2", "3", "4")
		Expect(bodies(slow, 1)).To(Equal([]string{"1"}))
		Expect(bodies(fast, 3)).To(Equal([]string{"2", "3", "4"}))
	})
})
