package specs_test

import (
	"context"
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// eventLog records the listener events of a connection, in order.
type eventLog struct {
	handlers.Base
	events chan string
	errs   chan error
}

func newEventLog() *eventLog {
	return &eventLog{events: make(chan string, 1024), errs: make(chan error, 64)}
}

func (l *eventLog) OnConnecting(string)      { l.events <- "connecting" }
func (l *eventLog) OnConnected(*codec.Frame) { l.events <- "connected" }
func (l *eventLog) OnDisconnecting()         { l.events <- "disconnecting" }
func (l *eventLog) OnDisconnected(err error) {
	l.events <- "disconnected"
	if err != nil {
		l.errs <- err
	}
}
func (l *eventLog) OnHeartbeatTimeout()        { l.events <- "heartbeat-timeout" }
func (l *eventLog) OnReceipt(f *codec.Frame)   { l.events <- "receipt:" + f.Header.Get("receipt-id") }
func (l *eventLog) OnReconnected(*codec.Frame) { l.events <- "reconnected" }
func (l *eventLog) OnClosed()                  { l.events <- "closed" }
func (l *eventLog) OnError(f *codec.Frame, err error) {
	l.errs <- err // first: a spec that saw the event reads the error at once
	l.events <- "error"
}

var _ = Describe("client conformance: heart-beating (scripted peer)", func() {
	var s *scripted
	BeforeEach(func() { s = newScripted() })

	It("CONF-27 fails the connect on a malformed heart-beat header", func() {
		ch := s.dial(stampede.WithHeartBeat(time.Second, time.Second))
		pc := s.peer.accept()
		connect := pc.readFrame()
		Expect(connect.Header.Get("heart-beat")).To(Equal("1000,1000"))
		pc.write("CONNECTED\nversion:1.2\nheart-beat:soon\n\n\x00")
		Expect(receiveDial(ch).err).To(MatchError(codec.ErrBadHeartBeat))
	})

	It("CONF-28 sends heart-beats every max(cx, sy), and CONF-30 only when nothing else was written", func() {
		ch := s.dial(stampede.WithHeartBeat(50*time.Millisecond, 0))
		pc := s.peer.accept()
		pc.readFrame()
		// The server wants a beat every 300 ms: long enough that the ticker
		// below, on a busy machine, still writes well within it.
		start := time.Now() // the client's clock starts once CONNECTED is in
		pc.write("CONNECTED\nversion:1.2\nheart-beat:0,300\n\n\x00")
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		pc.readHeartBeat()
		pc.readHeartBeat()
		Expect(time.Since(start)).To(BeNumerically(">=", 560*time.Millisecond), "two beats at max(50, 300) ms, not 50")

		By("while frames flow, no heart-beat is sent")
		pc.setVersion(codec.V12)
		stop := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					_ = r.c.Send(ctx, "/queue/a", []byte("x"))
					cancel()
				}
			}
		}()
		for range 20 {
			f, err := pc.next(true)
			Expect(err).NotTo(HaveOccurred())
			Expect(f).NotTo(BeNil(), "a heart-beat while frames were flowing")
		}
		close(stop)
	})

	It("CONF-28 never sends heart-beats when the server does not want them", func() {
		ch := s.dial(stampede.WithHeartBeat(20*time.Millisecond, 0))
		pc := s.peer.accept()
		pc.readFrame()
		pc.write("CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\x00")
		Expect(receiveDial(ch).err).NotTo(HaveOccurred())
		pc.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := pc.br.ReadByte()
		Expect(err).To(HaveOccurred(), "read %q", n)
	})

	It("CONF-29 and CONF-32 close the connection after interval × scale of silence, with the heart-beat-timeout event", func() {
		log := newEventLog()
		ch := s.dial(stampede.WithHeartBeat(0, 100*time.Millisecond), stampede.WithHeartBeatScale(2), stampede.WithListener("log", log))
		pc := s.peer.accept()
		pc.readFrame()
		start := time.Now() // the server's last byte is about to go out
		pc.write("CONNECTED\nversion:1.2\nheart-beat:100,0\n\n\x00")
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		Eventually(r.c.Done(), 5*time.Second).Should(BeClosed())
		Expect(time.Since(start)).To(BeNumerically(">=", 200*time.Millisecond))
		Expect(r.c.Err()).To(MatchError(stampede.ErrHeartbeatTimeout))
		Eventually(log.events).Should(Receive(Equal("heartbeat-timeout")))
		pc.expectEOF()
	})

	It("CONF-31 takes any received octet as proof of life", func() {
		// Silence would end the connection after 100 ms × 4.
		ch := s.dial(stampede.WithHeartBeat(0, 100*time.Millisecond), stampede.WithHeartBeatScale(4))
		pc := s.peer.accept()
		pc.readFrame()
		pc.write("CONNECTED\nversion:1.2\nheart-beat:100,0\n\n\x00")
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		// Frames, not EOLs, every 50 ms for 600 ms: the connection lives.
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range 12 {
			<-tick.C
			pc.write("RECEIPT\nreceipt-id:none\n\n\x00")
		}
		Expect(r.c.Status()).To(Equal(stampede.StatusConnected))
	})

	It("CONF-33 negotiates no heart-beat on 1.0", func() {
		ch := s.dial(stampede.WithHeartBeat(20*time.Millisecond, 20*time.Millisecond))
		pc := s.peer.accept()
		pc.readFrame()
		pc.write("CONNECTED\nheart-beat:20,20\n\n\x00") // no version: 1.0
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		Expect(r.c.Version()).To(Equal(codec.V10))
		pc.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err := pc.br.ReadByte()
		var ne interface{ Timeout() bool }
		Expect(errors.As(err, &ne) && ne.Timeout()).To(BeTrue(), "the client wrote on 1.0: %v", err)
		Expect(r.c.Status()).To(Equal(stampede.StatusConnected), "no receive timeout on 1.0 either")
	})
})
