package handlers_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
)

func TestPanicError(t *testing.T) {
	p := &handlers.PanicError{Value: "boom"}
	if got, want := p.Error(), "handlers: handler panicked: boom"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if p.Unwrap() != nil {
		t.Errorf("Unwrap() of a non-error value = %v, want nil", p.Unwrap())
	}
	wrapped := fmt.Errorf("outer: %w", &handlers.PanicError{Value: io.EOF})
	if !errors.Is(wrapped, io.EOF) {
		t.Error("errors.Is does not see an error panic value")
	}
	var pe *handlers.PanicError
	if !errors.As(wrapped, &pe) || pe.Value != io.EOF {
		t.Errorf("errors.As = %v, %v", pe, wrapped)
	}
}

func TestNoRouteError(t *testing.T) {
	err := fmt.Errorf("ctx: %w", &handlers.NoRouteError{Destination: "/queue/x"})
	if !errors.Is(err, handlers.ErrNoRoute) {
		t.Error("NoRouteError does not match ErrNoRoute")
	}
	if got, want := (&handlers.NoRouteError{Destination: "/queue/x"}).Error(), `handlers: no route for destination "/queue/x"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !handlers.IsPermanent(err) {
		t.Error("NoRouteError is not permanent")
	}
}

// transient has a Permanent method that says no.
type transient struct{ error }

func (transient) Permanent() bool { return false }

func TestPermanent(t *testing.T) {
	base := errors.New("bad message")
	if handlers.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	p := handlers.Permanent(base)
	if p.Error() != base.Error() {
		t.Errorf("Permanent changes the message: %q", p.Error())
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", base, false},
		{"marked", p, true},
		{"marked then wrapped", fmt.Errorf("x: %w", p), true},
		{"joined", errors.Join(io.EOF, p), true},
		{"own type saying no", transient{base}, false},
		{"own type saying no, outermost", transient{p}, false},
	} {
		if got := handlers.IsPermanent(tc.err); got != tc.want {
			t.Errorf("%s: IsPermanent = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !errors.Is(p, base) {
		t.Error("errors.Is does not see through Permanent")
	}
}
