package specs_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

// corePeers are the real servers the core behaviour runs against.
var corePeers = []*peer{embedded, rabbitMQ, activeMQ}

// dialPeer connects to p at version v on a fresh engine.
func dialPeer(p *peer, v codec.Version, extra ...stampede.Option) *stampede.Conn {
	GinkgoHelper()
	p.mustBeUp()
	eng := newEngine()
	c, err := stampede.Dial(ctxT(), p.addr, p.options(append([]stampede.Option{stampede.WithEngine(eng), stampede.WithVersions(v)}, extra...)...)...)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { c.Close() })
	return c
}

var _ = Describe("the connection API against real brokers", func() {
	for _, p := range corePeers {
		for _, v := range codec.Versions {
			Context(fmt.Sprintf("%s, STOMP %s", p.name, v), func() {
				BeforeEach(func() { DeferCleanup(leakCheck()) })

				It("connects and negotiates the version", func() {
					c := dialPeer(p, v)
					Expect(c.Version()).To(Equal(v))
					Expect(c.Server()).To(HavePrefix(p.server))
					Expect(c.Status()).To(Equal(stampede.StatusConnected))
					Expect(c.Disconnect(ctxT())).To(Succeed())
					Expect(c.Status()).To(Equal(stampede.StatusClosed))
				})

				It("round-trips a binary body containing NUL and custom headers", func() {
					c := dialPeer(p, v)
					q := uniqueQueue("binary")
					h, got := inbox()
					_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())
					body := append(bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000), 0)
					Expect(c.Send(ctxT(), q, body, stampede.WithReceipt(), stampede.WithHeader("x-plain", "value"))).To(Succeed())
					var m *stampede.Message
					Eventually(got, 10*time.Second).Should(Receive(&m))
					Expect(m.Body()).To(Equal(body))
					Expect(m.Header("x-plain")).To(Equal("value"))
					Expect(m.Destination()).To(Equal(q))
					Expect(m.ID()).NotTo(BeEmpty())
				})

				if v >= codec.V11 {
					It("round-trips header values with ':' '\\' and LF (and CR on 1.2)", func() {
						c := dialPeer(p, v)
						q := uniqueQueue("escape")
						h, got := inbox()
						_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
						Expect(err).NotTo(HaveOccurred())
						value := "a:b\\c\nd"
						if v == codec.V12 {
							value += "\re"
						}
						Expect(c.Send(ctxT(), q, []byte("x"), stampede.WithHeader("x-tricky", value), stampede.WithReceipt())).To(Succeed())
						var m *stampede.Message
						Eventually(got, 10*time.Second).Should(Receive(&m))
						Expect(m.Header("x-tricky")).To(Equal(value))
						if v == codec.V11 {
							Expect(c.Send(ctxT(), q, nil, stampede.WithHeader("x-cr", "a\rb"))).To(MatchError(codec.ErrUnencodable))
						}
					})
				}

				It("acknowledges in client mode cumulatively", func() {
					q := uniqueQueue("client")
					c := dialPeer(p, v)
					h, got := inbox()
					_, err := c.Subscribe(ctxT(), q, h, stampede.WithAck(stampede.AckClient), stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())
					for i := range 3 {
						Expect(c.Send(ctxT(), q, []byte{byte('0' + i)}, stampede.WithReceipt())).To(Succeed())
					}
					var last *stampede.Message
					for range 3 {
						Eventually(got, 10*time.Second).Should(Receive(&last))
					}
					Expect(last.Body()).To(Equal([]byte("2")))
					Expect(last.Ack(ctxT())).To(Succeed())
					Expect(c.Disconnect(ctxT())).To(Succeed())

					By("nothing comes back: the last ACK covered the earlier messages")
					c2 := dialPeer(p, v)
					h2, again := inbox()
					_, err = c2.Subscribe(ctxT(), q, h2, stampede.WithAck(stampede.AckAuto), stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())
					Consistently(again, 500*time.Millisecond).ShouldNot(Receive())
				})

				if v >= codec.V11 {
					It("redelivers on NACK in client-individual mode (RabbitMQ requeues, ActiveMQ dead-letters)", func() {
						q := uniqueQueue("nack")
						c := dialPeer(p, v)
						h, got := inbox()
						_, err := c.Subscribe(ctxT(), q, h, stampede.WithAck(stampede.AckClientIndividual), stampede.WithSubscribeReceipt())
						Expect(err).NotTo(HaveOccurred())
						Expect(c.Send(ctxT(), q, []byte("one"), stampede.WithReceipt())).To(Succeed())
						Expect(c.Send(ctxT(), q, []byte("two"), stampede.WithReceipt())).To(Succeed())
						var m1, m2 *stampede.Message
						Eventually(got, 10*time.Second).Should(Receive(&m1))
						Eventually(got, 10*time.Second).Should(Receive(&m2))
						Expect(m2.Ack(ctxT())).To(Succeed())
						Expect(m1.Nack(ctxT())).To(Succeed())
						if p.features.nackRequeues {
							var again *stampede.Message
							Eventually(got, 10*time.Second).Should(Receive(&again))
							Expect(again.Body()).To(Equal([]byte("one")))
							Expect(again.Redelivered()).To(BeTrue())
							Expect(again.Ack(ctxT())).To(Succeed())
						} else {
							Consistently(got, 500*time.Millisecond).ShouldNot(Receive(), "%s moves a NACKed message to its dead-letter queue", p.name)
						}
					})
				}

				if v == codec.V10 {
					It("refuses NACK and client-individual on 1.0", func() {
						c := dialPeer(p, v)
						h, got := inbox()
						q := uniqueQueue("v10")
						_, err := c.Subscribe(ctxT(), q, h, stampede.WithAck(stampede.AckClientIndividual))
						Expect(err).To(MatchError(stampede.ErrUnsupported))
						_, err = c.Subscribe(ctxT(), q, h, stampede.WithAck(stampede.AckClient), stampede.WithSubscribeReceipt())
						Expect(err).NotTo(HaveOccurred())
						Expect(c.Send(ctxT(), q, []byte("x"), stampede.WithReceipt())).To(Succeed())
						var m *stampede.Message
						Eventually(got, 10*time.Second).Should(Receive(&m))
						Expect(m.Nack(ctxT())).To(MatchError(stampede.ErrUnsupported))
						Expect(m.Ack(ctxT())).To(Succeed())
					})
				}

				It("redelivers unacknowledged messages of a closed connection", func() {
					q := uniqueQueue("unacked")
					c := dialPeer(p, v)
					h, got := inbox()
					_, err := c.Subscribe(ctxT(), q, h, stampede.WithAck(stampede.AckClient), stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())
					Expect(c.Send(ctxT(), q, []byte("keep me"), stampede.WithReceipt())).To(Succeed())
					Eventually(got, 10*time.Second).Should(Receive())
					Expect(c.Close()).To(Succeed())

					c2 := dialPeer(p, v)
					h2, again := inbox()
					_, err = c2.Subscribe(ctxT(), q, h2, stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())
					var m *stampede.Message
					Eventually(again, 10*time.Second).Should(Receive(&m))
					Expect(m.Body()).To(Equal([]byte("keep me")))
					if p.features.redeliveredHeader {
						Expect(m.Redelivered()).To(BeTrue())
					}
				})

				It("commits and aborts transactions", func() {
					q := uniqueQueue("tx")
					c := dialPeer(p, v)
					h, got := inbox()
					_, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())

					tx, err := c.Begin(ctxT())
					Expect(err).NotTo(HaveOccurred())
					Expect(tx.Send(ctxT(), q, []byte("aborted"))).To(Succeed())
					Expect(tx.Abort(ctxT(), true)).To(Succeed())

					tx, err = c.Begin(ctxT())
					Expect(err).NotTo(HaveOccurred())
					Expect(tx.Send(ctxT(), q, []byte("committed 1"))).To(Succeed())
					Expect(tx.Send(ctxT(), q, []byte("committed 2"))).To(Succeed())
					Consistently(got, 300*time.Millisecond).ShouldNot(Receive(), "nothing before COMMIT")
					Expect(tx.Commit(ctxT(), true)).To(Succeed())
					var m *stampede.Message
					Eventually(got, 10*time.Second).Should(Receive(&m))
					Expect(string(m.Body())).To(Equal("committed 1"))
					Eventually(got, 10*time.Second).Should(Receive(&m))
					Expect(string(m.Body())).To(Equal("committed 2"))
					Consistently(got, 300*time.Millisecond).ShouldNot(Receive())
				})

				It("stops delivery after unsubscribe", func() {
					q := uniqueQueue("unsub")
					c := dialPeer(p, v)
					h, got := inbox()
					sub, err := c.Subscribe(ctxT(), q, h, stampede.WithSubscribeReceipt())
					Expect(err).NotTo(HaveOccurred())
					Expect(c.Send(ctxT(), q, []byte("before"), stampede.WithReceipt())).To(Succeed())
					Eventually(got, 10*time.Second).Should(Receive())
					Expect(sub.Unsubscribe(ctxT(), true)).To(Succeed())
					Expect(c.Send(ctxT(), q, []byte("after"), stampede.WithReceipt())).To(Succeed())
					Consistently(got, 300*time.Millisecond).ShouldNot(Receive())
				})

				It("fails the connect with the server's ERROR on bad credentials", func() {
					p.mustBeUp()
					eng := newEngine()
					_, err := stampede.Dial(ctxT(), p.addr, stampede.WithEngine(eng), stampede.WithVersions(v), stampede.WithLogin("guest", "not-the-password"), stampede.WithHost(hostFor(p)))
					var se *stampede.ServerError
					Expect(err).To(BeAssignableToTypeOf(se))
					Expect(err.Error()).NotTo(ContainSubstring("not-the-password"))
				})
			})
		}
	}
})

func hostFor(p *peer) string {
	if p.vhost != "" {
		return p.vhost
	}
	return "localhost"
}

var _ = context.Background
