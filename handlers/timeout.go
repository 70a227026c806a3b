package handlers

import (
	"context"
	"fmt"
	"time"
)

// Timeout gives the handlers it wraps a context that is done d after the
// call starts, whose context.Cause wraps [ErrTimeout]. When they return after
// that deadline (because they stopped on the context, or despite it),
// Timeout returns an error that wraps both [ErrTimeout] and
// context.DeadlineExceeded, and also wraps the handler's own error if it
// returned one: a late success counts as a failure, so [AckOnSuccess]
// around Timeout nacks it and [Retry] may run it again. A handler that
// returns in time has its result passed through unchanged, and a deadline
// or cancellation of the caller's ctx is the caller's, not reported as a
// timeout.
//
// Timeout does not abandon the handler at the deadline: Go cannot stop a
// goroutine, and a handler left running would still hold the message (it
// could ack it after Timeout's caller nacked it, or race with the
// redelivery). So Timeout runs the handler on the calling goroutine and
// returns when it does: the deadline is a request to stop that the handler
// honours by watching ctx (network calls that take a context do). Nothing
// is started in the background, so nothing can leak.
//
// A d <= 0 adds no deadline: Timeout then returns next itself. The returned
// handler is safe for concurrent use; each call allocates a context and its
// timer.
func Timeout(d time.Duration) Middleware {
	// One cause per Timeout, compared by identity: a nested Timeout's
	// deadline (or any other cause) is not mistaken for this one.
	cause := fmt.Errorf("%w after %v", ErrTimeout, d)
	return func(next Handler) Handler {
		if d <= 0 {
			return next
		}
		return HandlerFunc(func(ctx context.Context, m *Message) error {
			tctx, cancel := context.WithTimeoutCause(ctx, d, cause)
			err := next.HandleMessage(tctx, m)
			// Decide at the moment of return: after cancel the cause can
			// no longer become ours.
			cancel()
			if context.Cause(tctx) != cause {
				return err
			}
			if err == nil {
				return fmt.Errorf("%w: %w", cause, context.DeadlineExceeded)
			}
			return fmt.Errorf("%w: %w: %w", cause, context.DeadlineExceeded, err)
		})
	}
}
