package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
)

// panicking returns a handler that panics with v.
func panicking(v any) handlers.Handler {
	return handlers.HandlerFunc(func(context.Context, *handlers.Message) error { panic(v) })
}

func TestRecoverTurnsPanicsIntoErrors(t *testing.T) {
	var nilValue any // panic(nil) without vet's complaint
	for _, tc := range []struct {
		name  string
		value any
		check func(t *testing.T, p *handlers.PanicError)
	}{
		{"string", "boom", func(t *testing.T, p *handlers.PanicError) {
			if p.Value != "boom" {
				t.Errorf("Value = %v", p.Value)
			}
		}},
		{"error", io.ErrUnexpectedEOF, func(t *testing.T, p *handlers.PanicError) {
			if !errors.Is(p, io.ErrUnexpectedEOF) {
				t.Error("errors.Is does not reach the panic value")
			}
		}},
		{"nil", nilValue, func(t *testing.T, p *handlers.PanicError) {
			var pn *runtime.PanicNilError
			if !errors.As(p, &pn) {
				t.Errorf("Value = %T, want *runtime.PanicNilError", p.Value)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := handlers.Recover()(panicking(tc.value))
			err := h.HandleMessage(context.Background(), newMessage("/q", "1"))
			var p *handlers.PanicError
			if !errors.As(err, &p) {
				t.Fatalf("err = %v (%T), want a *PanicError", err, err)
			}
			if !bytes.Contains(p.Stack, []byte("recover_test.go")) {
				t.Errorf("Stack does not show the panicking function:\n%s", p.Stack)
			}
			tc.check(t, p)
		})
	}
}

func TestRecoverPassesResultsThrough(t *testing.T) {
	boom := errors.New("boom")
	if err := handlers.Recover()(failWith(boom)).HandleMessage(context.Background(), newMessage("/q", "1")); err != boom {
		t.Errorf("error = %v, want the handler's own", err)
	}
	if err := handlers.Recover()(ok).HandleMessage(context.Background(), newMessage("/q", "1")); err != nil {
		t.Errorf("success = %v, want nil", err)
	}
}

func TestRecoverKeepsGoing(t *testing.T) {
	calls := 0
	h := handlers.Recover()(handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
		calls++
		if calls%2 == 1 {
			panic("odd")
		}
		return nil
	}))
	for i := 1; i <= 4; i++ {
		err := h.HandleMessage(context.Background(), newMessage("/q", "1"))
		if wantPanic := i%2 == 1; (err != nil) != wantPanic {
			t.Errorf("call %d: err = %v, want panic error %v", i, err, wantPanic)
		}
	}
	if calls != 4 {
		t.Errorf("handler ran %d times, want 4", calls)
	}
}

func TestRecoverLoggerAndNotify(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	var notified *handlers.PanicError
	var notifiedID string
	h := handlers.Recover(
		handlers.RecoverLogger(logger),
		nil,
		handlers.RecoverNotify(func(_ context.Context, m *handlers.Message, p *handlers.PanicError) {
			notified, notifiedID = p, m.ID()
		}),
	)(panicking("kaboom"))
	err := h.HandleMessage(context.Background(), newMessage("/queue/x", "m-9"))
	if err == nil || err != error(notified) || notifiedID != "m-9" {
		t.Errorf("notify got %v for %q; handler returned %v", notified, notifiedID, err)
	}
	out := buf.String()
	for _, want := range []string{"level=ERROR", "destination=/queue/x", "message-id=m-9", "panic=kaboom", "stack="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestRecoverNilMessage(t *testing.T) {
	var buf bytes.Buffer
	h := handlers.Recover(handlers.RecoverLogger(slog.New(slog.NewTextHandler(&buf, nil))))(panicking("x"))
	if err := h.HandleMessage(context.Background(), nil); err == nil {
		t.Error("no error for a panic on a nil message")
	}
	if !strings.Contains(buf.String(), `destination=""`) {
		t.Errorf("log: %s", buf.String())
	}
}
