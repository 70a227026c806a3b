package specs_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/leaktest"
)

// startBroker starts an embedded broker for one spec. When the spec ends
// the broker is shut down and no goroutine may be left behind.
func startBroker(opts ...broker.Option) *broker.Broker {
	GinkgoHelper()
	before := goleak.IgnoreCurrent()
	b, err := broker.Start(append([]broker.Option{broker.WithLoops(2)}, opts...)...)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(b.Shutdown(ctx)).To(Succeed())
		Eventually(func() error { return goleak.Find(leaktest.Options(before)...) }).Should(Succeed())
	})
	return b
}

// dial opens a raw connection to the broker, closed when the spec ends.
func dial(b *broker.Broker) *rawStomp {
	GinkgoHelper()
	r, err := dialRawStomp(b.Addr().String())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _ = r.Close() })
	return r
}

// connect opens a raw connection and connects with the version(s) given
// ("1.2", "1.0,1.1"; "" sends no accept-version) and extra headers, and
// expects CONNECTED.
func connect(b *broker.Broker, version string, kv ...string) (*rawStomp, *codec.Frame) {
	GinkgoHelper()
	r := dial(b)
	f, err := r.Connect(version, kv...)
	Expect(err).NotTo(HaveOccurred())
	Expect(f.Command).To(Equal(codec.Connected), "CONNECT answered with %s: %s", f, f.Body)
	return r, f
}

// send writes a frame and fails the spec on an error.
func send(r *rawStomp, cmd codec.Command, kv ...string) {
	GinkgoHelper()
	Expect(r.Send(cmd, kv...)).To(Succeed())
}

// sendBody writes a SEND with a body.
func sendBody(r *rawStomp, dest, body string, kv ...string) {
	GinkgoHelper()
	f := codec.New(codec.Send, append([]string{codec.HdrDestination, dest}, kv...)...)
	f.Body = []byte(body)
	Expect(r.SendFrame(f)).To(Succeed())
}

// expectFrame reads the next frame and checks its command.
func expectFrame(r *rawStomp, cmd codec.Command) *codec.Frame {
	GinkgoHelper()
	f, err := r.ExpectFrame(cmd, rawTimeout)
	Expect(err).NotTo(HaveOccurred())
	return f
}

// expectReceipt sends nothing; it reads a RECEIPT and checks its id.
func expectReceipt(r *rawStomp, id string) {
	GinkgoHelper()
	f := expectFrame(r, codec.Receipt)
	Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal(id))
}

// subscribe subscribes and waits for the receipt, so that the
// subscription is in place when it returns.
func subscribe(r *rawStomp, dest, id string, kv ...string) {
	GinkgoHelper()
	receipt := "sub-" + id
	send(r, codec.Subscribe, append([]string{codec.HdrDestination, dest, codec.HdrID, id, codec.HdrReceipt, receipt}, kv...)...)
	expectReceipt(r, receipt)
}

// sendAndWait sends a frame with a receipt and waits for it: every frame sent
// before has been processed.
func sendAndWait(r *rawStomp, cmd codec.Command, kv ...string) {
	GinkgoHelper()
	send(r, cmd, append(kv, codec.HdrReceipt, "sync")...)
	expectReceipt(r, "sync")
}

// bodies reads n MESSAGE frames and returns their bodies.
func bodies(r *rawStomp, n int) []string {
	GinkgoHelper()
	out := make([]string, n)
	for i := range out {
		out[i] = string(expectFrame(r, codec.Message).Body)
	}
	return out
}

// expectQuiet checks that nothing but heart-beats arrives for a while.
func expectQuiet(r *rawStomp, d time.Duration) {
	GinkgoHelper()
	Consistently(func() *codec.Frame {
		f, err := r.ReadEvent(20 * time.Millisecond)
		if err != nil && !isTimeout(err) {
			Fail("reading: " + err.Error())
		}
		return f
	}, d, time.Millisecond).Should(BeNil())
}

// expectError reads an ERROR and checks its message header; the
// connection must then close.
func expectError(r *rawStomp, message string) *codec.Frame {
	GinkgoHelper()
	f := expectFrame(r, codec.Error)
	Expect(f.Header.Get(codec.HdrMessage)).To(Equal(message), "ERROR body: %s", f.Body)
	Expect(r.ExpectEOF(rawTimeout)).To(Succeed())
	return f
}
