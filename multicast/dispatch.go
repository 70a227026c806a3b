package multicast

import (
	"context"
	"fmt"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// The dispatcher: one goroutine per connection that runs listeners and
// handlers, one event at a time, in the order events were queued. Nothing
// else calls user code, except OnSend (on the sending goroutine).

type eventKind uint8

const (
	evConnecting eventKind = iota
	evConnected
	evMessage
	evReceipt
	evError
	evDisconnecting
	evDisconnected
	evClosed
)

type event struct {
	kind  eventKind
	frame *codec.Frame
	err   error
	addr  string
	subs  []*Subscription // evMessage: the subscriptions that matched
	done  chan struct{}   // evDisconnecting: closed once the listeners ran
}

// post queues ev, waiting for room. It fails when ctx ends first or the
// dispatcher is gone.
func (c *Conn) post(ctx context.Context, ev event) error {
	select {
	case c.queue <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.dispatchDone:
		return ErrNotConnected
	}
}

// offer queues ev if there is room, and otherwise counts it as dropped: the
// reader never waits for user code.
func (c *Conn) offer(ev event) {
	select {
	case c.queue <- ev:
	default:
		c.stats.dropped.Add(1)
		c.pendingDrops.Add(1)
	}
}

func (c *Conn) dispatch() {
	defer close(c.dispatchDone)
	disconnected := false
	for {
		select {
		case ev := <-c.queue:
			switch ev.kind {
			case evDisconnected:
				disconnected = true
			case evClosed:
				c.reportDrops()
				c.each(func(l handlers.Listener) { l.OnClosed() })
				return
			}
			c.handle(ev)
		case <-c.abort:
			if !disconnected {
				c.each(func(l handlers.Listener) { l.OnDisconnected(c.abortErr) })
			}
			c.each(func(l handlers.Listener) { l.OnClosed() })
			return
		}
		c.reportDrops()
	}
}

func (c *Conn) handle(ev event) {
	switch ev.kind {
	case evConnecting:
		c.each(func(l handlers.Listener) { l.OnConnecting(ev.addr) })
	case evConnected:
		c.each(func(l handlers.Listener) { l.OnConnected(ev.frame) })
	case evMessage:
		c.deliver(ev.frame, ev.subs)
	case evReceipt:
		c.each(func(l handlers.Listener) { l.OnReceipt(ev.frame) })
	case evError:
		c.each(func(l handlers.Listener) { l.OnError(ev.frame, ev.err) })
	case evDisconnecting:
		c.each(func(l handlers.Listener) { l.OnDisconnecting() })
		close(ev.done)
	case evDisconnected:
		c.each(func(l handlers.Listener) { l.OnDisconnected(ev.err) })
	}
}

// each calls fn with every listener, in the order they were added.
func (c *Conn) each(fn func(handlers.Listener)) {
	for _, nl := range *c.listeners.Load() {
		fn(nl.l)
	}
}

// deliver hands one message to each subscription that matched it and is
// still live: a copy per subscription, with its subscription header, through
// the before-message and message listeners and then the handler.
func (c *Conn) deliver(msg *codec.Frame, subs []*Subscription) {
	first := true
	for _, s := range subs {
		if !s.live.Load() {
			continue
		}
		f := msg
		if !first {
			f = msg.Clone()
		}
		first = false
		f.Header.Set(codec.HdrSubscription, s.id)
		for _, nl := range *c.listeners.Load() {
			if f = nl.l.OnBeforeMessage(f); f == nil {
				break
			}
		}
		if f == nil {
			continue
		}
		c.stats.delivered.Add(1)
		m := &handlers.Message{Frame: f, Subscription: s.id, AckMode: s.ack, Acker: c}
		c.each(func(l handlers.Listener) { l.OnMessage(m) })
		h := s.chain.Load().h
		if h == nil {
			continue
		}
		if err := h.HandleMessage(c.handlerCtx, m); err != nil {
			err = fmt.Errorf("%w: subscription %q, message %q: %w", ErrHandlerFailed, s.id, m.ID(), err)
			c.cfg.logger.Warn("multicast: handler failed", "err", err)
			c.each(func(l handlers.Listener) { l.OnError(nil, err) })
		}
	}
}

// reportDrops tells the error listeners how many events were dropped since
// the last report, once the queue has room again.
func (c *Conn) reportDrops() {
	n := c.pendingDrops.Swap(0)
	if n == 0 {
		return
	}
	err := fmt.Errorf("%w: %d dropped", ErrQueueFull, n)
	c.cfg.logger.Warn("multicast: dispatch queue full", "dropped", n)
	c.each(func(l handlers.Listener) { l.OnError(nil, err) })
}
