package specs_test

import (
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

// drain reads MESSAGE frames on its own goroutine until the connection
// ends, counting them; the spec waits for it to finish.
func drain(r *rawStomp) *atomic.Int64 {
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		for {
			f, err := r.ReadFrame(10 * time.Second)
			if err != nil {
				return
			}
			if f.Command == codec.Message {
				n.Add(1)
			}
		}
	}()
	DeferCleanup(func() {
		_ = r.Close()
		<-done
	})
	return &n
}

var _ = Describe("the broker's limits", func() {
	DescribeTable("answers a frame past a limit with an ERROR and closes only that connection",
		func(message string, limits codec.Limits, frame string) {
			b := startBroker(broker.WithLimits(limits))
			bystander, _ := connect(b, "1.2")
			subscribe(bystander, "/topic/limits", "0")
			bad, _ := connect(b, "1.2")
			Expect(bad.SendString(frame)).To(Succeed())
			f := expectFrame(bad, codec.Error)
			Expect(f.Header.Get(codec.HdrMessage)).To(Equal(message))
			Expect(string(f.Body)).NotTo(BeEmpty())
			Expect(bad.ExpectEOF(rawTimeout)).To(Succeed())
			pub, _ := connect(b, "1.2")
			sendBody(pub, "/topic/limits", "still here")
			Expect(bodies(bystander, 1)).To(Equal([]string{"still here"}))
		},
		Entry("frame size", "frame too large", codec.Limits{MaxFrameSize: 1024},
			"SEND\ndestination:/queue/a\n\n"+strings.Repeat("x", 2000)+"\x00"),
		Entry("CONF-18 a content-length beyond the limit, refused before the body arrives", "frame too large",
			codec.Limits{MaxFrameSize: 1024}, "SEND\ndestination:/queue/a\ncontent-length:4294967296\n\n"),
		Entry("header count", "too many headers", codec.Limits{MaxHeaders: 4},
			"SEND\ndestination:/queue/a\na:1\nb:2\nc:3\nd:4\ne:5\n\n\x00"),
		Entry("header line length", "header line too long", codec.Limits{MaxHeaderLine: 64},
			"SEND\ndestination:/queue/a\nlong:"+strings.Repeat("y", 100)+"\n\n\x00"),
		Entry("CONF-4 a malformed header line", "malformed frame", codec.Limits{},
			"SEND\n:no-name\n\n\x00"),
	)

	It("closes a topic subscriber that falls too far behind with a slow-consumer ERROR; the others keep receiving", func() {
		b := startBroker(broker.WithMaxPending(50), broker.WithHighWater(256<<10))
		slow, _ := connect(b, "1.2")
		subscribe(slow, "/topic/flood", "slow")
		good, _ := connect(b, "1.2")
		subscribe(good, "/topic/flood", "good")
		got := drain(good)
		pub, _ := connect(b, "1.2")
		body := strings.Repeat("z", 16<<10)
		const n, batch = 2000, 20
		for i := batch; i <= n; i += batch {
			for range batch {
				sendBody(pub, "/topic/flood", body)
			}
			// The good subscriber keeps up; the slow one never reads.
			Eventually(got.Load, 20*time.Second).Should(BeEquivalentTo(i))
		}
		frames, err := slow.ReadUntilClosed(20 * time.Second)
		Expect(err).To(MatchError(ContainSubstring("EOF")))
		last := frames[len(frames)-1]
		Expect(last.Command).To(Equal(codec.Error))
		Expect(last.Header.Get(codec.HdrMessage)).To(Equal("slow consumer"))
		Expect(len(frames) - 1).To(BeNumerically("<", n))
		Eventually(func() int { return b.Stats().Connections }).Should(Equal(2))
	})

	It("keeps a queue's messages from a consumer that does not read and gives them to one that does", func() {
		b := startBroker(broker.WithMaxPending(10), broker.WithHighWater(4<<10))
		stuck, _ := connect(b, "1.2")
		subscribe(stuck, "/queue/flood", "stuck")
		good, _ := connect(b, "1.2")
		subscribe(good, "/queue/flood", "good")
		got := drain(good)
		pub, _ := connect(b, "1.2")
		body := strings.Repeat("q", 16<<10)
		const n = 2000 // 32 MB: the stuck consumer's socket buffers take a few MB
		for range n {
			sendBody(pub, "/queue/flood", body)
		}
		Eventually(func() int64 {
			d, _ := b.Destination("/queue/flood")
			return int64(d.Out) - got.Load()
		}, 20*time.Second).Should(BeNumerically("<", n/4), "most messages went to the consumer that reads")
		Eventually(func() uint64 { d, _ := b.Destination("/queue/flood"); return d.Out }, 20*time.Second).Should(BeEquivalentTo(n))
		stuckGot := 0
		for {
			f, err := stuck.ReadFrame(2 * time.Second) // a pause that long means the broker sent all it had
			if err != nil {
				Expect(isTimeout(err)).To(BeTrue(), "the stuck consumer stays connected: %v", err)
				break
			}
			Expect(f.Command).To(Equal(codec.Message))
			stuckGot++
		}
		Eventually(got.Load).Should(BeEquivalentTo(n - stuckGot))
		Expect(b.Stats().Connections).To(Equal(3))
	})
})
