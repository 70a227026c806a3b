package specs_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/internal/leaktest"
	"github.com/stampede-mq/stampede/internal/testcert"
	"github.com/stampede-mq/stampede/reconnect"
	"github.com/stampede-mq/stampede/websocket"
	"github.com/stampede-mq/stampede/websocket/wstest"
)

// RabbitMQ Web-STOMP, started by scripts/brokers/rabbitmq.sh (make test).
const rabbitWS = "127.0.0.1:15674"

// wsPeer is one WebSocket peer the shared specs run against, with what it
// can do.
type wsPeer struct {
	name string
	// start returns the host:port and path to dial, the options every
	// connection needs, and a stop function.
	start func() (addr, path string, opts []stampede.Option, stop func())
	// server is the wstest server behind the peer, nil for RabbitMQ:
	// fault injection (ping, close codes, frames cut across messages).
	server  func() *wstest.Server
	injects bool // ping, close codes
	// sendError makes the server send an ERROR to c and close, where the
	// peer can be told to (the embedded broker's fault injection); nil
	// makes the spec provoke one (an unknown destination kind).
	sendError func(c *stampede.Conn)
	splits    bool // the server cuts its STOMP frames across messages
	scheme    string
}

var wsPeers = func() []*wsPeer {
	var current *wstest.Server
	ca := testcert.NewCA("stampede specs CA")
	leaf := ca.Issue(testcert.Options{})
	wstestPeer := func(name string, o wstest.Options, opts ...stampede.Option) *wsPeer {
		return &wsPeer{
			injects: true,
			name:    name,
			scheme:  map[bool]string{false: "ws", true: "wss"}[o.TLS != nil],
			start: func() (string, string, []stampede.Option, func()) {
				s, err := wstest.Start(o)
				Expect(err).NotTo(HaveOccurred())
				current = s
				return s.Addr().String(), "/ws", opts, s.Close
			},
			server: func() *wstest.Server { return current },
		}
	}
	// Heart-beats as a broker offers them: it can send and wants to hear.
	hb := codec.HeartBeat{Send: 500 * time.Millisecond, Receive: 500 * time.Millisecond}
	return []*wsPeer{
		{
			name:   "RabbitMQ Web-STOMP",
			scheme: "ws",
			start: func() (string, string, []stampede.Option, func()) {
				return rabbitWS, "/ws", []stampede.Option{stampede.WithLogin("guest", "guest"), stampede.WithHost("/")}, func() {}
			},
			server: func() *wstest.Server { return nil },
		},
		func() *wsPeer {
			p := wstestPeer("the embedded broker's stand-in (wstest) over ws", wstest.Options{HeartBeat: hb, SplitAt: 5, FragmentSize: 3})
			p.splits = true
			return p
		}(),
		embeddedWS("ws", hb),
		embeddedWS("wss", hb),
		wstestPeer("the embedded broker's stand-in (wstest) over wss", wstest.Options{HeartBeat: hb, TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}},
			stampede.WithTLS(&tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"})),
	}
}()

// embeddedWS is the embedded broker with a WebSocket listener (ws or wss).
func embeddedWS(scheme string, hb codec.HeartBeat) *wsPeer {
	var b *broker.Broker
	return &wsPeer{
		name:   "the embedded broker over " + scheme,
		scheme: scheme,
		sendError: func(c *stampede.Conn) {
			Expect(b.Faults().Session(c.Session()).SendError("closing on purpose")).To(Succeed())
		},
		start: func() (string, string, []stampede.Option, func()) {
			var err error
			b, err = broker.Start(broker.WithLoops(1), broker.WithHeartBeat(hb.Send, hb.Receive),
				broker.WithWebSocketListener(scheme+"://127.0.0.1:0/ws", nil))
			Expect(err).NotTo(HaveOccurred())
			u, err := url.Parse(b.URLFor(scheme))
			Expect(err).NotTo(HaveOccurred())
			opts := []stampede.Option{stampede.WithTLS(&tls.Config{RootCAs: b.RootCAs()})}
			return u.Host, u.Path, opts, func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				Expect(b.Shutdown(ctx)).To(Succeed())
			}
		},
		server: func() *wstest.Server { return nil },
	}
}

// wsListener records a connection's events for the specs.
type wsListener struct {
	handlers.Base
	beats        chan struct{}
	disconnected chan error
	reconnected  chan struct{}
}

func newWSListener() *wsListener {
	return &wsListener{beats: make(chan struct{}, 64), disconnected: make(chan error, 16), reconnected: make(chan struct{}, 16)}
}

func (l *wsListener) OnHeartbeat() {
	select {
	case l.beats <- struct{}{}:
	default:
	}
}
func (l *wsListener) OnDisconnected(err error)   { l.disconnected <- err }
func (l *wsListener) OnReconnected(*codec.Frame) { l.reconnected <- struct{}{} }

// roundTrip subscribes to a fresh topic and sends body to it.
func roundTrip(ctx context.Context, c *stampede.Conn, body []byte) {
	dest := uniqueTopic("ws")
	sub, err := c.Subscribe(ctx, dest, nil, stampede.WithSubscribeReceipt())
	Expect(err).NotTo(HaveOccurred())
	Expect(c.Send(ctx, dest, body, stampede.WithReceipt())).To(Succeed())
	var m *stampede.Message
	Eventually(sub.C()).WithTimeout(10 * time.Second).Should(Receive(&m))
	Expect(m.Body()).To(Equal(body))
	Expect(sub.Unsubscribe(ctx)).To(Succeed())
}

var binaryBody = append([]byte("NUL\x00inside, then bytes that are not UTF-8: "), 0xff, 0xfe, 0x00, 0x80, 0xc3)

var _ = Describe("the WebSocket transport", func() {
	for _, peer := range wsPeers {
		Context("against "+peer.name, func() {
			var (
				eng    *stampede.Engine
				addr   string
				path   string
				opts   []stampede.Option
				stop   func()
				ctx    context.Context
				cancel context.CancelFunc
				leaks  []goleak.Option
			)
			url := func() string { return peer.scheme + "://" + addr + path }
			dial := func(extra ...stampede.Option) *stampede.Conn {
				all := append([]stampede.Option{stampede.WithEngine(eng), stampede.WithConnectTimeout(10 * time.Second)}, opts...)
				c, err := stampede.Dial(ctx, url(), append(all, extra...)...)
				Expect(err).NotTo(HaveOccurred())
				return c
			}

			BeforeEach(func() {
				leaks = leaktest.Options(goleak.IgnoreCurrent())
				var err error
				eng, err = stampede.NewEngine(stampede.WithLoops(2))
				Expect(err).NotTo(HaveOccurred())
				addr, path, opts, stop = peer.start()
				ctx, cancel = context.WithTimeout(context.Background(), 60*time.Second)
			})
			AfterEach(func() {
				cancel()
				Expect(eng.Close()).To(Succeed())
				stop()
				Eventually(func() error { return goleak.Find(leaks...) }).WithTimeout(5 * time.Second).Should(Succeed())
			})

			for _, v := range codec.Versions {
				It("connects with STOMP "+v.String()+", the server choosing the subprotocol", func() {
					c := dial(stampede.WithVersions(v))
					Expect(c.Version()).To(Equal(v))
					Expect(c.Disconnect(ctx)).To(Succeed())
				})
			}

			It("round-trips a binary body with NUL, in text and in binary frames", func() {
				for _, mode := range [][]stampede.Option{nil, {stampede.WithWebSocketBinary()}} {
					c := dial(mode...)
					roundTrip(ctx, c, binaryBody)
					roundTrip(ctx, c, bytes.Repeat([]byte("0123456789abcdef"), 1<<13)) // 128 KiB
					Expect(c.Disconnect(ctx)).To(Succeed())
				}
			})

			It("exchanges heart-beats in WebSocket messages", func() {
				l := newWSListener()
				// RabbitMQ rounds heart-beats to whole seconds.
				c := dial(stampede.WithHeartBeat(500*time.Millisecond, 500*time.Millisecond), stampede.WithListener("specs", l))
				Expect(c.Connected().Header.Get(codec.HdrHeartBeat)).NotTo(Equal("0,0"))
				for range 3 {
					Eventually(l.beats).WithTimeout(5 * time.Second).Should(Receive())
				}
				Expect(c.Status()).To(Equal(stampede.StatusConnected))
				Consistently(l.disconnected).WithTimeout(time.Second).ShouldNot(Receive())
				roundTrip(ctx, c, []byte("after the beats"))
				Expect(c.Disconnect(ctx)).To(Succeed())
			})

			It("disconnects cleanly, whether or not the server sends the RECEIPT before closing", func() {
				l := newWSListener()
				c := dial(stampede.WithListener("specs", l), stampede.WithDisconnectTimeout(30*time.Second))
				start := time.Now()
				Expect(c.Disconnect(ctx)).To(Succeed())
				Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
				Eventually(l.disconnected).Should(Receive(BeNil()))
				Expect(c.Err()).NotTo(HaveOccurred())
			})

			It("reports the server closing the connection", func() {
				c := dial()
				if s := peer.server(); s != nil {
					Expect(s.CloseAll(1008, "policy")).To(Succeed())
					Eventually(c.Done()).WithTimeout(10 * time.Second).Should(BeClosed())
					var ce *websocket.CloseError
					Expect(errors.As(c.Err(), &ce)).To(BeTrue(), "Err() = %v", c.Err())
					Expect(ce.Code).To(Equal(1008))
					Expect(ce.Reason).To(Equal("policy"))
					return
				}
				// The server closes the connection after an ERROR frame.
				if peer.sendError != nil {
					peer.sendError(c)
				} else {
					_, err := c.Subscribe(ctx, "/no-such-kind/x", nil)
					Expect(err).NotTo(HaveOccurred())
				}
				Eventually(c.Done()).WithTimeout(10 * time.Second).Should(BeClosed())
				var se *stampede.ServerError
				Expect(errors.As(c.Err(), &se)).To(BeTrue(), "Err() = %v", c.Err())
			})

			It("reconnects after the network drops, and re-subscribes", func() {
				p := startRelay(addr)
				defer p.close()
				l := newWSListener()
				c, err := stampede.Dial(ctx, peer.scheme+"://"+p.addr()+path, append([]stampede.Option{
					stampede.WithEngine(eng), stampede.WithListener("specs", l),
					stampede.WithReconnect(reconnect.Constant{Delay: 50 * time.Millisecond, Attempts: reconnect.Forever}),
				}, opts...)...)
				Expect(err).NotTo(HaveOccurred())
				defer c.Close()
				dest := uniqueTopic("ws")
				sub, err := c.Subscribe(ctx, dest, nil, stampede.WithSubscribeReceipt())
				Expect(err).NotTo(HaveOccurred())
				for range 2 {
					p.drop()
					Eventually(l.disconnected).WithTimeout(10 * time.Second).Should(Receive(HaveOccurred()))
					Eventually(l.reconnected).WithTimeout(10 * time.Second).Should(Receive())
					// The SUBSCRIBE is re-sent before sends are let through,
					// on the same connection, so the broker has it first.
					Expect(c.Send(ctx, dest, binaryBody, stampede.WithReceipt())).To(Succeed())
					var m *stampede.Message
					Eventually(sub.C()).WithTimeout(10 * time.Second).Should(Receive(&m))
					Expect(m.Body()).To(Equal(binaryBody))
				}
			})

			if peer.splits {
				It("reads STOMP frames the server cuts across WebSocket messages and fragments", func() {
					c := dial(stampede.WithVersions(codec.V12))
					// CONNECTED, RECEIPTs and MESSAGEs all came in 5-byte
					// messages of 3-byte fragments.
					Expect(c.Connected().Header.Get(codec.HdrServer)).To(Equal("stampede-wstest"))
					roundTrip(ctx, c, binaryBody)
					roundTrip(ctx, c, bytes.Repeat([]byte("split\x00"), 5000))
					Expect(c.Disconnect(ctx)).To(Succeed())
				})
			}

			if peer.injects {
				It("answers the server's pings with pongs", func() {
					c := dial()
					Expect(peer.server().Ping([]byte("spec"))).To(Succeed())
					Eventually(peer.server().Pongs).WithTimeout(5 * time.Second).Should(BeNumerically(">=", 1))
					roundTrip(ctx, c, []byte("after the ping"))
					Expect(c.Disconnect(ctx)).To(Succeed())
				})
			}
		})
	}
})

// relay forwards TCP connections to a peer and can cut them all: a network
// failure between client and server, without any goodbye from either.
type relay struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func startRelay(target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	r := &relay{ln: ln, target: target}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, c, b)
			r.mu.Unlock()
			r.wg.Add(2)
			pipe := func(dst, src net.Conn) {
				defer r.wg.Done()
				_, _ = io.Copy(dst, src)
				_ = dst.Close()
				_ = src.Close()
			}
			go pipe(c, b)
			go pipe(b, c)
		}
	}()
	return r
}

func (r *relay) addr() string { return r.ln.Addr().String() }

// drop resets every relayed connection.
func (r *relay) drop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}
	r.conns = nil
}

func (r *relay) close() {
	_ = r.ln.Close()
	r.drop()
	r.wg.Wait()
}
