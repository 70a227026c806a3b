package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/stampede-mq/stampede/codec"
)

// LogOption configures [Log].
type LogOption func(*logConfig)

type logConfig struct {
	handled   slog.Level
	failed    slog.Level
	headers   bool
	body      int
	sensitive sensitiveSet
}

// LogLevels sets the level of the record for a message whose handler
// returned nil (handled, default slog.LevelInfo) and for one whose handler
// returned an error (failed, default slog.LevelError).
func LogLevels(handled, failed slog.Level) LogOption {
	return func(c *logConfig) { c.handled, c.failed = handled, failed }
}

// LogHeaders adds every header of the message to the record, in a group
// named "headers", with the values of sensitive headers replaced by
// [Masked]. Default: off; the destination, message-id and subscription are
// always logged.
func LogHeaders(on bool) LogOption {
	return func(c *logConfig) { c.headers = on }
}

// LogBody adds the body to the record as "body": text cut to at most max
// bytes (with a note of how many were left out), or the size of a binary
// body. Default: the body is not logged; max <= 0 turns it off.
func LogBody(max int) LogOption {
	return func(c *logConfig) { c.body = max }
}

// LogSensitiveHeaders replaces the set of headers whose values are masked
// when headers are logged (default: passcode only). Names match
// without regard to case. The passcode header is masked whatever the set.
func LogSensitiveHeaders(names ...string) LogOption {
	return func(c *logConfig) { c.sensitive = newSensitiveSet(names) }
}

// Log logs every message handled by the handlers it wraps, after they
// return: "stomp message handled" at the handled level, or "stomp message
// handling failed" at the failed level (see [LogLevels]), with the
// attributes destination, message-id, subscription, duration (how long the
// inner handlers took), error when there is one, and the headers and body
// when asked ([LogHeaders], [LogBody]). The value of a passcode header is
// never logged.
//
// A nil logger means slog.Default() as it is when Log is called. When the
// logger is enabled for neither level, Log costs two Enabled calls per
// message. The returned handler is safe for concurrent use if the logger's
// handler is (slog's own are).
func Log(logger *slog.Logger, opts ...LogOption) Middleware {
	if logger == nil {
		logger = slog.Default()
	}
	cfg := logConfig{
		handled:   slog.LevelInfo,
		failed:    slog.LevelError,
		sensitive: newSensitiveSet(nil),
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) error {
			if !logger.Enabled(ctx, cfg.handled) && !logger.Enabled(ctx, cfg.failed) {
				return next.HandleMessage(ctx, m)
			}
			start := time.Now()
			err := next.HandleMessage(ctx, m)
			cfg.log(ctx, logger, m, time.Since(start), err)
			return err
		})
	}
}

// log writes the record for one message.
func (c *logConfig) log(ctx context.Context, logger *slog.Logger, m *Message, d time.Duration, err error) {
	level, msg := c.handled, "stomp message handled"
	if err != nil {
		level, msg = c.failed, "stomp message handling failed"
	}
	if !logger.Enabled(ctx, level) {
		return
	}
	var buf [7]slog.Attr
	attrs := append(buf[:0],
		slog.String("destination", headerOf(m, codec.HdrDestination)),
		slog.String("message-id", headerOf(m, codec.HdrMessageID)),
		slog.String("subscription", subscriptionOf(m)),
		slog.Duration("duration", d))
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	if m != nil && m.Frame != nil {
		if c.headers {
			attrs = append(attrs, slog.Attr{Key: "headers", Value: c.headerGroup(m.Frame.Header)})
		}
		if c.body > 0 {
			attrs = append(attrs, slog.String("body", bodyValue(m.Frame, c.body)))
		}
	}
	logger.LogAttrs(ctx, level, msg, attrs...)
}

// headerGroup returns the headers as a group, sensitive values masked.
// Repeated headers stay repeated, in order.
func (c *logConfig) headerGroup(h codec.Header) slog.Value {
	attrs := make([]slog.Attr, len(h))
	for i, f := range h {
		attrs[i] = slog.String(f.Key, c.sensitive.value(f.Key, f.Value))
	}
	return slog.GroupValue(attrs...)
}

// subscriptionOf returns the subscription id of m, or "" for a nil m.
func subscriptionOf(m *Message) string {
	if m == nil {
		return ""
	}
	return m.Subscription
}
