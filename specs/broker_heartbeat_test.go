package specs_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

// countBeats reads for d and returns the heart-beats that arrived; a frame
// or a closed connection fails the spec.
func countBeats(r *rawStomp, d time.Duration) int {
	GinkgoHelper()
	start := r.HeartBeats()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		f, err := r.ReadEvent(time.Until(deadline))
		if err != nil {
			Expect(isTimeout(err)).To(BeTrue(), "reading: %v", err)
			break
		}
		Expect(f).To(BeNil(), "a frame arrived while counting heart-beats")
	}
	return r.HeartBeats() - start
}

var _ = Describe("the broker's heart-beats", func() {
	It("CONF-28 sends heart-beats every max(its send, the client's receive) interval", func() {
		b := startBroker(broker.WithHeartBeat(50*time.Millisecond, 0))
		r, f := connect(b, "1.2", codec.HdrHeartBeat, "0,100")
		Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("50,0"))
		n := countBeats(r, time.Second)
		Expect(n).To(BeNumerically(">=", 6), "about 10 beats at 100 ms")
		Expect(n).To(BeNumerically("<=", 12))
	})

	It("sends no heart-beats when the client asks for none", func() {
		b := startBroker(broker.WithHeartBeat(20*time.Millisecond, 20*time.Millisecond))
		r, f := connect(b, "1.2", codec.HdrHeartBeat, "0,0")
		Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("20,20"))
		Expect(countBeats(r, 200*time.Millisecond)).To(BeZero())
	})

	It("answers 0,0 and sends nothing by default, whatever the client asks", func() {
		b := startBroker()
		r, f := connect(b, "1.2", codec.HdrHeartBeat, "10,10")
		Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("0,0"))
		Expect(countBeats(r, 200*time.Millisecond)).To(BeZero())
	})

	It("mirrors the client's heart-beat header when asked to, as RabbitMQ does", func() {
		b := startBroker(broker.WithMirroredHeartBeat())
		r, f := connect(b, "1.2", codec.HdrHeartBeat, "5000,40")
		Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("40,5000"))
		Expect(countBeats(r, 500*time.Millisecond)).To(BeNumerically(">=", 5))
	})

	It("CONF-33 negotiates no heart-beat on 1.0", func() {
		b := startBroker(broker.WithHeartBeat(20*time.Millisecond, 20*time.Millisecond))
		r, _ := connect(b, "", codec.HdrHeartBeat, "20,20")
		r.SetVersion(codec.V11) // count EOLs as heart-beats
		Expect(countBeats(r, 200*time.Millisecond)).To(BeZero())
		expectQuiet(r, 100*time.Millisecond) // and no timeout closes it
	})

	It("keeps a client that heart-beats in time", func() {
		b := startBroker(broker.WithHeartBeat(0, 200*time.Millisecond))
		r, _ := connect(b, "1.2", codec.HdrHeartBeat, "200,0") // closed after 400 ms of silence
		Consistently(func() error {
			if err := r.SendString("\n"); err != nil {
				return err
			}
			_, err := r.ReadEvent(20 * time.Millisecond)
			if isTimeout(err) {
				return nil
			}
			return err
		}, time.Second, 20*time.Millisecond).Should(Succeed())
	})

	It("closes a client whose heart-beats stop, after twice the interval, without ERROR", func() {
		b := startBroker(broker.WithHeartBeat(0, 50*time.Millisecond))
		start := time.Now() // before CONNECT: the broker's last sign of life is later
		r, _ := connect(b, "1.2", codec.HdrHeartBeat, "50,0")
		Expect(r.ExpectEOF(rawTimeout)).To(Succeed())
		Expect(time.Since(start)).To(BeNumerically(">=", 100*time.Millisecond))
		Eventually(func() int { return b.Stats().Connections }).Should(BeZero())
	})

	It("counts any frame as a sign of life", func() {
		b := startBroker(broker.WithHeartBeat(0, 150*time.Millisecond))
		r, _ := connect(b, "1.2", codec.HdrHeartBeat, "150,0") // closed after 300 ms of silence
		// Longer than 300 ms in all, with no heart-beat sent.
		for range 20 {
			sendAndWait(r, codec.Send, codec.HdrDestination, "/topic/alive")
			_ = countBeats(r, 30*time.Millisecond)
		}
	})
})
