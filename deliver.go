package stampede

import (
	"context"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// delivery carries one MESSAGE from the event loop to the executor: one
// allocation holds the frame, the message and the task.
type delivery struct {
	c     *Conn
	s     *session
	sub   *Subscription
	frame codec.Frame
	msg   handlers.Message
}

// deliver routes a MESSAGE by its subscription header (CONF-36) and queues
// it for the executor. Loop.
func (c *Conn) deliver(s *session, f *codec.Frame) {
	d := &delivery{c: c, s: s, frame: *f}
	id, ok := f.Header.Lookup(codec.HdrSubscription)
	if ok {
		d.sub = c.subscription(id)
	} else {
		d.sub = c.subscriptionByDestination(f.Header.Get(codec.HdrDestination))
	}
	if d.sub != nil {
		id = d.sub.id
		d.msg.AckMode = string(d.sub.ack)
	}
	d.msg.Subscription = id
	d.msg.Acker = s
	c.post(d)
}

// subscriptionByDestination finds a subscription for a 1.0 server that
// does not echo the subscription id.
func (c *Conn) subscriptionByDestination(dest string) *Subscription {
	c.subMu.RLock()
	defer c.subMu.RUnlock()
	var found *Subscription
	c.subs.each(func(s *Subscription) bool {
		if s.destination == dest {
			found = s
		}
		return found == nil
	})
	return found
}

// Run handles the message on the executor: before-message listeners (which
// may replace or drop it), message listeners, then the handler.
func (d *delivery) Run() {
	c := d.c
	f := &d.frame
	ls := c.listenerList()
	for _, nl := range ls {
		if f = nl.l.OnBeforeMessage(f); f == nil {
			return // dropped
		}
	}
	d.msg.Frame = f
	for _, nl := range ls {
		nl.l.OnMessage(&d.msg)
	}
	if c.rpc.Load().take(d.sub, &d.msg) {
		return // a reply to a pending Request
	}
	var h handlers.Handler
	switch {
	case d.sub != nil && !d.sub.closed.Load():
		h = d.sub.handlerFor(c)
	case c.cfg.unhandled != nil:
		h = handlers.Apply(c.cfg.unhandled, c.middleware()...)
	default:
		return
	}
	if err := h.HandleMessage(c.handlerCtx(), &d.msg); err != nil {
		c.handlerError(&d.msg, err)
	}
}

func (c *Conn) handlerError(m *Message, err error) {
	if c.cfg.errorHandler != nil {
		c.cfg.errorHandler(m, err)
		return
	}
	c.cfg.logger.Warn("stampede: message handler failed", "destination", m.Destination(), "message-id", m.ID(), "err", err)
}

// Ack acknowledges m (stomp.py ack): with the headers its protocol version
// needs (CONF-37..39). m must have arrived on the current session; after a
// reconnection the broker redelivers it instead.
func (c *Conn) Ack(ctx context.Context, m *Message) error { return m.Ack(ctx) }

// Nack rejects m (stomp.py nack); an error on STOMP 1.0 (CONF-40).
func (c *Conn) Nack(ctx context.Context, m *Message) error { return m.Nack(ctx) }

// Ack implements handlers.Acknowledger for messages of this session.
func (s *session) Ack(ctx context.Context, m *Message) error {
	return s.acknowledge(ctx, codec.Ack, m, "")
}

// Nack implements handlers.Acknowledger for messages of this session.
func (s *session) Nack(ctx context.Context, m *Message) error {
	return s.acknowledge(ctx, codec.Nack, m, "")
}

func (s *session) acknowledge(ctx context.Context, cmd codec.Command, m *Message, tx string) error {
	f, err := ackFrame(cmd, s.version, m)
	if err != nil {
		return err
	}
	if tx != "" {
		f.Header.Add(codec.HdrTransaction, tx)
	}
	c := s.c
	cur, err := c.live(ctx)
	if err != nil {
		return err
	}
	if cur != s {
		return errStaleAck
	}
	return c.sendFrame(ctx, f, false, false)
}

// ackFrame builds ACK or NACK for m per version (CONF-38, CONF-39, CONF-40).
func ackFrame(cmd codec.Command, v codec.Version, m *Message) (*codec.Frame, error) {
	if m == nil || m.Frame == nil {
		return nil, ErrNotAcknowledgeable
	}
	h := m.Frame.Header
	f := &codec.Frame{Command: cmd}
	switch v {
	case codec.V12:
		id := h.Get(codec.HdrAck)
		if id == "" {
			return nil, ErrNotAcknowledgeable
		}
		f.Header = codec.Header{{Key: codec.HdrID, Value: id}}
	case codec.V11:
		mid := h.Get(codec.HdrMessageID)
		if mid == "" {
			return nil, ErrNotAcknowledgeable
		}
		sub := h.Get(codec.HdrSubscription)
		if sub == "" {
			sub = m.Subscription
		}
		f.Header = codec.Header{{Key: codec.HdrMessageID, Value: mid}, {Key: codec.HdrSubscription, Value: sub}}
	default:
		if cmd == codec.Nack {
			return nil, ErrUnsupported
		}
		mid := h.Get(codec.HdrMessageID)
		if mid == "" {
			return nil, ErrNotAcknowledgeable
		}
		f.Header = codec.Header{{Key: codec.HdrMessageID, Value: mid}}
	}
	return f, nil
}
