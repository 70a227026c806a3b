package stampede

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// AckMode is a subscription's acknowledgement mode (CONF-35).
type AckMode string

// Acknowledgement modes.
const (
	// AckAuto: the server considers a message acknowledged once sent.
	AckAuto AckMode = "auto"
	// AckClient: the client acknowledges; an ACK covers every earlier
	// message of the subscription too (cumulative, CONF-41).
	AckClient AckMode = "client"
	// AckClientIndividual: the client acknowledges each message by itself.
	// Not in STOMP 1.0.
	AckClientIndividual AckMode = "client-individual"
)

// SubscribeOption configures one Subscribe.
type SubscribeOption func(*subConfig)

type subConfig struct {
	id         string
	ack        AckMode
	header     codec.Header
	middleware []handlers.Middleware
	receipt    bool
	chanSize   int
}

// WithID sets the subscription id (default "sub-N", unique on the
// connection) (CONF-34).
func WithID(id string) SubscribeOption { return func(s *subConfig) { s.id = id } }

// WithAck sets the acknowledgement mode (default AckAuto).
func WithAck(m AckMode) SubscribeOption { return func(s *subConfig) { s.ack = m } }

// WithSubscribeHeader adds a header to SUBSCRIBE (selector,
// x-queue-name, durable, ...).
func WithSubscribeHeader(key, value string) SubscribeOption {
	return func(s *subConfig) { s.header = append(s.header, codec.Field{Key: key, Value: value}) }
}

// WithPrefetch bounds the messages the broker sends before they are
// acknowledged: it sets prefetch-count (RabbitMQ and the embedded broker)
// and activemq.prefetchSize (ActiveMQ).
func WithPrefetch(n int) SubscribeOption {
	return func(s *subConfig) {
		v := strconv.Itoa(n)
		s.header = append(s.header, codec.Field{Key: "prefetch-count", Value: v}, codec.Field{Key: "activemq.prefetchSize", Value: v})
	}
}

// WithSubscriptionMiddleware wraps this subscription's handler, inside the
// connection-wide middleware; the first given is the outermost.
func WithSubscriptionMiddleware(mw ...handlers.Middleware) SubscribeOption {
	return func(s *subConfig) { s.middleware = append(s.middleware, mw...) }
}

// WithSubscribeReceipt makes Subscribe wait until the server confirmed the
// subscription with a RECEIPT.
func WithSubscribeReceipt() SubscribeOption { return func(s *subConfig) { s.receipt = true } }

// WithChannelSize sets the buffer of a channel-style subscription's channel
// (default 64).
func WithChannelSize(n int) SubscribeOption { return func(s *subConfig) { s.chanSize = n } }

// Subscription is a live SUBSCRIBE. Its methods are safe for concurrent use.
type Subscription struct {
	c           *Conn
	id          string
	destination string
	ack         AckMode
	extra       codec.Header // SUBSCRIBE's headers beyond destination, id and ack; nil for most
	handler     handlers.Handler
	subMW       []handlers.Middleware
	compiled    atomic.Pointer[compiledHandler]

	ch     chan *Message
	chMu   sync.Mutex // held by a channel delivery; end waits for it
	done   chan struct{}
	closed atomic.Bool
}

type compiledHandler struct {
	mw *[]handlers.Middleware // the connection middleware it was built with
	h  handlers.Handler
}

// ID returns the subscription id.
func (s *Subscription) ID() string { return s.id }

// Destination returns the destination subscribed to.
func (s *Subscription) Destination() string { return s.destination }

// Ack returns the acknowledgement mode.
func (s *Subscription) Ack() AckMode { return s.ack }

// C returns the channel of a subscription made without a handler; nil
// otherwise. It is closed after Unsubscribe or when the connection closes.
// Messages wait in the connection's executor while the channel is full,
// so a reader that stops reading eventually triggers the slow-consumer
// policy.
func (s *Subscription) C() <-chan *Message { return s.ch }

// Done is closed when the subscription ends.
func (s *Subscription) Done() <-chan struct{} {
	if s.ch != nil {
		// Channel style: done is made by Subscribe and never replaced. No
		// lock: a delivery waiting on a full channel holds chMu, and the
		// reader that would make room selects on Done too.
		return s.done
	}
	s.chMu.Lock()
	defer s.chMu.Unlock()
	if s.done == nil { // made on first use
		s.done = make(chan struct{})
		if s.closed.Load() {
			close(s.done)
		}
	}
	return s.done
}

// Subscribe subscribes to destination. Messages go to h, through the
// connection's middleware and the subscription's own; with a nil h they go
// to the channel returned by [Subscription.C]. With automatic
// reconnection the subscription is re-established, with the same id and
// headers, on every new session.
func (c *Conn) Subscribe(ctx context.Context, destination string, h handlers.Handler, opts ...SubscribeOption) (*Subscription, error) {
	if destination == "" {
		return nil, ErrNoDestination
	}
	sc := subConfig{ack: AckAuto, chanSize: 64}
	for _, o := range opts {
		o(&sc)
	}
	switch sc.ack {
	case AckAuto, AckClient, AckClientIndividual:
	default:
		return nil, invalidOption("ack mode %q", sc.ack)
	}
	s, err := c.live(ctx)
	if err != nil {
		return nil, err
	}
	if sc.ack == AckClientIndividual && s.version == codec.V10 {
		return nil, ErrUnsupported // CONF-35
	}
	if sc.id == "" {
		sc.id = "sub-" + strconv.FormatUint(c.seq.Add(1), 10)
	}
	sub := &Subscription{
		c:           c,
		id:          sc.id,
		destination: destination,
		ack:         sc.ack,
		handler:     h,
		subMW:       sc.middleware,
	}
	if h == nil {
		sub.ch = make(chan *Message, max(sc.chanSize, 0))
		sub.done = make(chan struct{}) // toChannel selects on it
	}
	sub.extra = sc.header

	c.subMu.Lock()
	if c.subs.get(sc.id) != nil {
		c.subMu.Unlock()
		return nil, ErrSubscriptionExists
	}
	c.subs.put(sub) // before SUBSCRIBE: the first MESSAGE may follow at once
	c.subMu.Unlock()

	f := sub.subscribeFrame()
	if err := c.sendFrame(ctx, f, sc.receipt, false); err != nil {
		c.subMu.Lock()
		c.subs.del(sc.id)
		c.subMu.Unlock()
		sub.end()
		return nil, err
	}
	return sub, nil
}

// subscribeFrame is the SUBSCRIBE frame of the subscription, the same each
// time it is sent (again, after a reconnection).
func (s *Subscription) subscribeFrame() *codec.Frame {
	h := make(codec.Header, 0, 3+len(s.extra))
	h = append(h,
		codec.Field{Key: codec.HdrDestination, Value: s.destination},
		codec.Field{Key: codec.HdrID, Value: s.id},
		codec.Field{Key: codec.HdrAck, Value: string(s.ack)},
	)
	return &codec.Frame{Command: codec.Subscribe, Header: append(h, s.extra...)}
}

// Unsubscribe ends the subscription (UNSUBSCRIBE). Messages already on
// their way are handled by the connection's unhandled route, without error
// (CONF-42). With receipt, it waits for the server's confirmation.
func (s *Subscription) Unsubscribe(ctx context.Context, receipt ...bool) error {
	c := s.c
	c.subMu.Lock()
	if c.subs.get(s.id) != s {
		c.subMu.Unlock()
		return nil
	}
	c.subs.del(s.id)
	c.subMu.Unlock()
	defer s.end()
	f := &codec.Frame{Command: codec.Unsubscribe, Header: codec.Header{{Key: codec.HdrID, Value: s.id}}}
	if c.Version() == codec.V10 {
		f.Header.Add(codec.HdrDestination, s.destination) // CONF-34
	}
	return c.sendFrame(ctx, f, len(receipt) > 0 && receipt[0], false)
}

// end closes the subscription's channel and Done, once; a delivery in
// progress finishes first.
func (s *Subscription) end() {
	if !s.closed.CompareAndSwap(false, true) {
		return
	}
	if s.ch != nil {
		// Channel style: done exists since Subscribe. Closing it first
		// releases a delivery blocked on a full channel, which holds chMu.
		close(s.done)
	}
	s.chMu.Lock()
	defer s.chMu.Unlock()
	if s.ch == nil && s.done != nil {
		close(s.done)
	}
	if s.ch != nil {
		close(s.ch)
	}
}

func (c *Conn) subscription(id string) *Subscription {
	c.subMu.RLock()
	defer c.subMu.RUnlock()
	return c.subs.get(id)
}

// closeSubscriptions ends every subscription when the connection closes.
func (c *Conn) closeSubscriptions() {
	c.subMu.Lock()
	subs := c.subs
	c.subs = subTable{}
	c.subMu.Unlock()
	subs.each(func(s *Subscription) bool {
		s.end()
		return true
	})
}

// handlerFor returns the subscription's handler wrapped in the current
// middleware, rebuilding it only when the connection's middleware changed.
func (s *Subscription) handlerFor(c *Conn) handlers.Handler {
	mw := c.mw.Load()
	if ch := s.compiled.Load(); ch != nil && ch.mw == mw {
		return ch.h
	}
	var mws []handlers.Middleware
	if mw != nil {
		mws = *mw
	}
	base := s.handler
	if base == nil {
		base = handlers.HandlerFunc(s.toChannel)
	}
	h := handlers.Apply(handlers.Apply(base, s.subMW...), mws...)
	s.compiled.Store(&compiledHandler{mw: mw, h: h})
	return h
}

// toChannel is the handler of a channel-style subscription.
func (s *Subscription) toChannel(ctx context.Context, m *Message) error {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	if s.closed.Load() {
		return nil
	}
	select {
	case s.ch <- m:
	case <-s.done:
	case <-ctx.Done():
	}
	return nil
}
