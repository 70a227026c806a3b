package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/handlers"
)

// untilDone returns a handler that waits for its context to end and then
// returns ret(ctx).
func untilDone(ret func(ctx context.Context) error) handlers.Handler {
	return handlers.HandlerFunc(func(ctx context.Context, _ *handlers.Message) error {
		<-ctx.Done()
		return ret(ctx)
	})
}

func TestTimeoutInTime(t *testing.T) {
	boom := errors.New("boom")
	for _, want := range []error{nil, boom} {
		var deadline time.Time
		var hasDeadline bool
		h := handlers.Timeout(time.Hour)(handlers.HandlerFunc(func(ctx context.Context, _ *handlers.Message) error {
			deadline, hasDeadline = ctx.Deadline()
			return want
		}))
		start := time.Now()
		if err := h.HandleMessage(context.Background(), newMessage("/q", "1")); err != want {
			t.Errorf("err = %v, want %v unchanged", err, want)
		}
		if !hasDeadline || deadline.Before(start.Add(59*time.Minute)) || deadline.After(time.Now().Add(time.Hour)) {
			t.Errorf("handler deadline %v (set %v), want about an hour from %v", deadline, hasDeadline, start)
		}
	}
}

func TestTimeoutLate(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name     string
		ret      func(ctx context.Context) error
		alsoWrap error
	}{
		{"late success", func(context.Context) error { return nil }, nil},
		{"stopped on the context", func(ctx context.Context) error { return ctx.Err() }, nil},
		{"own error", func(context.Context) error { return boom }, boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cause error
			h := handlers.Timeout(time.Millisecond)(untilDone(func(ctx context.Context) error {
				cause = context.Cause(ctx)
				return tc.ret(ctx)
			}))
			err := h.HandleMessage(context.Background(), newMessage("/q", "1"))
			if !errors.Is(err, handlers.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want ErrTimeout and DeadlineExceeded", err)
			}
			if tc.alsoWrap != nil && !errors.Is(err, tc.alsoWrap) {
				t.Errorf("err = %v does not wrap the handler's error", err)
			}
			if !errors.Is(cause, handlers.ErrTimeout) || !strings.Contains(cause.Error(), "1ms") {
				t.Errorf("handler saw cause %v, want ErrTimeout after 1ms", cause)
			}
		})
	}
}

func TestTimeoutLeavesTheCallersDeadlineAlone(t *testing.T) {
	h := handlers.Timeout(time.Hour)(untilDone(func(ctx context.Context) error { return ctx.Err() }))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.HandleMessage(ctx, newMessage("/q", "1")); !errors.Is(err, context.Canceled) || errors.Is(err, handlers.ErrTimeout) {
		t.Errorf("caller cancelled: err = %v, want context.Canceled only", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := h.HandleMessage(ctx, newMessage("/q", "1")); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, handlers.ErrTimeout) {
		t.Errorf("caller's deadline: err = %v, want DeadlineExceeded without ErrTimeout", err)
	}
}

func TestTimeoutNested(t *testing.T) {
	h := handlers.Chain(handlers.Timeout(time.Millisecond), handlers.Timeout(time.Hour))(
		untilDone(func(ctx context.Context) error { return ctx.Err() }))
	err := h.HandleMessage(context.Background(), newMessage("/q", "1"))
	if !errors.Is(err, handlers.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if n := strings.Count(err.Error(), "exceeded its timeout"); n != 1 || !strings.Contains(err.Error(), "after 1ms") {
		t.Errorf("err = %q: the inner Timeout claimed the outer one's deadline", err)
	}
}

// countingHandler is a comparable Handler.
type countingHandler struct{ n int }

func (c *countingHandler) HandleMessage(context.Context, *handlers.Message) error {
	c.n++
	return nil
}

func TestTimeoutZeroIsNoOp(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		h := &countingHandler{}
		if got := handlers.Timeout(d)(h); got != handlers.Handler(h) {
			t.Errorf("Timeout(%v) wrapped the handler", d)
		}
	}
}
