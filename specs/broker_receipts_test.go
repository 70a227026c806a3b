package specs_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("the broker's receipts, transactions, ERRORs and DISCONNECT", func() {
	var b *broker.Broker
	BeforeEach(func() { b = startBroker() })

	It("CONF-43 answers every frame that asks for a receipt, in order", func() {
		c, _ := connect(b, "1.2")
		send(c, codec.Subscribe, codec.HdrDestination, "/queue/r", codec.HdrID, "0", codec.HdrAck, "client", codec.HdrReceipt, "1")
		send(c, codec.Begin, codec.HdrTransaction, "t", codec.HdrReceipt, "2")
		send(c, codec.Send, codec.HdrDestination, "/queue/other", codec.HdrTransaction, "t", codec.HdrReceipt, "3")
		send(c, codec.Abort, codec.HdrTransaction, "t", codec.HdrReceipt, "4")
		send(c, codec.Send, codec.HdrDestination, "/queue/r", codec.HdrReceipt, "5")
		for _, id := range []string{"1", "2", "3", "4"} {
			expectReceipt(c, id)
		}
		m := expectFrame(c, codec.Message) // routed while the SEND was handled
		expectReceipt(c, "5")
		send(c, codec.Nack, codec.HdrID, m.Header.Get(codec.HdrAck), codec.HdrReceipt, "6")
		m = expectFrame(c, codec.Message) // redelivered while the NACK was handled
		expectReceipt(c, "6")
		send(c, codec.Ack, codec.HdrID, m.Header.Get(codec.HdrAck), codec.HdrReceipt, "7")
		send(c, codec.Unsubscribe, codec.HdrID, "0", codec.HdrReceipt, "8")
		expectReceipt(c, "7")
		expectReceipt(c, "8")
	})

	It("CONF-51 answers DISCONNECT with its receipt, then closes the connection", func() {
		c, _ := connect(b, "1.2")
		send(c, codec.Disconnect, codec.HdrReceipt, "bye")
		expectReceipt(c, "bye")
		Expect(c.ExpectEOF(rawTimeout)).To(Succeed())
		Eventually(func() int { return b.Stats().Connections }).Should(BeZero())
	})

	It("closes at once on DISCONNECT without receipt", func() {
		c, _ := connect(b, "1.2")
		send(c, codec.Disconnect)
		Expect(c.ExpectEOF(rawTimeout)).To(Succeed())
	})

	It("writes ERROR frames with a message header, a body, the receipt-id and a content-length, then closes", func() {
		c, _ := connect(b, "1.2")
		send(c, codec.Commit, codec.HdrTransaction, "nope", codec.HdrReceipt, "cm")
		f := expectFrame(c, codec.Error)
		Expect(f.Header.Get(codec.HdrMessage)).To(Equal("unknown transaction"))
		Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal("cm"))
		Expect(string(f.Body)).To(ContainSubstring(`"nope"`))
		Expect(f.Header.Get(codec.HdrContentLength)).To(Equal(lenString(f.Body)))
		Expect(c.ExpectEOF(rawTimeout)).To(Succeed())
	})

	Describe("transactions", func() {
		It("CONF-45 delivers the SENDs of a transaction only at COMMIT, in order", func() {
			pub, _ := connect(b, "1.2")
			sub, _ := connect(b, "1.2")
			subscribe(sub, "/queue/tx", "0")
			sendAndWait(pub, codec.Begin, codec.HdrTransaction, "t1")
			sendBody(pub, "/queue/tx", "a", codec.HdrTransaction, "t1")
			sendBody(pub, "/queue/tx", "b", codec.HdrTransaction, "t1")
			sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/tx")
			Expect(bodies(sub, 1)).To(Equal([]string{""}), "the message outside the transaction goes at once")
			expectQuiet(sub, 100*time.Millisecond)
			sendAndWait(pub, codec.Commit, codec.HdrTransaction, "t1")
			m := expectFrame(sub, codec.Message)
			Expect(string(m.Body)).To(Equal("a"))
			Expect(m.Header.Has(codec.HdrTransaction)).To(BeFalse())
			Expect(bodies(sub, 1)).To(Equal([]string{"b"}))
		})

		It("discards the SENDs of an aborted transaction", func() {
			pub, _ := connect(b, "1.2")
			sub, _ := connect(b, "1.2")
			subscribe(sub, "/queue/txa", "0")
			sendAndWait(pub, codec.Begin, codec.HdrTransaction, "t")
			sendBody(pub, "/queue/txa", "never", codec.HdrTransaction, "t")
			sendAndWait(pub, codec.Abort, codec.HdrTransaction, "t")
			expectQuiet(sub, 100*time.Millisecond)
		})

		It("applies ACK and NACK of a transaction at COMMIT; an aborted ACK leaves the message unacknowledged", func() {
			pub, _ := connect(b, "1.2")
			for _, body := range []string{"1", "2"} {
				sendBody(pub, "/queue/txack", body)
			}
			c, _ := connect(b, "1.2")
			subscribe(c, "/queue/txack", "0", codec.HdrAck, "client-individual")
			m1 := expectFrame(c, codec.Message)
			m2 := expectFrame(c, codec.Message)
			sendAndWait(c, codec.Begin, codec.HdrTransaction, "ok")
			sendAndWait(c, codec.Ack, codec.HdrID, m1.Header.Get(codec.HdrAck), codec.HdrTransaction, "ok")
			sendAndWait(c, codec.Commit, codec.HdrTransaction, "ok")
			sendAndWait(c, codec.Begin, codec.HdrTransaction, "no")
			sendAndWait(c, codec.Ack, codec.HdrID, m2.Header.Get(codec.HdrAck), codec.HdrTransaction, "no")
			sendAndWait(c, codec.Abort, codec.HdrTransaction, "no")
			Expect(c.Close()).To(Succeed())
			next, _ := connect(b, "1.2")
			subscribe(next, "/queue/txack", "0")
			Expect(bodies(next, 1)).To(Equal([]string{"2"}))
			expectQuiet(next, 100*time.Millisecond)
		})

		It("CONF-46 forgets open transactions when the connection closes", func() {
			pub, _ := connect(b, "1.2")
			sendAndWait(pub, codec.Begin, codec.HdrTransaction, "t")
			sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/lost", codec.HdrTransaction, "t")
			Expect(pub.Close()).To(Succeed())
			sub, _ := connect(b, "1.2")
			subscribe(sub, "/queue/lost", "0")
			expectQuiet(sub, 100*time.Millisecond)
		})

		DescribeTable("answers a transaction misuse with an ERROR carrying the receipt-id",
			func(message string, frames ...*codec.Frame) {
				c, _ := connect(b, "1.2")
				for _, f := range frames {
					Expect(c.SendFrame(f)).To(Succeed())
				}
				f := expectFrame(c, codec.Error)
				for f.Command == codec.Receipt {
					f = expectFrame(c, codec.Error)
				}
				Expect(f.Header.Get(codec.HdrMessage)).To(Equal(message))
				Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal("bad"))
				Expect(c.ExpectEOF(rawTimeout)).To(Succeed())
			},
			Entry("BEGIN twice", "transaction already begun",
				codec.New(codec.Begin, codec.HdrTransaction, "t"),
				codec.New(codec.Begin, codec.HdrTransaction, "t", codec.HdrReceipt, "bad")),
			Entry("SEND in an unknown transaction", "unknown transaction",
				codec.New(codec.Send, codec.HdrDestination, "/queue/a", codec.HdrTransaction, "x", codec.HdrReceipt, "bad")),
			Entry("ABORT of an unknown transaction", "unknown transaction",
				codec.New(codec.Abort, codec.HdrTransaction, "x", codec.HdrReceipt, "bad")),
			Entry("COMMIT without transaction header", "missing transaction",
				codec.New(codec.Commit, codec.HdrReceipt, "bad")),
		)
	})
})
