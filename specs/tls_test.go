package specs_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/internal/testcert"
)

// beatCounter counts the heart-beats a connection receives.
type beatCounter struct {
	handlers.Base
	n atomic.Int32
}

func (b *beatCounter) OnHeartbeat() { b.n.Add(1) }

var _ = Describe("STOMP over TLS on the event loops, against the embedded broker", func() {
	var (
		ca   *testcert.CA
		leaf *testcert.Leaf
		eng  *stampede.Engine
	)
	BeforeEach(func() {
		ca = testcert.NewCA("specs CA")
		leaf = ca.Issue(testcert.Options{})
	})

	tlsBroker := func(cfg *tls.Config, opts ...broker.Option) string {
		GinkgoHelper()
		b := startBroker(append([]broker.Option{broker.WithTLSListener("127.0.0.1:0", cfg)}, opts...)...)
		// The engine is made after the broker so that it is closed first:
		// the broker's leak check runs when it shuts down.
		eng = newEngine()
		return b.URLFor("ssl")
	}
	dialTLS := func(url string, cfg *tls.Config, opts ...stampede.Option) (*stampede.Conn, error) {
		c, err := stampede.Dial(ctxT(), url, append([]stampede.Option{stampede.WithEngine(eng), stampede.WithTLS(cfg)}, opts...)...)
		if c != nil {
			DeferCleanup(c.Close)
		}
		return c, err
	}

	DescribeTable("connects, round-trips a 1 MiB body and exchanges heart-beats",
		func(version uint16) {
			url := tlsBroker(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: version, MaxVersion: version},
				broker.WithHeartBeat(200*time.Millisecond, 200*time.Millisecond))
			beats := &beatCounter{}
			var state tls.ConnectionState
			c, err := dialTLS(url, &tls.Config{
				RootCAs: ca.Pool(),
				VerifyConnection: func(cs tls.ConnectionState) error {
					state = cs
					return nil
				},
			}, stampede.WithHeartBeat(200*time.Millisecond, 200*time.Millisecond), stampede.WithHeartBeatScale(3),
				stampede.WithListener("beats", beats))
			Expect(err).NotTo(HaveOccurred())
			Expect(state.Version).To(Equal(version))
			q := uniqueQueue("tls")
			h, got := inbox()
			_, err = c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
			Expect(err).NotTo(HaveOccurred())
			body := bytes.Repeat([]byte("tls\x00"), 1<<18) // 1 MiB
			Expect(c.Send(ctxT(), q, body, stampede.WithReceipt())).To(Succeed())
			var m *stampede.Message
			Eventually(got, 10*time.Second).Should(Receive(&m))
			Expect(m.Body()).To(Equal(body))
			Eventually(beats.n.Load, 5*time.Second).Should(BeNumerically(">=", 3), "heart-beats arrive through TLS")
			Consistently(c.Status, time.Second).Should(Equal(stampede.StatusConnected), "our heart-beats reach the broker")
			Expect(c.Disconnect(ctxT())).To(Succeed())
		},
		Entry("TLS 1.2", uint16(tls.VersionTLS12)),
		Entry("TLS 1.3", uint16(tls.VersionTLS13)),
	)

	It("refuses a server certificate from an unknown CA", func() {
		url := tlsBroker(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
		_, err := dialTLS(url, &tls.Config{RootCAs: testcert.NewCA("other").Pool()})
		var unknown x509.UnknownAuthorityError
		Expect(errors.As(err, &unknown)).To(BeTrue(), "%v", err)
	})

	It("refuses to skip verification unless asked by name", func() {
		url := tlsBroker(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
		_, err := stampede.New(url, stampede.WithEngine(eng), stampede.WithTLS(&tls.Config{InsecureSkipVerify: true}))
		Expect(err).To(MatchError(stampede.ErrInvalidOption))
		c, err := stampede.Dial(ctxT(), url, stampede.WithEngine(eng), stampede.WithInsecureSkipVerify())
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Close()).To(Succeed())
	})

	It("refuses an expired server certificate", func() {
		expired := ca.Issue(testcert.Options{Expired: true})
		url := tlsBroker(&tls.Config{Certificates: []tls.Certificate{expired.TLS}})
		_, err := dialTLS(url, &tls.Config{RootCAs: ca.Pool()})
		var invalid x509.CertificateInvalidError
		Expect(errors.As(err, &invalid)).To(BeTrue(), "%v", err)
		Expect(invalid.Reason).To(Equal(x509.Expired))
	})

	It("refuses a certificate for another host name", func() {
		other := ca.Issue(testcert.Options{Hosts: []string{"broker.example.org"}})
		url := tlsBroker(&tls.Config{Certificates: []tls.Certificate{other.TLS}})
		_, err := dialTLS(url, &tls.Config{RootCAs: ca.Pool()})
		var host x509.HostnameError
		Expect(errors.As(err, &host)).To(BeTrue(), "%v", err)
		By("and accepts it when the server name is set to match")
		c, err := dialTLS(url, &tls.Config{RootCAs: ca.Pool(), ServerName: "broker.example.org"})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Status()).To(Equal(stampede.StatusConnected))
	})

	It("does mutual TLS: accepted with a client certificate, refused without", func() {
		client := ca.Issue(testcert.Options{Client: true, Name: "specs client"})
		url := tlsBroker(&tls.Config{
			Certificates: []tls.Certificate{leaf.TLS},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    ca.Pool(),
		})
		c, err := dialTLS(url, &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client.TLS}})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Send(ctxT(), uniqueQueue("mtls"), []byte("x"), stampede.WithReceipt())).To(Succeed())

		_, err = dialTLS(url, &tls.Config{RootCAs: ca.Pool()}, stampede.WithConnectTimeout(5*time.Second))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("certificate"))
	})

	It("keeps the goroutine count fixed with 1,000 TLS connections on one engine", func() {
		url := tlsBroker(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
		before := runtime.NumGoroutine()
		cfg := &tls.Config{RootCAs: ca.Pool()}
		conns := make([]*stampede.Conn, 0, 1000)
		for range 1000 {
			c, err := dialTLS(url, cfg, stampede.WithVersions(codec.V12))
			Expect(err).NotTo(HaveOccurred())
			conns = append(conns, c)
		}
		// The broker's handshake goroutines end once their connection is on
		// its loop; none stays per connection.
		Eventually(func() int { return runtime.NumGoroutine() - before }).Should(BeNumerically("<", 20), "goroutines with 1,000 TLS connections")
		q := uniqueTopic("tls-many")
		var got atomic.Int32
		for _, c := range conns {
			_, err := c.Subscribe(ctxT(), q, stampede.HandlerFunc(func(context.Context, *stampede.Message) error {
				got.Add(1)
				return nil
			}), stampede.WithSubscribeReceipt())
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(conns[0].Send(ctxT(), q, []byte("to all"))).To(Succeed())
		Eventually(got.Load, 20*time.Second).Should(BeEquivalentTo(1000))
		for _, c := range conns {
			Expect(c.Close()).To(Succeed())
		}
	})
})
