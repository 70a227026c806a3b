package multicast

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/stampede-mq/stampede/handlers"
)

// Subscription is a live subscription of a [Conn]. It exists only in this
// member: subscribing sends nothing to the group. Its methods are safe for
// concurrent use.
type Subscription struct {
	c    *Conn
	id   string
	dest string
	ack  string
	own  handlers.Handler // the user's handler in the subscription's middleware; nil if none
	// chain is own wrapped in the connection's middleware, replaced by Use.
	chain atomic.Pointer[handlerBox]
	live  atomic.Bool
}

type handlerBox struct{ h handlers.Handler }

// Subscribe makes this member receive the frames sent to the group whose
// destination matches destination, as MESSAGE frames with a message-id and
// this subscription's id in the subscription header. Frames that match no
// subscription are ignored. A frame that matches several subscriptions is
// delivered once to each, in the order they were made.
//
// destination is matched exactly, or as a pattern when one of its
// segments (separated by '/' or '.') is a wildcard: "*" matches exactly one
// segment and ">", as the last segment, one or more ("/topic/*/price",
// "/topic/stocks.>").
//
// h may be nil: messages then reach only the OnMessage listeners. h runs on
// the dispatcher goroutine, wrapped in the subscription's middleware
// ([WithMiddleware]) and then the connection's ([Conn.Use]); its context
// ends when the connection closes. The ack mode is local (see [WithAck]).
// Subscribe does not wait for anything; ctx is only checked. Safe for
// concurrent use.
func (c *Conn) Subscribe(ctx context.Context, destination string, h handlers.Handler, opts ...SubscribeOption) (*Subscription, error) {
	if err := c.connected(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if destination == "" {
		return nil, ErrEmptyDestination
	}
	set := subscribeSettings{ack: AckAuto}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&set); err != nil {
			return nil, err
		}
	}
	s := &Subscription{c: c, dest: destination, ack: set.ack}
	if h != nil {
		s.own = handlers.Apply(h, set.mw...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s.id = set.id
	if s.id == "" {
		for s.id == "" || c.subsByID[s.id] != nil {
			s.id = "sub-" + strconv.FormatUint(c.ids.Add(1), 10)
		}
	} else if c.subsByID[s.id] != nil {
		return nil, ErrDuplicateSubscription
	}
	s.rebuild(c.mw)
	s.live.Store(true)
	c.subsByID[s.id] = s
	subs := append(slices.Clone(*c.subs.Load()), s)
	c.subs.Store(&subs)
	return s, nil
}

// rebuild wraps the subscription's handler in the connection's middleware
// mw, the first outermost. Called with c.mu held.
func (s *Subscription) rebuild(mw []handlers.Middleware) {
	box := &handlerBox{}
	if s.own != nil {
		box.h = handlers.Apply(s.own, mw...)
	}
	s.chain.Store(box)
}

// Unsubscribe ends the subscription locally. When it returns, no new
// message is handed to the subscription's handler (one the dispatcher is
// running may finish). A second call fails with [ErrUnknownSubscription].
// Safe for concurrent use, also from the subscription's own handler.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subsByID[s.id] != s {
		return ErrUnknownSubscription
	}
	s.live.Store(false)
	delete(c.subsByID, s.id)
	subs := slices.DeleteFunc(slices.Clone(*c.subs.Load()), func(x *Subscription) bool { return x == s })
	c.subs.Store(&subs)
	return nil
}

// ID returns the subscription id, the value of the subscription header of
// its messages.
func (s *Subscription) ID() string { return s.id }

// Destination returns the destination (or pattern) given to Subscribe.
func (s *Subscription) Destination() string { return s.dest }

// AckMode returns the acknowledgement mode given with [WithAck].
func (s *Subscription) AckMode() string { return s.ack }

// Use adds connection-wide middleware around every subscription's handler,
// present and future, outside each subscription's own middleware; among
// themselves the first added is the outermost. Safe for concurrent use; a
// message being dispatched when Use is called may still go through the
// previous chain.
func (c *Conn) Use(mw ...handlers.Middleware) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range mw {
		if m != nil {
			c.mw = append(c.mw, m)
		}
	}
	for _, s := range c.subsByID {
		s.rebuild(c.mw)
	}
}

// matching returns the live subscriptions whose destination matches dest,
// in the order they were made. It takes no lock.
func (c *Conn) matching(dest string) []*Subscription {
	var out []*Subscription
	for _, s := range *c.subs.Load() {
		if matchDestination(s.dest, dest) {
			out = append(out, s)
		}
	}
	return out
}
