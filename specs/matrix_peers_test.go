package specs_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/confreport"
)

// The conformance matrix: one shared suite of specs, each named after the
// checklist lines it covers (docs/CONFORMANCE.md, `make
// conformance-report`), run against every real peer over every transport
// it has. Which cells exist and which lines cannot be observed in a cell is
// declared once, in confreport.NotApplicable; the documented differences
// between brokers are the feature flags below, and a spec states the
// difference instead of skipping.

// matrixFlags are what a broker does differently, as far as the matrix
// can see. Documented ones come from the checklist's quirks section,
// measured ones from this machine's brokers.
type matrixFlags struct {
	// eolAfterFrame: an EOL follows every frame, which the client counts as
	// a heart-beat on 1.1+ (RabbitMQ, ActiveMQ; measured).
	eolAfterFrame bool
	// keepsRepeated: every value of a repeated header is forwarded (the
	// embedded broker); RabbitMQ and ActiveMQ keep the first (measured).
	keepsRepeated bool
	// lengthOnText: a MESSAGE carries content-length even when its SEND had
	// none; ActiveMQ delivers a text message without it (documented).
	lengthOnText bool
	// errorReceiptID: an ERROR names the receipt of the frame that caused
	// it; RabbitMQ's never do (measured).
	errorReceiptID bool
	// errorLength: an ERROR carries content-length; ActiveMQ's do not
	// (measured).
	errorLength bool
	// hostPolicy: what the broker does with CONNECT's host header.
	hostPolicy hostPolicy
	// tempQueueReplies: replies to reply-to:/temp-queue/x arrive on a
	// subscription the client never sent (RabbitMQ, and the embedded broker
	// imitating it); ActiveMQ delivers them to the client's own
	// subscription of the temp queue.
	tempQueueReplies bool
	// hb is the heart-beat interval the specs ask for: RabbitMQ rounds
	// anything below 1 s up (documented).
	hb time.Duration
	// hbHalf: the broker beats every half interval (RabbitMQ, documented).
	hbHalf bool
	// hbScale is the receive scale the specs use: ActiveMQ's first beat
	// comes about 2× late (documented; 2× measured).
	hbScale float64
	// hbGrace is how many client intervals the broker waits before it
	// drops a silent client (measured: 3 on RabbitMQ and ActiveMQ; 2 on
	// the embedded broker, broker.HeartBeatGrace).
	hbGrace float64
	// hbOn10: the broker negotiates heart-beats on a 1.0 CONNECT that
	// carries a heart-beat header (RabbitMQ, ActiveMQ; measured).
	hbOn10 bool
	// lateDeliveryError: a MESSAGE in flight when the broker processes
	// UNSUBSCRIBE draws an ERROR "Subscription not found" (RabbitMQ;
	// measured), which the client, an ERROR being terminal, closes on.
	lateDeliveryError bool
	// noDisconnectReceipt are the transports over which the broker closes
	// after DISCONNECT without the RECEIPT (RabbitMQ over WebSocket,
	// documented in CONF-52).
	noDisconnectReceipt []confreport.Transport
	// trickyLogin is an account whose passcode holds ':' and '\'
	// (CONF-10), where the broker has one.
	trickyLogin [2]string
}

// hostPolicy is how a broker treats CONNECT's host header.
type hostPolicy int

const (
	hostVhost   hostPolicy = iota + 1 // only its vhost "/" (RabbitMQ)
	hostListed                        // the names it was given (the matrix's embedded broker)
	hostIgnored                       // anything (ActiveMQ)
)

// endpoint is how a cell reaches its broker.
type endpoint struct {
	url string      // tcp://, ssl://, ws:// or wss://
	tls *tls.Config // for ssl:// and wss://
}

// matrixPeer is a broker of the matrix: the suite's peer, plus its
// endpoints per transport and its flags.
type matrixPeer struct {
	*peer
	id        confreport.Peer
	endpoints func(t confreport.Transport) (endpoint, bool)
	flags     matrixFlags
}

// The embedded broker's account for CONF-10.
const trickyLogin, trickyPasscode = "tricky", `p:w\d`

var matrixPeers = []*matrixPeer{
	{
		peer: embedded, id: confreport.Embedded, endpoints: embeddedEndpoint,
		flags: matrixFlags{
			keepsRepeated: true, lengthOnText: true, errorReceiptID: true, errorLength: true,
			hostPolicy: hostListed, tempQueueReplies: true,
			// 500 ms leaves room for a loaded CI machine under -race: the
			// broker drops a client silent for 2 intervals.
			hb: 500 * time.Millisecond, hbScale: 1.5, hbGrace: broker.HeartBeatGrace,
			trickyLogin: [2]string{trickyLogin, trickyPasscode},
		},
	},
	{
		peer: rabbitMQ, id: confreport.RabbitMQ,
		endpoints: fixedEndpoints(map[confreport.Transport]string{
			confreport.TCP: "tcp://" + rabbitMQ.addr,
			confreport.TLS: "ssl://" + env("STAMPEDE_RABBITMQ_TLS", "127.0.0.1:61614"),
			confreport.WS:  "ws://" + rabbitWS + "/ws",
		}, env("STAMPEDE_RABBITMQ_CA", "/tmp/stampede-rabbitmq/tls/ca.pem")),
		flags: matrixFlags{
			eolAfterFrame: true, lengthOnText: true, errorLength: true,
			hostPolicy: hostVhost, tempQueueReplies: true,
			hb: time.Second, hbHalf: true, hbScale: 1.5, hbGrace: 3, hbOn10: true,
			lateDeliveryError: true, noDisconnectReceipt: []confreport.Transport{confreport.WS},
		},
	},
	{
		peer: activeMQ, id: confreport.ActiveMQ,
		endpoints: fixedEndpoints(map[confreport.Transport]string{
			confreport.TCP: "tcp://" + activeMQ.addr,
			confreport.TLS: "ssl://" + env("STAMPEDE_ACTIVEMQ_TLS", "127.0.0.1:61624"),
		}, env("STAMPEDE_ACTIVEMQ_CA", "/tmp/stampede-activemq/tls/ca.pem")),
		flags: matrixFlags{
			eolAfterFrame: true, errorReceiptID: true,
			hostPolicy: hostIgnored,
			hb:         200 * time.Millisecond, hbScale: 2.5, hbGrace: 3, hbOn10: true,
		},
	},
}

// fixedEndpoints serves the endpoints of an external broker; TLS ones
// trust the CA its start script made.
func fixedEndpoints(urls map[confreport.Transport]string, caFile string) func(confreport.Transport) (endpoint, bool) {
	return func(t confreport.Transport) (endpoint, bool) {
		u, ok := urls[t]
		if !ok {
			return endpoint{}, false
		}
		ep := endpoint{url: u}
		if t == confreport.TLS || t == confreport.WSS {
			cfg, err := stampede.LoadTLSConfig(stampede.TLSFiles{CAFile: caFile})
			Expect(err).NotTo(HaveOccurred(), "the broker's CA (made by scripts/brokers/*.sh start)")
			ep.tls = cfg
		}
		return ep, true
	}
}

// matrixBroker is the embedded broker of the matrix: guest/guest plus the
// CONF-10 account, the host names 127.0.0.1 and "/", heart-beats offered
// at 50 ms both ways, and a listener for every transport. It runs for the
// whole matrix (BeforeAll), so its goroutines are in every spec's leak
// baseline.
var matrixBroker *broker.Broker

func startMatrixBroker() {
	b, err := broker.Start(broker.WithLoops(2),
		broker.WithAuthenticator(func(login, passcode string) bool {
			return login == "guest" && passcode == "guest" || login == trickyLogin && passcode == trickyPasscode
		}),
		broker.WithHosts("127.0.0.1", "/"),
		broker.WithHeartBeat(50*time.Millisecond, 50*time.Millisecond),
		broker.WithTLSListener("127.0.0.1:0", nil),
		broker.WithWebSocketListener("ws://127.0.0.1:0/ws", nil),
		broker.WithWebSocketListener("wss://127.0.0.1:0/ws", nil))
	Expect(err).NotTo(HaveOccurred())
	matrixBroker = b
	DeferCleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(b.Shutdown(ctx)).To(Succeed())
	})
}

func embeddedEndpoint(t confreport.Transport) (endpoint, bool) {
	scheme := map[confreport.Transport]string{confreport.TCP: "tcp", confreport.TLS: "ssl", confreport.WS: "ws", confreport.WSS: "wss"}[t]
	u := matrixBroker.URLFor(scheme)
	if u == "" {
		return endpoint{}, false
	}
	ep := endpoint{url: u}
	if t == confreport.TLS || t == confreport.WSS {
		ep.tls = &tls.Config{RootCAs: matrixBroker.RootCAs()}
	}
	return ep, true
}

// cell is one broker over one transport, set up afresh for every spec.
type cell struct {
	p   *matrixPeer
	t   confreport.Transport
	ep  endpoint
	eng *stampede.Engine
}

func (c *cell) setUp() {
	GinkgoHelper()
	ep, ok := c.p.endpoints(c.t)
	Expect(ok).To(BeTrue(), "%s has no %s endpoint, but confreport declares the cell", c.p.name, c.t)
	c.ep = ep
	u, err := url.Parse(ep.url)
	Expect(err).NotTo(HaveOccurred())
	nc, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	Expect(err).NotTo(HaveOccurred(), "%s is not reachable at %s: start it with scripts/brokers/all.sh start (make test does)", c.p.name, ep.url)
	nc.Close()
	c.eng = newEngine()
}

// disconnectReceipt reports whether the broker answers DISCONNECT with
// its RECEIPT over the cell's transport.
func (c *cell) disconnectReceipt() bool { return !slices.Contains(c.p.flags.noDisconnectReceipt, c.t) }

// hostPort is the broker's TCP address.
func (c *cell) hostPort() string {
	u, err := url.Parse(c.ep.url)
	Expect(err).NotTo(HaveOccurred())
	return u.Host
}

// baseOptions are what every connection of the cell needs, but the host
// header.
func (c *cell) baseOptions(vs []codec.Version, extra ...stampede.Option) []stampede.Option {
	opts := []stampede.Option{
		stampede.WithEngine(c.eng), stampede.WithConnectTimeout(10 * time.Second),
		stampede.WithLogin(c.p.login, c.p.passcode),
	}
	if len(vs) > 0 {
		opts = append(opts, stampede.WithVersions(vs...))
	}
	if c.ep.tls != nil {
		opts = append(opts, stampede.WithTLS(c.ep.tls))
	}
	return append(opts, extra...)
}

// options are baseOptions with the host header the broker wants.
func (c *cell) options(vs []codec.Version, extra ...stampede.Option) []stampede.Option {
	if c.p.vhost != "" {
		extra = append([]stampede.Option{stampede.WithHost(c.p.vhost)}, extra...)
	}
	return c.baseOptions(vs, extra...)
}

// try dials the cell at url (the broker's, or a link's) with opts.
func (c *cell) try(address string, opts []stampede.Option) (*stampede.Conn, error) {
	conn, err := stampede.Dial(ctxT(), address, opts...)
	if conn != nil {
		DeferCleanup(conn.Close)
	}
	return conn, err
}

// dial connects at version v (every version when v is 0).
func (c *cell) dial(v codec.Version, extra ...stampede.Option) *stampede.Conn {
	GinkgoHelper()
	conn, err := c.try(c.ep.url, c.options(versions(v), extra...))
	Expect(err).NotTo(HaveOccurred())
	if v != 0 {
		Expect(conn.Version()).To(Equal(v))
	}
	return conn
}

// dialVia connects at version v through a link to the broker.
func (c *cell) dialVia(l *link, v codec.Version, extra ...stampede.Option) *stampede.Conn {
	GinkgoHelper()
	u, err := url.Parse(c.ep.url)
	Expect(err).NotTo(HaveOccurred())
	u.Host = l.addr()
	conn, err := c.try(u.String(), c.options(versions(v), extra...))
	Expect(err).NotTo(HaveOccurred())
	return conn
}

func versions(v codec.Version) []codec.Version {
	if v == 0 {
		return nil
	}
	return []codec.Version{v}
}

// queue and topic name destinations no other spec uses.
func (c *cell) queue(prefix string) string { return uniqueQueue("m-" + prefix) }
func (c *cell) topic(prefix string) string { return uniqueTopic("m-" + prefix) }

// forVersions runs f for each protocol version from the first given on.
func forVersions(from codec.Version, f func(v codec.Version)) {
	for _, v := range codec.Versions {
		if v >= from {
			By("STOMP " + v.String())
			f(v)
		}
	}
}

// subscribeInbox subscribes with a receipt and returns the channel the
// messages arrive on.
func subscribeInbox(conn *stampede.Conn, dest string, opts ...stampede.SubscribeOption) (*stampede.Subscription, chan *stampede.Message) {
	GinkgoHelper()
	h, got := inbox()
	sub, err := conn.Subscribe(ctxT(), dest, h, append(opts, stampede.WithSubscribeReceipt())...)
	Expect(err).NotTo(HaveOccurred())
	return sub, got
}

// next waits for the next message on ch.
func next(ch chan *stampede.Message) *stampede.Message {
	GinkgoHelper()
	var m *stampede.Message
	Eventually(ch, 10*time.Second).Should(Receive(&m))
	return m
}

// stateDifference records a broker difference that changed what a spec
// checks in its cell: docs/CONFORMANCE.md shows it on the cell. A text
// that starts with CONF-n applies to those lines only.
func stateDifference(format string, args ...any) {
	AddReportEntry(confreport.EntryDifference, fmt.Sprintf(format, args...), ReportEntryVisibilityFailureOrVerbose)
}

// matrixSpec is one spec of the shared suite. Its name starts with the
// checklist lines it covers; run gets the cell it runs in.
type matrixSpec struct {
	name string
	run  func(c *cell)
}

func matrixSpecs() []matrixSpec {
	var all []matrixSpec
	for _, group := range [][]matrixSpec{framingSpecs, connectSpecs, heartBeatSpecs, subscribeSpecs, receiptSpecs} {
		all = append(all, group...)
	}
	return all
}

// appliesTo reports whether the spec runs in the cell: not when the n/a
// table exempts its lines there. A spec whose lines are exempt in part is
// a mistake of the table or of the name.
func (s matrixSpec) appliesTo(p confreport.Peer, t confreport.Transport) bool {
	lines := confreport.ParseLines(s.name)
	if len(lines) == 0 {
		panic(fmt.Sprintf("matrix spec %q does not name the CONF lines it covers", s.name))
	}
	exempt := 0
	for _, n := range lines {
		if _, ok := confreport.Exempt(n, confreport.Column{Peer: p, Transport: t}); ok {
			exempt++
		}
	}
	if exempt != 0 && exempt != len(lines) {
		panic(fmt.Sprintf("matrix spec %q covers lines of which some are n/a for %s %s: split it", s.name, p, t))
	}
	return exempt == 0
}

var _ = Describe("the conformance matrix", Ordered, ContinueOnFailure, func() {
	BeforeAll(startMatrixBroker)
	for _, p := range matrixPeers {
		for _, t := range confreport.Transports {
			if !confreport.CellExists(p.id, t) {
				continue
			}
			Context(fmt.Sprintf("%s over %s", p.name, t), Label(confreport.PeerLabel(p.id), confreport.TransportLabel(t)), func() {
				c := &cell{p: p, t: t}
				BeforeEach(func() {
					DeferCleanup(leakCheck())
					c.setUp()
				})
				for _, s := range matrixSpecs() {
					if s.appliesTo(p.id, t) {
						It(s.name, func() { s.run(c) })
					}
				}
			})
		}
	}
})
