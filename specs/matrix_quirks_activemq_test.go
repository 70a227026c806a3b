package specs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/confreport"
)

// Where Debian's activemq package puts the broker's jars.
var activeMQLibs = []string{"/usr/share/activemq/lib", "/usr/share/java"}

var _ = Describe("broker quirks: ActiveMQ", Label(confreport.PeerLabel(confreport.ActiveMQ), confreport.TransportLabel(confreport.TCP)), func() {
	c := quirkCell(confreport.ActiveMQ)
	BeforeEach(func() {
		DeferCleanup(leakCheck())
		c.setUp()
	})

	It("QUIRK ActiveMQ accepts any destination name", quirk("activemq-destinations"), func() {
		conn := c.dial(codec.V12)
		n := destSeq.Add(1)
		for _, dest := range []string{
			fmt.Sprintf("stampede-plain-%d-%d", os.Getpid(), n),
			fmt.Sprintf("/weird/stampede-%d-%d", os.Getpid(), n),
			fmt.Sprintf("/queue/stampede-ok-%d-%d", os.Getpid(), n),
		} {
			By(dest)
			_, got := subscribeInbox(conn, dest)
			Expect(conn.Send(ctxT(), dest, []byte(dest), stampede.WithReceipt())).To(Succeed())
			Expect(string(next(got).Body())).To(Equal(dest))
		}
	})

	It("QUIRK ActiveMQ makes a bytes message when content-length is present and a text message without it", quirk("activemq-bytes-message"), func() {
		conn := c.dial(codec.V12)
		q := c.queue("kinds")
		_, got := subscribeInbox(conn, q)
		Expect(conn.Send(ctxT(), q, []byte("bytes"), stampede.WithReceipt())).To(Succeed())
		Expect(conn.Send(ctxT(), q, []byte("text"), stampede.WithoutContentLength(), stampede.WithReceipt())).To(Succeed())
		Expect(next(got).Header(codec.HdrContentLength)).To(Equal("5"), "a bytes message comes back with content-length")
		Expect(next(got).Frame.Header.Has(codec.HdrContentLength)).To(BeFalse(), "a text message comes back without")
	})

	It("QUIRK ActiveMQ moves a NACKed persistent message to ActiveMQ.DLQ", quirk("activemq-nack-dlq"), func() {
		conn := c.dial(codec.V12)
		q := c.queue("dead")
		_, got := subscribeInbox(conn, q, stampede.WithAck(stampede.AckClientIndividual))
		body := fmt.Sprintf("dead letter %d-%d", os.Getpid(), destSeq.Add(1))
		// Only persistent messages are dead-lettered; a non-persistent one
		// (a SEND's default) is dropped.
		Expect(conn.Send(ctxT(), q, []byte(body), stampede.WithHeader("persistent", "true"), stampede.WithReceipt())).To(Succeed())
		Expect(next(got).Nack(ctxT())).To(Succeed())
		// The dead-letter queue is shared: skip what other specs left there.
		_, dlq := subscribeInbox(c.dial(codec.V12), "/queue/ActiveMQ.DLQ")
		Eventually(func() string {
			select {
			case m := <-dlq:
				return string(m.Body())
			default:
				return ""
			}
		}, 10*time.Second, time.Millisecond).Should(Equal(body))
	})

	It("QUIRK ActiveMQ sends its first heart-beat late, which a receive scale of 2.5 tolerates", quirk("activemq-late-heartbeat"), func() {
		const interval = 200 * time.Millisecond
		r, f := rawConnect(c, "1.2", codec.HdrHeartBeat, "0,200")
		Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("200,0"))
		start := time.Now()
		beat, err := r.ReadEvent(2 * time.Second)
		Expect(err).NotTo(HaveOccurred())
		Expect(beat).To(BeNil())
		first := time.Since(start)
		AddReportEntry("first heart-beat after CONNECTED", first.String())
		Expect(first).To(BeNumerically("<", 5*interval/2), "within 2.5 intervals of %v", interval)

		conn := c.dial(codec.V12, stampede.WithHeartBeat(0, interval), stampede.WithHeartBeatScale(2.5))
		Consistently(conn.Status, 10*interval, interval/4).Should(Equal(stampede.StatusConnected))
	})

	It("QUIRK ActiveMQ's Debian package has no WebSocket transport: no activemq-http jar", quirk("activemq-no-websocket"), func() {
		Expect(filepath.Join(activeMQLibs[0], "activemq-stomp.jar")).To(BeAnExistingFile(), "the installed broker is where the spec looks")
		for _, dir := range activeMQLibs {
			jars, err := filepath.Glob(filepath.Join(dir, "activemq-http*.jar"))
			Expect(err).NotTo(HaveOccurred())
			Expect(jars).To(BeEmpty(), "activemq-http holds the ws:// transport")
		}
	})

	It("QUIRK ActiveMQ bounds unacknowledged deliveries with activemq.prefetchSize", quirk("activemq-prefetch"), func() {
		conn := c.dial(codec.V12)
		q := c.queue("prefetch")
		_, got := subscribeInbox(conn, q, stampede.WithAck(stampede.AckClientIndividual), stampede.WithSubscribeHeader("activemq.prefetchSize", "1"))
		Expect(conn.Send(ctxT(), q, []byte("1"), stampede.WithReceipt())).To(Succeed())
		Expect(conn.Send(ctxT(), q, []byte("2"), stampede.WithReceipt())).To(Succeed())
		m := next(got)
		Consistently(got, 300*time.Millisecond).ShouldNot(Receive(), "one unacknowledged message at a time")
		Expect(m.Ack(ctxT())).To(Succeed())
		Expect(string(next(got).Body())).To(Equal("2"))
	})

	It("QUIRK ActiveMQ sends ERRORs without content-length and keeps the connection open after them", quirk("activemq-error"), func() {
		r, _ := rawConnect(c, "1.2")
		send(r, codec.Commit, codec.HdrTransaction, "none", codec.HdrReceipt, "r-1")
		f := expectFrame(r, codec.Error)
		Expect(f.Header.Has(codec.HdrContentLength)).To(BeFalse())
		Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal("r-1"))
		Expect(f.Body).NotTo(BeEmpty(), "read up to the NUL")
		sendAndWait(r, codec.Send, codec.HdrDestination, c.queue("open"))
	})

	It("QUIRK ActiveMQ sends an EOL after every frame", quirk("broker-eol"), func() {
		expectEOLAfterFrames(c)
	})

	It("QUIRK ActiveMQ negotiates heart-beats on a 1.0 CONNECT that carries heart-beat", quirk("broker-heartbeat-10"), func() {
		expectHeartBeatOn10(c)
	})
})
