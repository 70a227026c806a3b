package specs_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("the broker's destinations", func() {
	var b *broker.Broker
	BeforeEach(func() { b = startBroker() })

	Describe("a /queue/ destination", func() {
		It("gives each message to one subscriber, round robin", func() {
			pub, _ := connect(b, "1.2")
			c1, _ := connect(b, "1.2")
			c2, _ := connect(b, "1.2")
			subscribe(c1, "/queue/work", "a")
			subscribe(c2, "/queue/work", "b")
			for _, body := range []string{"1", "2", "3", "4"} {
				sendBody(pub, "/queue/work", body)
			}
			Expect(bodies(c1, 2)).To(Equal([]string{"1", "3"}))
			Expect(bodies(c2, 2)).To(Equal([]string{"2", "4"}))
			expectQuiet(c1, 100*time.Millisecond)
			expectQuiet(c2, 50*time.Millisecond)
		})

		It("holds messages while nobody subscribes and delivers them in order on SUBSCRIBE", func() {
			pub, _ := connect(b, "1.2")
			for _, body := range []string{"a", "b", "c"} {
				sendBody(pub, "/queue/held", body)
			}
			sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/held")
			Eventually(func() int { d, _ := b.Destination("/queue/held"); return d.Depth }).Should(Equal(4))
			sub, _ := connect(b, "1.2")
			send(sub, codec.Subscribe, codec.HdrDestination, "/queue/held", codec.HdrID, "0")
			Expect(bodies(sub, 4)).To(Equal([]string{"a", "b", "c", ""}))
			Eventually(func() int { d, _ := b.Destination("/queue/held"); return d.Depth }).Should(BeZero())
		})

		It("treats a destination with any other prefix as a queue", func() {
			pub, _ := connect(b, "1.2")
			sendAndWait(pub, codec.Send, codec.HdrDestination, "orders.eu")
			d, ok := b.Destination("orders.eu")
			Expect(ok).To(BeTrue())
			Expect(d.Kind).To(Equal(broker.KindQueue))
			Expect(d.Depth).To(Equal(1))
			sub, _ := connect(b, "1.2")
			send(sub, codec.Subscribe, codec.HdrDestination, "orders.eu", codec.HdrID, "0")
			expectFrame(sub, codec.Message)
		})
	})

	Describe("a /topic/ destination", func() {
		It("gives every message to every subscriber", func() {
			pub, _ := connect(b, "1.2")
			subs := make([]*rawStomp, 3)
			for i := range subs {
				subs[i], _ = connect(b, "1.2")
				subscribe(subs[i], "/topic/news", "t")
			}
			sendBody(pub, "/topic/news", "one")
			sendBody(pub, "/topic/news", "two")
			for _, s := range subs {
				Expect(bodies(s, 2)).To(Equal([]string{"one", "two"}))
			}
		})

		It("drops messages sent while nobody subscribes", func() {
			pub, _ := connect(b, "1.2")
			sendAndWait(pub, codec.Send, codec.HdrDestination, "/topic/void")
			d, _ := b.Destination("/topic/void")
			Expect(d.Dropped).To(BeEquivalentTo(1))
			sub, _ := connect(b, "1.2")
			subscribe(sub, "/topic/void", "t")
			expectQuiet(sub, 100*time.Millisecond)
			sendBody(pub, "/topic/void", "now")
			Expect(bodies(sub, 1)).To(Equal([]string{"now"}))
		})
	})

	It("writes MESSAGE with destination, message-id, subscription, the SEND's own headers and content-length", func() {
		pub, _ := connect(b, "1.2")
		sub, _ := connect(b, "1.2")
		subscribe(sub, "/queue/h", "s-1")
		f := codec.New(codec.Send, codec.HdrDestination, "/queue/h", "x-trace", "abc",
			codec.HdrContentType, "text/plain", codec.HdrReceipt, "r1", "x-trace", "second")
		f.Body = []byte("hello\x00world")
		Expect(pub.SendFrame(f)).To(Succeed())
		expectReceipt(pub, "r1")
		m := expectFrame(sub, codec.Message)
		Expect(m.Header.Get(codec.HdrDestination)).To(Equal("/queue/h"))
		Expect(m.Header.Get(codec.HdrSubscription)).To(Equal("s-1"))
		Expect(m.Header.Get(codec.HdrMessageID)).NotTo(BeEmpty())
		Expect(m.Header.Get(codec.HdrContentType)).To(Equal("text/plain"))
		Expect(m.Header.GetAll("x-trace")).To(Equal([]string{"abc", "second"}))
		Expect(m.Header.Get(codec.HdrContentLength)).To(Equal("11"))
		Expect(m.Header.Has(codec.HdrReceipt)).To(BeFalse())
		Expect(m.Header.Has(codec.HdrAck)).To(BeFalse(), "no ack header in auto mode")
		Expect(string(m.Body)).To(Equal("hello\x00world"))
	})

	It("never gives two messages the same message-id", func() {
		pubs := []*rawStomp{}
		for range 3 {
			p, _ := connect(b, "1.2")
			pubs = append(pubs, p)
		}
		sub, _ := connect(b, "1.2")
		subscribe(sub, "/topic/ids", "t")
		for range 5 {
			for _, p := range pubs {
				sendBody(p, "/topic/ids", "x")
			}
		}
		ids := map[string]bool{}
		for range 15 {
			id := expectFrame(sub, codec.Message).Header.Get(codec.HdrMessageID)
			Expect(ids).NotTo(HaveKey(id))
			ids[id] = true
		}
	})

	It("escapes headers for each subscriber's version (CONF-7, CONF-8, CONF-9)", func() {
		pub, _ := connect(b, "1.2")
		s12, _ := connect(b, "1.2")
		s11, _ := connect(b, "1.1")
		s10, _ := connect(b, "1.0")
		subscribe(s12, "/topic/esc", "a")
		subscribe(s11, "/topic/esc", "b")
		subscribe(s10, "/topic/esc", "c")
		Expect(pub.SendString("SEND\ndestination:/topic/esc\nk\\cey:a\\cb\\\\c\nnl:x\\ny\n\n\x00")).To(Succeed())
		for _, s := range []*rawStomp{s12, s11} {
			m := expectFrame(s, codec.Message)
			Expect(m.Header.Get("k:ey")).To(Equal(`a:b\c`))
			Expect(m.Header.Get("nl")).To(Equal("x\ny"))
		}
		m := expectFrame(s10, codec.Message)
		Expect(m.Header.Get("k:ey")).To(BeEmpty(), "a 1.0 header name cannot hold ':'")
		Expect(m.Header.Has("nl")).To(BeFalse(), "a 1.0 value cannot hold LF")
		Expect(m.Header.Get(codec.HdrDestination)).To(Equal("/topic/esc"))
	})

	Describe("reply-to with /temp-queue/ (as RabbitMQ does it)", func() {
		It("creates a private reply queue whose replies arrive on a subscription the client never sent", func() {
			requester, _ := connect(b, "1.2")
			responder, _ := connect(b, "1.2")
			subscribe(responder, "/queue/rpc", "rpc")
			sendBody(requester, "/queue/rpc", "ping", codec.HdrReplyTo, "/temp-queue/answers")
			req := expectFrame(responder, codec.Message)
			replyTo := req.Header.Get(codec.HdrReplyTo)
			Expect(replyTo).To(HavePrefix("/reply-queue/"))
			sendBody(responder, replyTo, "pong")
			reply := expectFrame(requester, codec.Message)
			Expect(string(reply.Body)).To(Equal("pong"))
			Expect(reply.Header.Get(codec.HdrSubscription)).To(Equal("/temp-queue/answers"))
			Expect(reply.Header.Get(codec.HdrDestination)).To(Equal(replyTo))
		})

		It("keeps the reply queue private and drops it with its connection", func() {
			requester, _ := connect(b, "1.2")
			sendAndWait(requester, codec.Send, codec.HdrDestination, "/queue/rpc2", codec.HdrReplyTo, "/temp-queue/r")
			other, _ := connect(b, "1.2")
			send(other, codec.Subscribe, codec.HdrDestination, "/queue/rpc2", codec.HdrID, "0")
			replyTo := expectFrame(other, codec.Message).Header.Get(codec.HdrReplyTo)
			_, ok := b.Destination(replyTo)
			Expect(ok).To(BeTrue())
			thief, _ := connect(b, "1.2")
			send(thief, codec.Subscribe, codec.HdrDestination, replyTo, codec.HdrID, "x")
			expectError(thief, "access refused")
			Expect(requester.Close()).To(Succeed())
			Eventually(func() bool { _, ok := b.Destination(replyTo); return ok }).Should(BeFalse())
			sendAndWait(other, codec.Send, codec.HdrDestination, replyTo)
			Expect(b.Stats().MessagesDropped).To(BeEquivalentTo(1))
		})

		It("delivers replies on the client's own subscription when it subscribed to the temp queue", func() {
			requester, _ := connect(b, "1.2")
			subscribe(requester, "/temp-queue/mine", "my-id")
			responder, _ := connect(b, "1.2")
			subscribe(responder, "/queue/rpc3", "rpc")
			sendBody(requester, "/queue/rpc3", "ping", codec.HdrReplyTo, "/temp-queue/mine")
			replyTo := expectFrame(responder, codec.Message).Header.Get(codec.HdrReplyTo)
			sendBody(responder, replyTo, "pong")
			Expect(expectFrame(requester, codec.Message).Header.Get(codec.HdrSubscription)).To(Equal("my-id"))
		})
	})

	It("stops delivering after UNSUBSCRIBE", func() {
		pub, _ := connect(b, "1.2")
		sub, _ := connect(b, "1.2")
		subscribe(sub, "/topic/u", "t")
		sendAndWait(sub, codec.Unsubscribe, codec.HdrID, "t")
		sendBody(pub, "/topic/u", "late")
		expectQuiet(sub, 100*time.Millisecond)
	})

	It("unsubscribes a 1.0 subscription without id by destination", func() {
		pub, _ := connect(b, "1.2")
		sub, _ := connect(b, "1.0")
		sendAndWait(sub, codec.Subscribe, codec.HdrDestination, "/queue/v10")
		sendBody(pub, "/queue/v10", "1")
		m := expectFrame(sub, codec.Message)
		Expect(m.Header.Has(codec.HdrSubscription)).To(BeFalse())
		sendAndWait(sub, codec.Unsubscribe, codec.HdrDestination, "/queue/v10")
		sendBody(pub, "/queue/v10", "2")
		expectQuiet(sub, 100*time.Millisecond)
	})

	DescribeTable("refuses malformed subscriptions with an ERROR",
		func(message string, kv ...string) {
			r, _ := connect(b, "1.2")
			send(r, codec.Subscribe, append(kv, codec.HdrReceipt, "r")...)
			Expect(expectError(r, message).Header.Get(codec.HdrReceiptID)).To(Equal("r"))
		},
		Entry("no destination", "missing destination", codec.HdrID, "1"),
		Entry("CONF-34 no id on 1.2", "missing id", codec.HdrDestination, "/queue/a"),
		Entry("an unknown ack mode", "invalid ack mode", codec.HdrDestination, "/queue/a", codec.HdrID, "1", codec.HdrAck, "sometimes"),
		Entry("a bad prefetch-count", "invalid prefetch", codec.HdrDestination, "/queue/a", codec.HdrID, "1", "prefetch-count", "-1"),
	)

	It("refuses a duplicate subscription id and an UNSUBSCRIBE of an unknown one", func() {
		r, _ := connect(b, "1.2")
		subscribe(r, "/queue/a", "same")
		send(r, codec.Subscribe, codec.HdrDestination, "/queue/b", codec.HdrID, "same")
		expectError(r, "duplicate subscription id")
		r2, _ := connect(b, "1.2")
		send(r2, codec.Unsubscribe, codec.HdrID, "never")
		expectError(r2, "unknown subscription")
	})

	It("refuses a SEND without destination (CONF-50)", func() {
		r, _ := connect(b, "1.2")
		send(r, codec.Send, codec.HdrReceipt, "s")
		Expect(expectError(r, "missing destination").Header.Get(codec.HdrReceiptID)).To(Equal("s"))
	})
})
