package handlers

import (
	"context"
	"errors"
	"fmt"
)

// AckOption configures [AckOnSuccess].
type AckOption func(*ackConfig)

type ackConfig struct {
	nack bool
}

// NackOnError says whether a message whose handler failed is nacked (true,
// the default) or left unacknowledged (false). Use false on STOMP 1.0, which
// has no NACK, and when the broker should redeliver on its own schedule
// (after the connection closes, or a client-mode ack of a later message).
func NackOnError(nack bool) AckOption {
	return func(c *ackConfig) { c.nack = nack }
}

// AckOnSuccess acknowledges the messages that need it (those whose
// [Message.NeedsAck] is true: subscriptions in client or client-individual
// mode): ACK when the handlers it wraps return nil, NACK when they return
// an error (see [NackOnError]). Messages that need no acknowledgement are
// passed to the handlers untouched.
//
// An ack or nack failure is returned, joined (errors.Join) with the
// handler's error when there is one, and wrapped so that the message says
// which of the two failed. The acknowledgement uses the ctx given to
// AckOnSuccess, so place it outside [Timeout] (the handler's deadline must
// not cancel the ack) and outside [Retry] (only the final outcome is
// acknowledged), and inside [Log] (so that a failed ack is logged). The
// handlers inside must not acknowledge on their own.
//
// In client mode an ACK also acknowledges every earlier message of the
// subscription: with a pool executor prefer client-individual. The
// returned handler is safe for concurrent use if the message's
// [Acknowledger] is; it allocates nothing unless an acknowledgement fails.
func AckOnSuccess(opts ...AckOption) Middleware {
	cfg := ackConfig{nack: true}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) error {
			if !m.NeedsAck() {
				return next.HandleMessage(ctx, m)
			}
			err := next.HandleMessage(ctx, m)
			if err == nil {
				if aerr := m.Ack(ctx); aerr != nil {
					return fmt.Errorf("handlers: ack after success: %w", aerr)
				}
				return nil
			}
			if !cfg.nack {
				return err
			}
			if nerr := m.Nack(ctx); nerr != nil {
				return errors.Join(err, fmt.Errorf("handlers: nack after failure: %w", nerr))
			}
			return err
		})
	}
}
