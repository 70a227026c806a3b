package specs_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/confreport"
)

// The broker quirks of the checklist's last section, and those measured on
// this machine, exercised where the broker is installed (over tcp). Each
// spec is named "QUIRK <broker> ..." and labelled with the quirk's id in
// confreport.Quirks.

// quirkCell returns the tcp cell of a broker for its quirk specs.
func quirkCell(id confreport.Peer) *cell {
	for _, p := range matrixPeers {
		if p.id == id {
			return &cell{p: p, t: confreport.TCP}
		}
	}
	panic("no matrix peer " + string(id))
}

func quirk(id string) Labels {
	if _, ok := confreport.QuirkByID(id); !ok {
		panic("unknown quirk " + id)
	}
	return Label(confreport.QuirkLabel(id))
}

// rawConnect opens a raw STOMP connection to the cell's broker and
// connects (version "" sends a 1.0 CONNECT: no accept-version, no host).
func rawConnect(c *cell, version string, kv ...string) (*rawStomp, *codec.Frame) {
	GinkgoHelper()
	r, err := dialRawStomp(c.hostPort())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = r.Close() })
	f, err := r.Connect(version, append([]string{codec.HdrLogin, c.p.login, codec.HdrPasscode, c.p.passcode}, kv...)...)
	Expect(err).NotTo(HaveOccurred())
	Expect(f.Command).To(Equal(codec.Connected), "%s: %s", f, f.Body)
	return r, f
}

// expectEOLAfterFrames checks that an EOL follows CONNECTED and a RECEIPT.
func expectEOLAfterFrames(c *cell) {
	GinkgoHelper()
	r, _ := rawConnect(c, "1.2")
	f, err := r.ReadEvent(time.Second)
	Expect(err).NotTo(HaveOccurred())
	Expect(f).To(BeNil(), "an EOL right after CONNECTED")
	send(r, codec.Send, codec.HdrDestination, c.queue("eol"), codec.HdrReceipt, "r-eol")
	expectReceipt(r, "r-eol")
	f, err = r.ReadEvent(time.Second)
	Expect(err).NotTo(HaveOccurred())
	Expect(f).To(BeNil(), "an EOL right after RECEIPT")
}

// expectHeartBeatOn10 checks that a 1.0 CONNECT asking for heart-beats
// gets them negotiated.
func expectHeartBeatOn10(c *cell) {
	GinkgoHelper()
	_, f := rawConnect(c, "", codec.HdrHeartBeat, "1000,1000")
	Expect(f.Header.Get(codec.HdrVersion)).To(Equal("1.0"))
	Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("1000,1000"))
}

var _ = Describe("broker quirks: RabbitMQ", Label(confreport.PeerLabel(confreport.RabbitMQ), confreport.TransportLabel(confreport.TCP)), func() {
	c := quirkCell(confreport.RabbitMQ)
	BeforeEach(func() {
		DeferCleanup(leakCheck())
		c.setUp()
	})

	It("QUIRK RabbitMQ takes host as the vhost: \"/\" connects, the dialed host name is refused", quirk("rabbitmq-vhost"), func() {
		_, err := c.try(c.ep.url, c.baseOptions(versions(codec.V12)))
		se := serverError(err)
		Expect(se.Message()).To(Equal("Bad CONNECT"))
		Expect(string(se.Body())).To(ContainSubstring("Virtual host '127.0.0.1' access denied"))
		conn, err := c.try(c.ep.url, c.baseOptions(versions(codec.V12), stampede.WithHost("/")))
		Expect(err).NotTo(HaveOccurred())
		Expect(conn.Disconnect(ctxT())).To(Succeed())
	})

	It("QUIRK RabbitMQ routes /queue/, /amq/queue/, /topic/ and /exchange/ destinations and refuses any other kind", quirk("rabbitmq-destinations"), func() {
		conn := c.dial(codec.V12)
		name := fmt.Sprintf("stampede-kinds-%d-%d", os.Getpid(), destSeq.Add(1))
		for _, route := range []struct{ subscribe, send string }{
			{"/queue/" + name, "/queue/" + name},
			{"/queue/" + name, "/amq/queue/" + name}, // the queue /queue/ declared
			{"/topic/" + name + ".t", "/topic/" + name + ".t"},
			{"/exchange/amq.topic/" + name + ".e", "/exchange/amq.topic/" + name + ".e"},
		} {
			By(route.subscribe + " <- " + route.send)
			sub, got := subscribeInbox(conn, route.subscribe)
			Expect(conn.Send(ctxT(), route.send, []byte(route.send), stampede.WithReceipt())).To(Succeed())
			Expect(string(next(got).Body())).To(Equal(route.send))
			Expect(sub.Unsubscribe(ctxT(), true)).To(Succeed())
		}
		By("any other kind")
		_, err := c.dial(codec.V12).Subscribe(ctxT(), "/nosuch/"+name, nil, stampede.WithSubscribeReceipt())
		Expect(serverError(err).Message()).To(Equal("Unknown destination"))
	})

	It("QUIRK RabbitMQ replies to /temp-queue/ through /reply-queue/, on a subscription the client never sent", quirk("rabbitmq-temp-queue"), quirk("rabbitmq-reply-queue"), func() {
		unhandled, lost := inbox()
		requester := c.dial(codec.V12, stampede.WithUnhandled(unhandled))
		responder := c.dial(codec.V12)
		q := c.queue("rpc")
		_, requests := subscribeInbox(responder, q)
		Expect(requester.Send(ctxT(), q, []byte("ping"), stampede.WithHeader(codec.HdrReplyTo, "/temp-queue/rpc"), stampede.WithReceipt())).To(Succeed())
		replyTo := next(requests).Header(codec.HdrReplyTo)
		Expect(replyTo).To(HavePrefix("/reply-queue/"))
		Expect(responder.Send(ctxT(), replyTo, []byte("pong"), stampede.WithReceipt())).To(Succeed())
		m := next(lost)
		Expect(string(m.Body())).To(Equal("pong"))
		Expect(m.Subscription).To(Equal("/temp-queue/rpc"))
		Expect(m.AckMode).To(BeEmpty(), "the client never sent that subscription")
	})

	It("QUIRK RabbitMQ rounds heart-beats below 1 s up to 1 s, mirrors the client's header and beats every half interval", quirk("rabbitmq-heartbeat"), func() {
		beats := &beatCounter{}
		conn := c.dial(codec.V12, stampede.WithHeartBeat(0, 300*time.Millisecond), stampede.WithListener("beats", beats))
		Expect(conn.Connected().Header.Get(codec.HdrHeartBeat)).To(Equal("1000,0"), "300 ms rounded up, 0 mirrored")
		mirrored := c.dial(codec.V12, stampede.WithHeartBeat(2000*time.Millisecond, 0))
		Expect(mirrored.Connected().Header.Get(codec.HdrHeartBeat)).To(Equal("0,2000"))
		start := time.Now()
		Eventually(beats.n.Load, 5*time.Second).Should(BeNumerically(">=", 5))
		Expect(time.Since(start)).To(BeNumerically("<", 2900*time.Millisecond), "5 beats at 1 s would take 5 s; every half interval, 2.5 s")
	})

	It("QUIRK RabbitMQ 3.10 has no 4 MiB frame limit: 5 MiB is delivered; max_message_size (128 MiB) refuses a bigger SEND with an ERROR", quirk("rabbitmq-frame-limit"), func() {
		conn := c.dial(codec.V12, stampede.WithHighWaterMark(256<<20), stampede.WithLimits(codec.Limits{MaxFrameSize: 8 << 20}))
		q := c.queue("big")
		_, got := subscribeInbox(conn, q)
		Expect(conn.Send(ctxT(), q, bytes.Repeat([]byte("5"), 5<<20), stampede.WithReceipt())).To(Succeed())
		Expect(next(got).Body()).To(HaveLen(5 << 20))
		err := conn.Send(ctxT(), c.queue("huge"), bytes.Repeat([]byte("h"), 130<<20), stampede.WithReceipt())
		se := serverError(err)
		Expect(se.Message()).To(Equal("precondition_failed"))
		Expect(string(se.Body())).To(ContainSubstring("larger than configured max size 134217728"))
	})

	It("QUIRK RabbitMQ requeues a NACKed message, and drops it with requeue:false", quirk("rabbitmq-nack"), func() {
		conn := c.dial(codec.V12)
		q := c.queue("requeue")
		_, got := subscribeInbox(conn, q, stampede.WithAck(stampede.AckClientIndividual))
		Expect(conn.Send(ctxT(), q, []byte("nacked"), stampede.WithReceipt())).To(Succeed())
		Expect(next(got).Nack(ctxT())).To(Succeed())
		again := next(got)
		Expect(again.Redelivered()).To(BeTrue())
		Expect(conn.SendFrame(ctxT(), codec.New(codec.Nack, codec.HdrID, again.Header(codec.HdrAck), "requeue", "false"), true)).To(Succeed())
		Expect(conn.Send(ctxT(), q, []byte("marker"), stampede.WithReceipt())).To(Succeed())
		m := next(got)
		Expect(string(m.Body())).To(Equal("marker"), "requeue:false dropped the message")
		Expect(m.Ack(ctxT())).To(Succeed())
	})

	It("QUIRK RabbitMQ escapes header values on 1.0 and unescapes them: ':' comes back as \\c, a lone '\\' drops the connection", quirk("rabbitmq-escapes-10"), func() {
		conn := c.dial(codec.V10)
		q := c.queue("escapes10")
		_, got := subscribeInbox(conn, q)
		Expect(conn.Send(ctxT(), q, []byte("x"), stampede.WithHeader("x-colon", "a:b"), stampede.WithReceipt())).To(Succeed())
		Expect(next(got).Header("x-colon")).To(Equal(`a\cb`))
		Expect(conn.Send(ctxT(), q, []byte("y"), stampede.WithHeader("x-lone", `a\b`), stampede.WithReceipt())).NotTo(Succeed())
		Eventually(conn.Done(), 10*time.Second).Should(BeClosed())
		Expect(conn.Err()).To(HaveOccurred(), "closed by RabbitMQ")
	})

	It("QUIRK RabbitMQ sends ERRORs without receipt-id, even for a frame that asked for a receipt", quirk("rabbitmq-error-receipt"), func() {
		r, _ := rawConnect(c, "1.2")
		send(r, codec.Commit, codec.HdrTransaction, "none", codec.HdrReceipt, "r-1")
		f := expectFrame(r, codec.Error)
		Expect(f.Header.Get(codec.HdrMessage)).To(Equal("Bad transaction"))
		Expect(f.Header.Has(codec.HdrReceiptID)).To(BeFalse())
	})

	It("QUIRK RabbitMQ answers a MESSAGE in flight at UNSUBSCRIBE with an ERROR \"Subscription not found\" and keeps the connection", quirk("rabbitmq-late-delivery"), func() {
		sub, _ := rawConnect(c, "1.2")
		snd, _ := rawConnect(c, "1.2")
		t := c.topic("inflight")
		subscribe(sub, t, "s1")
		// The sender publishes without pause until the end of the spec, so
		// that deliveries are on their way whenever the UNSUBSCRIBE lands.
		var batch strings.Builder
		for i := range 100 {
			fmt.Fprintf(&batch, "SEND\ndestination:%s\n\n%d\x00", t, i)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if snd.SendString(batch.String()) != nil {
					return
				}
			}
		}()
		DeferCleanup(func() {
			close(stop)
			wg.Wait()
		})
		// Whether a MESSAGE is in flight when the UNSUBSCRIBE lands is a
		// race the spec cannot force: when RabbitMQ goes quiet without an
		// ERROR, nothing was in flight that time, and the spec subscribes
		// and unsubscribes again.
		var errorFrame *codec.Frame
		for attempt := 1; errorFrame == nil && attempt <= 20; attempt++ {
			id := fmt.Sprintf("s%d", attempt)
			if attempt > 1 {
				subscribe(sub, t, id)
			}
			expectFrame(sub, codec.Message)
			send(sub, codec.Unsubscribe, codec.HdrID, id)
			for {
				f, err := sub.ReadFrame(time.Second)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break // quiet: nothing was in flight
				}
				Expect(err).NotTo(HaveOccurred())
				if f.Command == codec.Error {
					errorFrame = f
					break
				}
			}
		}
		Expect(errorFrame).NotTo(BeNil(), "no MESSAGE in flight at any of 20 UNSUBSCRIBEs")
		Expect(errorFrame.Header.Get(codec.HdrMessage)).To(Equal("Subscription not found"))
		By("the connection is still open")
		send(sub, codec.Send, codec.HdrDestination, c.queue("open"), codec.HdrReceipt, "still-open")
		Eventually(func() string {
			f, err := sub.ReadFrame(rawTimeout)
			Expect(err).NotTo(HaveOccurred())
			return f.Header.Get(codec.HdrReceiptID)
		}, 10*time.Second, time.Millisecond).Should(Equal("still-open"))
	})

	It("QUIRK RabbitMQ sends an EOL after every frame", quirk("broker-eol"), func() {
		expectEOLAfterFrames(c)
	})

	It("QUIRK RabbitMQ negotiates heart-beats on a 1.0 CONNECT that carries heart-beat", quirk("broker-heartbeat-10"), func() {
		expectHeartBeatOn10(c)
	})
})
