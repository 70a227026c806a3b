package stampede

import (
	"context"
	"errors"
	"fmt"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/reconnect"
)

// WithReconnect turns on automatic reconnection with policy p (for
// example reconnect.DefaultBackoff(), stomp.py's defaults). The same policy
// governs the rounds of the first connect. After a drop (EOF, reset,
// heart-beat timeout; an ERROR frame only with [WithReconnectOnError]) the
// connection dials the host list again, renegotiates, re-subscribes every
// live subscription with its original id and headers, and fires
// OnReconnected. Meanwhile sends wait (or fail fast with [WithFailFast]).
// Receipts pending at the drop fail with ErrReceiptLost; open transactions
// are dead. When the policy gives up, the connection closes with an error
// wrapping ErrReconnectFailed and the last cause.
func WithReconnect(p reconnect.Policy) Option {
	return func(c *config) error {
		if p == nil {
			return invalidOption("nil reconnect policy")
		}
		if v, ok := p.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalidOption, err)
			}
		}
		c.reconnect = p
		return nil
	}
}

// WithReconnectOnError makes an ERROR frame from the server a reason to
// reconnect too (by default an ERROR closes the connection for good).
func WithReconnectOnError() Option {
	return func(c *config) error {
		c.reconnectOnError = true
		return nil
	}
}

// WithHostOrder orders the host list before each round: local hosts first
// (stomp.py prefer_localhost) and 127.0.0.1 tried after a local name
// (try_loopback_connect). Default: the order given.
func WithHostOrder(o reconnect.OrderOptions) Option {
	return func(c *config) error {
		c.order = o
		return nil
	}
}

// WithClock injects the clock used for waits between reconnection rounds
// (tests).
func WithClock(clock reconnect.Clock) Option {
	return func(c *config) error {
		if clock == nil {
			return invalidOption("nil clock")
		}
		c.clock = clock
		return nil
	}
}

func (c *Conn) reconnectEnabled() bool {
	_, never := c.cfg.reconnect.(reconnect.Never)
	return !never
}

// reconnectLoop dials again after a drop until it succeeds, the policy
// gives up, or the connection is closed. It is the only goroutine a
// connection owns, and only while reconnecting; Close and Disconnect join it.
func (c *Conn) reconnectLoop(ctx context.Context, r *reconnecting, cause error) {
	defer close(r.done)
	for {
		s, err := c.connectRounds(ctx, true)
		if err != nil {
			if ctx.Err() != nil {
				return // closed by the user, who finishes the connection
			}
			c.finish(fmt.Errorf("%w (dropped: %w)", err, cause), true)
			return
		}
		if err := c.resubscribe(ctx, s); err != nil {
			s.lc.Close(err)
			<-s.lc.Done()
			cause = err
			continue
		}
		c.eng.settle(c)
		c.promote(s, true)
		return
	}
}

// resubscribe sends SUBSCRIBE for every live subscription on the new
// session, before sends are let through.
func (c *Conn) resubscribe(ctx context.Context, s *session) error {
	c.subMu.RLock()
	subs := make([]*Subscription, 0, c.subs.len())
	c.subs.each(func(sub *Subscription) bool {
		subs = append(subs, sub)
		return true
	})
	c.subMu.RUnlock()
	for _, sub := range subs {
		if sub.ack == AckClientIndividual && s.version == codec.V10 {
			return fmt.Errorf("%w: subscription %s needs client-individual", ErrUnsupported, sub.id)
		}
		f := sub.subscribeFrame()
		if err := s.write(ctx, f, s.enc); err != nil {
			if errors.Is(err, ErrClosed) {
				return err
			}
			return fmt.Errorf("stampede: re-subscribing %s: %w", sub.id, err)
		}
	}
	return nil
}

// orderEndpoints applies the host ordering options to the endpoint list.
func orderEndpoints(eps []endpoint, o reconnect.OrderOptions) []endpoint {
	if !o.PreferLocalhost && !o.TryLoopback {
		return eps
	}
	hosts := make([]reconnect.Host, len(eps))
	for i, ep := range eps {
		hosts[i] = reconnect.Host{Host: ep.host, Port: ep.port}
	}
	ordered := reconnect.Order(hosts, o)
	out := make([]endpoint, 0, len(ordered))
	for _, h := range ordered {
		tmpl := eps[0]
		for _, ep := range eps {
			if ep.host == h.Host && ep.port == h.Port {
				tmpl = ep
				break
			}
			if ep.port == h.Port {
				tmpl = ep // an added loopback entry takes its origin's scheme
			}
		}
		tmpl.host = h.Host
		out = append(out, tmpl)
	}
	return out
}

// reconnecting is one run of reconnectLoop: how to stop it and when it is
// over.
type reconnecting struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// stop ends the run and waits for its goroutine; nil does nothing.
func (r *reconnecting) stop() {
	if r != nil {
		r.cancel()
		<-r.done
	}
}
