package handlers

import (
	"context"

	"github.com/stampede-mq/stampede/codec"
)

// Handler processes one message. An error tells the middleware around it
// that handling failed (AckOnSuccess nacks, Retry retries, Log logs); what a
// connection does with an error that reaches it is its error route.
//
// A connection calls HandleMessage on its executor: one message at a time
// per connection with the default executor, concurrently with a pool
// executor, so a Handler shared between connections or used with a pool
// must be safe for concurrent use. Every handler and middleware in this
// package is.
type Handler interface {
	HandleMessage(ctx context.Context, m *Message) error
}

// HandlerFunc adapts a function to a [Handler].
type HandlerFunc func(ctx context.Context, m *Message) error

// HandleMessage calls f(ctx, m).
func (f HandlerFunc) HandleMessage(ctx context.Context, m *Message) error { return f(ctx, m) }

// Middleware wraps a handler with behaviour of its own.
type Middleware func(next Handler) Handler

// Chain composes middleware into one: Chain(a, b, c)(h) is a(b(c(h))), so the
// first middleware given is the outermost and sees each message first.
// Chain with no middleware returns the handler unchanged.
func Chain(mw ...Middleware) Middleware {
	return func(h Handler) Handler {
		for i := len(mw) - 1; i >= 0; i-- {
			if mw[i] != nil {
				h = mw[i](h)
			}
		}
		return h
	}
}

// Apply wraps h with mw, first one outermost. It is Chain(mw...)(h).
func Apply(h Handler, mw ...Middleware) Handler { return Chain(mw...)(h) }

// SendFunc sends one frame. The frame may still be changed by the hooks
// that run before the one that encodes it.
type SendFunc func(ctx context.Context, f *codec.Frame) error

// SendHook wraps the function that sends frames, to add headers, log, trace
// or refuse. A connection builds its hooks once into an immutable chain, the
// first hook given outermost, and reads it without a lock on every send.
type SendHook func(next SendFunc) SendFunc

// DialFunc opens the transport to one address.
type DialFunc func(ctx context.Context, address string) error

// DialHook wraps each dial attempt (logging, metrics, delaying, refusing).
type DialHook func(next DialFunc) DialFunc

// ChainSend composes send hooks around base, the first hook outermost.
func ChainSend(base SendFunc, hooks ...SendHook) SendFunc {
	for i := len(hooks) - 1; i >= 0; i-- {
		if hooks[i] != nil {
			base = hooks[i](base)
		}
	}
	return base
}

// ChainDial composes dial hooks around base, the first hook outermost.
func ChainDial(base DialFunc, hooks ...DialHook) DialFunc {
	for i := len(hooks) - 1; i >= 0; i-- {
		if hooks[i] != nil {
			base = hooks[i](base)
		}
	}
	return base
}
