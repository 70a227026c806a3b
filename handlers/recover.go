package handlers

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/stampede-mq/stampede/codec"
)

// RecoverOption configures [Recover].
type RecoverOption func(*recoverConfig)

type recoverConfig struct {
	logger *slog.Logger
	notify func(ctx context.Context, m *Message, p *PanicError)
}

// RecoverLogger logs each panic on l at level Error, with the destination,
// the message-id, the panic value and the stack. Default: no logging (the
// panic is returned as an error, for the middleware around Recover to log).
// A nil l turns logging off.
func RecoverLogger(l *slog.Logger) RecoverOption {
	return func(c *recoverConfig) { c.logger = l }
}

// RecoverNotify calls fn for each panic, on the goroutine that ran the
// handler, before Recover returns the error; fn must not panic. Default:
// none. A nil fn removes the callback.
func RecoverNotify(fn func(ctx context.Context, m *Message, p *PanicError)) RecoverOption {
	return func(c *recoverConfig) { c.notify = fn }
}

// Recover turns a panic in the handlers it wraps into a *[PanicError],
// returned as the handler's error, so that the connection's executor keeps
// going. Place it inside [AckOnSuccess] so that a panicking handler's
// message is nacked, and inside [Log] so that the panic is logged with its
// message.
//
// runtime.Goexit is not a panic and is not stopped. The returned handler is
// safe for concurrent use; on the success path it costs a deferred call and
// allocates nothing.
func Recover(opts ...RecoverOption) Middleware {
	var cfg recoverConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (err error) {
			defer func() {
				v := recover()
				if v == nil {
					return // panic(nil) arrives as a *runtime.PanicNilError
				}
				p := &PanicError{Value: v, Stack: debug.Stack()}
				if cfg.logger != nil {
					cfg.logger.LogAttrs(ctx, slog.LevelError, "stomp message handler panicked",
						slog.String("destination", headerOf(m, codec.HdrDestination)),
						slog.String("message-id", headerOf(m, codec.HdrMessageID)),
						slog.Any("panic", v),
						slog.String("stack", string(p.Stack)))
				}
				if cfg.notify != nil {
					cfg.notify(ctx, m, p)
				}
				err = p
			}()
			return next.HandleMessage(ctx, m)
		})
	}
}
