package specs_test

import (
	"context"
	"errors"
	"io"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

type dialResult struct {
	c   *stampede.Conn
	err error
}

// scripted sets up a scripted peer, an engine and a leak check for one spec.
type scripted struct {
	peer *rawPeer
	eng  *stampede.Engine
}

func newScripted() *scripted {
	GinkgoHelper()
	check := leakCheck()
	s := &scripted{peer: newRawPeer()}
	s.eng = newEngine()
	DeferCleanup(func() {
		s.eng.Close()
		s.peer.close()
		check()
	})
	return s
}

// dial dials the peer in the background (Dial blocks until CONNECTED).
func (s *scripted) dial(opts ...stampede.Option) chan dialResult {
	ch := make(chan dialResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := stampede.Dial(ctx, s.peer.addr(), append([]stampede.Option{stampede.WithEngine(s.eng)}, opts...)...)
		ch <- dialResult{c, err}
	}()
	return ch
}

// connect dials and answers CONNECTED at version v; it returns both ends.
func (s *scripted) connect(v codec.Version, opts ...stampede.Option) (*stampede.Conn, *peerConn) {
	GinkgoHelper()
	ch := s.dial(opts...)
	pc := s.peer.accept()
	pc.connected(v)
	var r dialResult
	Eventually(ch, 10*time.Second).Should(Receive(&r))
	Expect(r.err).NotTo(HaveOccurred())
	DeferCleanup(r.c.Close)
	return r.c, pc
}

func receiveDial(ch chan dialResult) dialResult {
	GinkgoHelper()
	var r dialResult
	Eventually(ch, 15*time.Second).Should(Receive(&r))
	if r.c != nil {
		DeferCleanup(r.c.Close)
	}
	return r
}

var _ = Describe("client conformance: connect and negotiation (scripted peer)", func() {
	var s *scripted
	BeforeEach(func() { s = newScripted() })

	It("CONF-19 sends accept-version and host on a 1.1+ CONNECT", func() {
		ch := s.dial(stampede.WithVersions(codec.V11, codec.V12), stampede.WithLogin("u", "p:w\\d"))
		pc := s.peer.accept()
		connect := pc.connected(codec.V12)
		Expect(connect.Command).To(Equal(codec.Connect))
		Expect(connect.Header.Get("accept-version")).To(Equal("1.1,1.2"))
		Expect(connect.Header.Get("host")).To(Equal("127.0.0.1"))
		By("CONF-10 the passcode goes verbatim, unescaped")
		Expect(connect.Header.Get("passcode")).To(Equal("p:w\\d"))
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		Expect(r.c.Version()).To(Equal(codec.V12))
		Expect(r.c.Server()).To(Equal("rawpeer/1"))
		Expect(r.c.Session()).To(Equal("s-1"))
	})

	It("CONF-20 reads a CONNECTED without version as 1.0", func() {
		ch := s.dial()
		pc := s.peer.accept()
		pc.readFrame()
		pc.write("CONNECTED\nsession:x\n\n\x00")
		r := receiveDial(ch)
		Expect(r.err).NotTo(HaveOccurred())
		Expect(r.c.Version()).To(Equal(codec.V10))
	})

	It("ends a connection whose server hangs up right after CONNECTED", func() {
		for range 20 { // the drop may land before or after Dial makes the session live
			ch := s.dial()
			pc := s.peer.accept()
			pc.readFrame()
			pc.write("CONNECTED\nversion:1.2\n\n\x00")
			pc.close()
			r := receiveDial(ch)
			if r.err != nil {
				Expect(r.err).To(MatchError(io.EOF))
				continue
			}
			Eventually(r.c.Done()).Should(BeClosed(), "the drop is not lost")
			Expect(r.c.Status()).To(Equal(stampede.StatusClosed))
		}
	})

	It("fails the sends in flight with an error, never a crash, when the server hangs up", func() {
		for range 10 {
			c, pc := s.connect(codec.V12)
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					defer GinkgoRecover()
					for {
						if err := c.Send(ctxT(), "/queue/a", []byte("x")); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			go io.Copy(io.Discard, pc.nc)
			pc.close()
			for range 4 {
				var err error
				Eventually(errs).Should(Receive(&err))
				Expect(err).To(MatchError(stampede.ErrClosed))
			}
		}
	})

	It("CONF-20 sends no accept-version when only 1.0 is offered", func() {
		ch := s.dial(stampede.WithVersions(codec.V10))
		pc := s.peer.accept()
		connect := pc.connected(codec.V10)
		Expect(connect.Header.Has("accept-version")).To(BeFalse())
		Expect(receiveDial(ch).err).NotTo(HaveOccurred())
	})

	It("CONF-21 fails the connect when the server picks a version that was not offered", func() {
		ch := s.dial(stampede.WithVersions(codec.V12))
		pc := s.peer.accept()
		pc.connected(codec.V11)
		r := receiveDial(ch)
		Expect(r.err).To(MatchError(stampede.ErrVersion))
		pc.expectEOF()
	})

	It("CONF-22 fails the connect with the server's ERROR", func() {
		ch := s.dial(stampede.WithLogin("guest", "wrong"))
		pc := s.peer.accept()
		pc.readFrame()
		pc.write("ERROR\nmessage:Bad CONNECT\ncontent-length:14\n\nAccess refused\x00")
		r := receiveDial(ch)
		var se *stampede.ServerError
		Expect(errors.As(r.err, &se)).To(BeTrue(), "%v", r.err)
		Expect(se.Message()).To(Equal("Bad CONNECT"))
		Expect(string(se.Body())).To(Equal("Access refused"))
		pc.expectEOF()
	})

	It("CONF-23 uses the STOMP command only when asked, and never with 1.0 offered", func() {
		ch := s.dial(stampede.WithVersions(codec.V11, codec.V12), stampede.WithStompCommand())
		pc := s.peer.accept()
		Expect(pc.connected(codec.V12).Command).To(Equal(codec.Stomp))
		Expect(receiveDial(ch).err).NotTo(HaveOccurred())

		_, err := stampede.New(s.peer.addr(), stampede.WithStompCommand())
		Expect(err).To(MatchError(stampede.ErrInvalidOption))
	})

	It("CONF-24 never puts a receipt on CONNECT", func() {
		_, err := stampede.New(s.peer.addr(), stampede.WithConnectHeader("receipt", "r"))
		Expect(err).To(MatchError(stampede.ErrInvalidOption))
		ch := s.dial(stampede.WithConnectHeader("client-id", "me"))
		pc := s.peer.accept()
		connect := pc.connected(codec.V12)
		Expect(connect.Header.Has("receipt")).To(BeFalse())
		Expect(connect.Header.Get("client-id")).To(Equal("me"))
		Expect(receiveDial(ch).err).NotTo(HaveOccurred())
	})

	It("CONF-25 sends the dialed host by default and the configured vhost when set", func() {
		ch := s.dial(stampede.WithHost("/"))
		pc := s.peer.accept()
		Expect(pc.connected(codec.V12).Header.Get("host")).To(Equal("/"))
		Expect(receiveDial(ch).err).NotTo(HaveOccurred())
	})

	It("CONF-26 fails the connect at its deadline when the server stays silent", func() {
		ch := s.dial(stampede.WithConnectTimeout(300 * time.Millisecond))
		pc := s.peer.accept()
		pc.readFrame() // CONNECT, never answered
		r := receiveDial(ch)
		Expect(r.err).To(MatchError(stampede.ErrConnectTimeout))
		pc.expectEOF()
	})

	It("refuses a second Connect on a live connection", func() {
		c, _ := s.connect(codec.V12)
		Expect(c.Connect(context.Background())).To(MatchError(stampede.ErrAlreadyConnected))
		Expect(c.Status()).To(Equal(stampede.StatusConnected))
	})
})
