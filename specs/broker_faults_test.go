package specs_test

import (
	"context"
	"errors"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("the broker's fault injection, seen from a raw TCP client", func() {
	It("drops a connection with a TCP reset", func() {
		b := startBroker()
		c, f := connect(b, "1.2")
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).Drop(true)).To(Succeed())
		_, err := c.ReadUntilClosed(rawTimeout)
		Expect(errors.Is(err, syscall.ECONNRESET)).To(BeTrue(), "read ended with %v", err)
	})

	It("drops a connection with a FIN and no ERROR", func() {
		b := startBroker()
		c, f := connect(b, "1.2")
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).Drop(false)).To(Succeed())
		Expect(c.ExpectEOF(rawTimeout)).To(Succeed())
	})

	It("drops every connection at once, and only those open", func() {
		b := startBroker()
		c1, _ := connect(b, "1.2")
		c2, _ := connect(b, "1.1")
		Expect(b.Faults().All().Drop(false)).To(Succeed())
		Expect(c1.ExpectEOF(rawTimeout)).To(Succeed())
		Expect(c2.ExpectEOF(rawTimeout)).To(Succeed())
		connect(b, "1.2")
	})

	It("redelivers what a dropped connection had not acknowledged", func() {
		b := startBroker()
		c, f := connect(b, "1.2")
		subscribe(c, "/queue/drop", "0", codec.HdrAck, "client")
		pub, _ := connect(b, "1.2")
		sendBody(pub, "/queue/drop", "unacked")
		expectFrame(c, codec.Message)
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).Drop(true)).To(Succeed())
		next, _ := connect(b, "1.2")
		subscribe(next, "/queue/drop", "0")
		m := expectFrame(next, codec.Message)
		Expect(m.Header.Get(codec.HdrRedelivered)).To(Equal("true"))
	})

	It("refuses faults aimed at a session that is not open", func() {
		b := startBroker()
		Expect(b.Faults().Session("nobody").Hang()).To(MatchError(broker.ErrUnknownSession))
		Expect(b.Faults().All().Hang()).To(Succeed(), "all of no connection is no error")
		Expect(b.Faults().All().DelayNext(0)).To(MatchError(broker.ErrInvalidOption))
	})

	It("hangs a connection: no answers, no heart-beats, no messages, and the socket stays open", func() {
		b := startBroker(broker.WithHeartBeat(20*time.Millisecond, 20*time.Millisecond))
		// The client promises a beat every 100 ms (the broker waits 200 ms) and
		// wants one every 20 ms.
		c, f := connect(b, "1.2", codec.HdrHeartBeat, "100,20")
		subscribe(c, "/queue/hang", "0")
		Eventually(func() int {
			Expect(c.SendString("\n")).To(Succeed()) // the client beats too, until the hang
			_, _ = c.ReadEvent(10 * time.Millisecond)
			return c.HeartBeats()
		}).Should(BeNumerically(">=", 2))
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).Hang()).To(Succeed())
		_ = countBeats(c, 50*time.Millisecond) // one may have been on its way
		before := c.HeartBeats()
		send(c, codec.Send, codec.HdrDestination, "/queue/hang", codec.HdrReceipt, "r")
		other, _ := connect(b, "1.2")
		subscribe(other, "/queue/hang", "1")
		sendBody(other, "/queue/hang", "for whoever answers")
		Expect(bodies(other, 1)).To(Equal([]string{"for whoever answers"}))
		expectQuiet(c, 300*time.Millisecond) // the client stopped beating: no timeout closes it either
		Expect(c.HeartBeats()).To(Equal(before))
		Expect(b.Stats().Connections).To(Equal(2))
	})

	It("withholds heart-beats, then resumes them, while everything else goes on", func() {
		b := startBroker(broker.WithHeartBeat(20*time.Millisecond, 0))
		c, f := connect(b, "1.2", codec.HdrHeartBeat, "0,20")
		faults := b.Faults().Session(f.Header.Get(codec.HdrSession))
		Expect(countBeats(c, 200*time.Millisecond)).To(BeNumerically(">=", 3))
		Expect(faults.WithholdHeartBeats(true)).To(Succeed())
		_ = countBeats(c, 30*time.Millisecond) // one may have been on its way
		Expect(countBeats(c, 200*time.Millisecond)).To(BeZero())
		sendAndWait(c, codec.Send, codec.HdrDestination, "/queue/x")
		Expect(faults.WithholdHeartBeats(false)).To(Succeed())
		Expect(countBeats(c, 200*time.Millisecond)).To(BeNumerically(">=", 3))
	})

	It("delays the next frame, keeping the order of those behind it", func() {
		b := startBroker()
		c, f := connect(b, "1.2")
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).DelayNext(600 * time.Millisecond)).To(Succeed())
		start := time.Now()
		send(c, codec.Send, codec.HdrDestination, "/queue/d", codec.HdrReceipt, "first")
		send(c, codec.Send, codec.HdrDestination, "/queue/d", codec.HdrReceipt, "second")
		expectQuiet(c, 200*time.Millisecond)
		expectReceipt(c, "first")
		Expect(time.Since(start)).To(BeNumerically(">=", 600*time.Millisecond))
		expectReceipt(c, "second")
		sendAndWait(c, codec.Send, codec.HdrDestination, "/queue/d") // no delay any more
	})

	It("corrupts the next frame so that the client's decoder rejects it", func() {
		b := startBroker()
		c, f := connect(b, "1.2")
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).CorruptNext()).To(Succeed())
		send(c, codec.Send, codec.HdrDestination, "/queue/c", codec.HdrReceipt, "r")
		_, err := c.ReadFrame(rawTimeout)
		var se *codec.SyntaxError
		Expect(errors.As(err, &se)).To(BeTrue(), "read ended with %v", err)
		Expect(err).To(MatchError(codec.ErrEmptyHeaderName))
	})

	It("sends an ERROR on demand, then closes", func() {
		b := startBroker()
		c, f := connect(b, "1.2")
		Expect(b.Faults().Session(f.Header.Get(codec.HdrSession)).SendError("broker on fire")).To(Succeed())
		expectError(c, "broker on fire")
	})

	It("refuses new connections: they are closed before CONNECTED; open ones go on", func() {
		b := startBroker()
		open, _ := connect(b, "1.2")
		b.Faults().RefuseNew(true)
		r := dial(b)
		send(r, codec.Connect, codec.HdrAcceptVersion, "1.2")
		_, err := r.ReadUntilClosed(rawTimeout)
		Expect(err).To(SatisfyAny(MatchError(ContainSubstring("EOF")), MatchError(syscall.ECONNRESET)))
		sendAndWait(open, codec.Send, codec.HdrDestination, "/queue/ok")
		b.Faults().RefuseNew(false)
		connect(b, "1.2")
	})

	It("restarts on the same port: connections end, queued messages survive, new clients connect", func() {
		b := startBroker()
		addr := b.Addr().String()
		pub, _ := connect(b, "1.2")
		sendBody(pub, "/queue/durable", "kept")
		sendAndWait(pub, codec.Send, codec.HdrDestination, "/queue/sync")
		Expect(b.Restart(context.Background())).To(Succeed())
		Expect(pub.ExpectEOF(rawTimeout)).To(Succeed())
		Expect(b.Addr().String()).To(Equal(addr))
		c, _ := connect(b, "1.2")
		subscribe(c, "/queue/durable", "0")
		Expect(bodies(c, 1)).To(Equal([]string{"kept"}))
	})
})
