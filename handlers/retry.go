package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stampede-mq/stampede/reconnect"
)

// RetryOption configures [Retry].
type RetryOption func(*retryConfig)

type retryConfig struct {
	clock     reconnect.Clock
	retryable func(error) bool
	notify    func(ctx context.Context, m *Message, attempt int, err error, delay time.Duration)
}

// RetryClock sets the clock Retry waits on. Default: reconnect.SystemClock;
// tests use reconnecttest.Clock. A nil clock means the default.
func RetryClock(c reconnect.Clock) RetryOption {
	return func(cfg *retryConfig) { cfg.clock = c }
}

// RetryIf sets the rule that decides whether an error is worth another
// attempt. Default: [DefaultRetryable]. A nil fn means the default.
func RetryIf(fn func(err error) bool) RetryOption {
	return func(cfg *retryConfig) { cfg.retryable = fn }
}

// RetryNotify calls fn before each wait, on the goroutine that runs the
// handler, with the number of failed attempts so far, the last error and
// the delay about to be waited. Default: none; a nil fn removes it.
func RetryNotify(fn func(ctx context.Context, m *Message, attempt int, err error, delay time.Duration)) RetryOption {
	return func(cfg *retryConfig) { cfg.notify = fn }
}

// DefaultRetryable is Retry's default rule: every error is retried except
// context.Canceled and context.DeadlineExceeded (the caller gave up, or a
// [Timeout] inside fired: a deadline does not get longer by retrying) and
// errors marked permanent ([Permanent], [IsPermanent]).
func DefaultRetryable(err error) bool {
	return !errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded) &&
		!IsPermanent(err)
}

// Retry calls the handlers it wraps again when they fail, as long as the
// error is retryable ([RetryIf]) and policy allows: after the n-th failed
// attempt it asks policy.Next(n) for the delay and waits it on the clock
// ([RetryClock]), or gives up when Next reports false. A nil policy never
// retries (reconnect.Never). Policies from package reconnect work as they
// are: reconnect.Constant{Delay: time.Second, Attempts: 3} makes at most
// four attempts, one second apart.
//
// It returns nil as soon as an attempt succeeds. Otherwise it returns the
// last error, wrapped with the number of attempts made (errors.Is and
// errors.As see it); when ctx is done during a wait it stops at once and
// the error wraps ctx's error too. Each attempt gets the same ctx and
// message, so the handler must not ack a message it then fails on; let
// [AckOnSuccess] outside Retry do the acknowledging.
//
// Retry runs on the calling goroutine and waits there, holding up the
// connection's executor; for long policies prefer the broker's redelivery
// (nack). The returned handler is safe for concurrent use if the policy is
// (those of package reconnect are); a first attempt that succeeds
// allocates nothing.
func Retry(policy reconnect.Policy, opts ...RetryOption) Middleware {
	if policy == nil {
		policy = reconnect.Never{}
	}
	cfg := retryConfig{clock: reconnect.SystemClock{}, retryable: DefaultRetryable}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = reconnect.SystemClock{}
	}
	if cfg.retryable == nil {
		cfg.retryable = DefaultRetryable
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) error {
			for attempt := 1; ; attempt++ {
				err := next.HandleMessage(ctx, m)
				if err == nil {
					return nil
				}
				if !cfg.retryable(err) {
					return fmt.Errorf("handlers: retry: not retryable after %d attempt(s): %w", attempt, err)
				}
				delay, ok := policy.Next(attempt)
				if !ok {
					return fmt.Errorf("handlers: retry: gave up after %d attempt(s): %w", attempt, err)
				}
				if cfg.notify != nil {
					cfg.notify(ctx, m, attempt, err, delay)
				}
				if werr := reconnect.Wait(ctx, cfg.clock, delay); werr != nil {
					return fmt.Errorf("handlers: retry: stopped after %d attempt(s): %w (last error: %w)", attempt, werr, err)
				}
			}
		})
	}
}
