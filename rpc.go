package stampede

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// HdrCorrelationID is the header that ties a reply to its request. It is a
// convention, not STOMP: RabbitMQ maps it to the AMQP correlation_id
// property, ActiveMQ to JMSCorrelationID.
const HdrCorrelationID = "correlation-id"

// DefaultReplyQueue is the reply-to destination of [Conn.Request] unless
// [WithReplyQueue] names another: a temp queue, private to the connection
// on RabbitMQ, ActiveMQ and the embedded broker.
const DefaultReplyQueue = "/temp-queue/stampede.replies"

// WithReplyQueue sets the destination [Conn.Request] names in reply-to
// (default [DefaultReplyQueue]) and whether the connection subscribes to it
// before its first request. RabbitMQ and the embedded broker deliver the
// replies on a /temp-queue/ without a subscription (on one the client never
// made, whose id is the temp-queue name); ActiveMQ delivers them only to a
// subscriber, so it needs subscribe. Either way works with RabbitMQ and the
// embedded broker; a destination that is not a temp queue needs subscribe.
func WithReplyQueue(destination string, subscribe bool) Option {
	return func(c *config) error {
		if destination == "" {
			return invalidOption("empty reply queue")
		}
		c.replyQueue, c.subscribeReplies = destination, subscribe
		return nil
	}
}

// Request sends body to destination as a request, with reply-to naming
// the connection's reply queue and a correlation-id unique on the
// connection, and returns the reply: the first message on the reply queue
// that carries the same correlation-id. opts apply to the SEND as for
// [Conn.Send] (a reply-to or correlation-id among them is ignored: the
// first of a repeated header wins, and Request's come first).
//
// Request waits under ctx: give it a deadline. It fails with ctx's error
// (wrapped) when ctx ends first, with [ErrReplyLost] when the connection
// drops first (a temp queue does not outlive its session, so the reply can
// never arrive; the request may or may not have been served), and with
// [ErrClosed] when the connection is closed. A reply that arrives after its
// request gave up goes to the connection's unhandled route
// ([WithUnhandled]), or is dropped when it arrived on the reply queue's
// own subscription.
//
// Replies skip handlers and middleware: listeners see them in
// OnBeforeMessage and OnMessage, then Request takes them. The returned
// message belongs to the caller. Safe for concurrent use; many requests
// may be pending at once.
func (c *Conn) Request(ctx context.Context, destination string, body []byte, opts ...SendOption) (*Message, error) {
	r := c.requestTable()
	if err := r.subscribe(ctx, c); err != nil {
		return nil, err
	}
	s, err := c.live(ctx)
	if err != nil {
		return nil, err
	}
	id := "stampede-" + strconv.FormatUint(r.seq.Add(1), 10)
	ch := r.expect(id, s)
	defer r.forget(id)
	opts = append([]SendOption{WithHeader(codec.HdrReplyTo, r.queue), WithHeader(HdrCorrelationID, id)}, opts...)
	if err := c.Send(ctx, destination, body, opts...); err != nil {
		return nil, err
	}
	select {
	case rep := <-ch:
		return rep.m, rep.err
	case <-ctx.Done():
		return nil, fmt.Errorf("stampede: no reply to %s %s: %w", HdrCorrelationID, id, ctx.Err())
	case <-c.Done():
		return nil, ErrClosed
	}
}

// Reply sends body to the reply-to destination of request, with its
// correlation-id: the responder's side of [Conn.Request]. It fails with
// [ErrNoReplyTo] when request has no reply-to. opts apply as for
// [Conn.Send]. Safe for concurrent use; a handler may call it.
func (c *Conn) Reply(ctx context.Context, request *Message, body []byte, opts ...SendOption) error {
	replyTo := request.Header(codec.HdrReplyTo)
	if replyTo == "" {
		return ErrNoReplyTo
	}
	if id, ok := request.Frame.Header.Lookup(HdrCorrelationID); ok {
		opts = append([]SendOption{WithHeader(HdrCorrelationID, id)}, opts...)
	}
	return c.Send(ctx, replyTo, body, opts...)
}

// requests is a connection's table of pending requests. It is made by the
// first Request; deliver reads it on the event loop's executor.
type requests struct {
	queue      string
	subscribes bool

	subMu sync.Mutex                   // serializes the first requests' subscribing
	sub   atomic.Pointer[Subscription] // the reply queue's subscription, with subscribe

	seq atomic.Uint64

	mu      sync.Mutex
	pending map[string]*pendingRequest
}

type pendingRequest struct {
	s  *session // the session the request went out on
	ch chan reply
}

type reply struct {
	m   *Message
	err error
}

func (c *Conn) requestTable() *requests {
	if r := c.rpc.Load(); r != nil {
		return r
	}
	r := &requests{queue: c.cfg.replyQueue, subscribes: c.cfg.subscribeReplies, pending: make(map[string]*pendingRequest)}
	if r.queue == "" {
		r.queue = DefaultReplyQueue
	}
	if c.rpc.CompareAndSwap(nil, r) {
		return r
	}
	return c.rpc.Load()
}

// subscribe makes the reply queue's subscription once, when asked for.
// Automatic reconnection re-makes it with the others.
func (r *requests) subscribe(ctx context.Context, c *Conn) error {
	if !r.subscribes || r.sub.Load() != nil {
		return nil // the common case, without the lock
	}
	r.subMu.Lock()
	defer r.subMu.Unlock()
	if r.sub.Load() != nil {
		return nil
	}
	// Replies on this subscription are taken before its handler runs;
	// the handler sees none.
	nop := handlers.HandlerFunc(func(context.Context, *Message) error { return nil })
	sub, err := c.Subscribe(ctx, r.queue, nop, WithSubscribeReceipt())
	if err != nil {
		return fmt.Errorf("stampede: subscribing to the reply queue %s: %w", r.queue, err)
	}
	r.sub.Store(sub)
	return nil
}

func (r *requests) expect(id string, s *session) chan reply {
	ch := make(chan reply, 1)
	r.mu.Lock()
	r.pending[id] = &pendingRequest{s: s, ch: ch}
	r.mu.Unlock()
	return ch
}

func (r *requests) forget(id string) {
	r.mu.Lock()
	delete(r.pending, id)
	r.mu.Unlock()
}

// take hands m to the request it answers and reports whether it did, or
// whether m arrived on the reply queue's own subscription, which has no
// other use. A nil table takes nothing. Executor.
func (r *requests) take(sub *Subscription, m *Message) bool {
	if r == nil {
		return false
	}
	own := sub != nil && sub == r.sub.Load()
	if sub != nil && !own {
		return false
	}
	id, ok := m.Frame.Header.Lookup(HdrCorrelationID)
	if !ok {
		return own
	}
	r.mu.Lock()
	p := r.pending[id]
	delete(r.pending, id)
	r.mu.Unlock()
	if p == nil {
		return own
	}
	p.ch <- reply{m: m}
	return true
}

// lost fails the requests that went out on s, whose reply queue is gone
// with it. Loop.
func (r *requests) lost(s *session) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, p := range r.pending {
		if p.s == s {
			p.ch <- reply{err: ErrReplyLost}
			delete(r.pending, id)
		}
	}
}
