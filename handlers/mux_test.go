package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
)

func TestMuxMatching(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		dest    string
		want    bool
	}{
		{"/queue/a", "/queue/a", true},
		{"/queue/a", "/queue/ab", false},
		{"/queue/a", "/queue/a/b", false},
		{"/topic/orders.*", "/topic/orders.eu", true},
		{"/topic/orders.*", "/topic/orders", false},
		{"/topic/orders.*", "/topic/orders.", false}, // * needs a non-empty segment
		{"/topic/orders.*", "/topic/orders.eu.north", false},
		{"/topic/orders.*", "/topic/orders/eu", false}, // separators are literal
		{"/topic/*.created", "/topic/order.created", true},
		{"/topic/*.created", "/topic/order.deleted", false},
		{"/queue/eu/#", "/queue/eu", true}, // zero trailing segments
		{"/queue/eu/#", "/queue/eu/", true},
		{"/queue/eu/#", "/queue/eu/fr", true},
		{"/queue/eu/#", "/queue/eu/fr.paris/x", true},
		{"/queue/eu/#", "/queue/europe", false},
		{"/queue/eu/#", "/queue/eu.fr", false},
		{"/queue/eu/>", "/queue/eu/fr", true}, // NATS/ActiveMQ spelling
		{"/queue/>", "/queue", true},
		{"#", "", true},
		{"#", "/anything/at.all", true},
		{">", "/x", true},
		{"*", "", false},
		{"*", "x", true},
		{"*/*", "a/b", true},
		{"/*", "/x", true},
		{"/*", "//", false},
		{"orders.#", "orders", true},
		{"orders.#", "orders.x.y", true},
		{"orders.#", "ordersx", false},
		{"/queue/ord*", "/queue/ord*", true}, // a partial wildcard is literal
		{"/queue/ord*", "/queue/orders", false},
		{"/queue/a#", "/queue/a#", true},
		{"/queue/a#", "/queue/a/b", false},
	} {
		var mx handlers.Mux
		if err := mx.Handle(tc.pattern, ok); err != nil {
			t.Fatalf("Handle(%q): %v", tc.pattern, err)
		}
		_, _, got := mx.Lookup(tc.dest)
		if got != tc.want {
			t.Errorf("%q matches %q: %v, want %v", tc.pattern, tc.dest, got, tc.want)
		}
	}
}

// precedence lists patterns from the most specific to the least, as Mux
// must order them.
var precedence = []string{
	"/queue/a/b", // exact beats everything
	"/queue/a/*", // one wildcard, four segments; literal "a" at the first difference
	"/queue/a/#", // "*" beats "#" at the first difference
	"/queue/*/b", // "*" at index 2 loses to the literal "a" there
	"/queue/#",   // fewer segments
	"#",          // fewest
	"/queue/*/*", // two wildcards lose to any one
	"/queue/*/#",
}

func TestMuxPrecedence(t *testing.T) {
	orders := [][]string{precedence, slices.Clone(precedence), slices.Clone(precedence)}
	slices.Reverse(orders[1])
	orders[2] = append(orders[2][3:], orders[2][:3]...)
	for _, regs := range orders {
		var mx handlers.Mux
		for _, p := range regs {
			if err := mx.Handle(p, ok); err != nil {
				t.Fatal(err)
			}
		}
		if got := mx.Patterns(); !slices.Equal(got, precedence) {
			t.Errorf("registered %v: Patterns() = %v, want %v", regs, got, precedence)
		}
		for _, tc := range []struct{ dest, want string }{
			{"/queue/a/b", "/queue/a/b"},
			{"/queue/a/c", "/queue/a/*"},
			{"/queue/x/b", "/queue/*/b"},
			{"/queue/a/b/c", "/queue/a/#"},
			{"/queue/a", "/queue/a/#"},
			{"/queue/x/y/z", "/queue/#"}, // one wildcard beats two, though shorter
			{"/queue", "/queue/#"},
			{"/topic/t", "#"},
		} {
			if _, got, _ := mx.Lookup(tc.dest); got != tc.want {
				t.Errorf("registered %v: %q routed by %q, want %q", regs, tc.dest, got, tc.want)
			}
		}
	}
}

// named returns a handler that reports its name in the error.
func named(name string) handlers.Handler {
	return handlers.HandlerFunc(func(context.Context, *handlers.Message) error { return errors.New(name) })
}

func TestMuxRoutes(t *testing.T) {
	mx := handlers.NewMux()
	for _, r := range []struct{ p, name string }{{"/queue/orders", "exact"}, {"/queue/#", "wild"}} {
		if err := mx.Handle(r.p, named(r.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := mx.HandleFunc("/topic/*", func(context.Context, *handlers.Message) error { return errors.New("func") }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dest, want string }{
		{"/queue/orders", "exact"}, {"/queue/other", "wild"}, {"/topic/x", "func"},
	} {
		if err := mx.HandleMessage(context.Background(), newMessage(tc.dest, "1")); err == nil || err.Error() != tc.want {
			t.Errorf("%q went to %v, want %q", tc.dest, err, tc.want)
		}
	}
}

func TestMuxNotFound(t *testing.T) {
	mx := handlers.NewMux()
	err := mx.HandleMessage(context.Background(), newMessage("/queue/nowhere", "1"))
	var nr *handlers.NoRouteError
	if !errors.Is(err, handlers.ErrNoRoute) || !errors.As(err, &nr) || nr.Destination != "/queue/nowhere" || !handlers.IsPermanent(err) {
		t.Errorf("err = %v, want a permanent NoRouteError for /queue/nowhere", err)
	}
	mx.NotFound(named("fallback"))
	if err := mx.HandleMessage(context.Background(), newMessage("/queue/nowhere", "1")); err == nil || err.Error() != "fallback" {
		t.Errorf("err = %v, want the NotFound handler's", err)
	}
	if err := mx.Handle("/queue/x", ok); err != nil {
		t.Fatal(err)
	}
	if err := mx.HandleMessage(context.Background(), newMessage("/queue/nowhere", "1")); err == nil || err.Error() != "fallback" {
		t.Errorf("Handle dropped the NotFound handler: %v", err)
	}
	mx.NotFound(nil)
	if err := mx.HandleMessage(context.Background(), newMessage("/queue/nowhere", "1")); !errors.Is(err, handlers.ErrNoRoute) {
		t.Errorf("NotFound(nil) did not restore the default: %v", err)
	}
}

func TestMuxHandleErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		first   string
		pattern string
		h       handlers.Handler
		want    error
	}{
		{"empty", "", "", ok, handlers.ErrInvalidPattern},
		{"# not last", "", "/queue/#/x", ok, handlers.ErrInvalidPattern},
		{"> not last", "", ">.x", ok, handlers.ErrInvalidPattern},
		{"nil handler", "", "/queue/a", nil, handlers.ErrInvalidPattern},
		{"duplicate exact", "/queue/a", "/queue/a", ok, handlers.ErrDuplicatePattern},
		{"duplicate wildcard", "/queue/*.x", "/queue/*.x", ok, handlers.ErrDuplicatePattern},
		{"# and > are the same", "/queue/#", "/queue/>", ok, handlers.ErrDuplicatePattern},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mx handlers.Mux
			if tc.first != "" {
				if err := mx.Handle(tc.first, ok); err != nil {
					t.Fatal(err)
				}
			}
			before := mx.Patterns()
			if err := mx.Handle(tc.pattern, tc.h); !errors.Is(err, tc.want) {
				t.Errorf("Handle(%q) = %v, want %v", tc.pattern, err, tc.want)
			}
			if got := mx.Patterns(); !slices.Equal(got, before) {
				t.Errorf("a failed Handle changed the Mux: %v, was %v", got, before)
			}
		})
	}
	var mx handlers.Mux
	if err := mx.HandleFunc("/q", nil); !errors.Is(err, handlers.ErrInvalidPattern) {
		t.Errorf("HandleFunc with nil = %v", err)
	}
	if err := mx.Handle("/q", handlers.HandlerFunc(nil)); !errors.Is(err, handlers.ErrInvalidPattern) {
		t.Errorf("Handle with a nil HandlerFunc = %v", err)
	}
}

// Routing and registering at once: every message finds a handler that was
// registered for it, and the race detector sees no race.
func TestMuxConcurrentHandleAndRoute(t *testing.T) {
	mx := handlers.NewMux()
	if err := mx.Handle("#", ok); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			if err := mx.Handle(fmt.Sprintf("/queue/%d/*", i), ok); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				dest := fmt.Sprintf("/queue/%d/x", (i*7+w)%200)
				if err := mx.HandleMessage(context.Background(), newMessage(dest, "1")); err != nil {
					t.Errorf("%s: %v", dest, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := len(mx.Patterns()); n != 201 {
		t.Errorf("%d patterns, want 201", n)
	}
}

// benchMux is a Mux with the kind of routing table a service has: for each
// of n applications an exact queue and two wildcard patterns.
func benchMux(b *testing.B, n int) *handlers.Mux {
	mx := handlers.NewMux()
	for i := range n {
		for _, p := range []string{"/queue/app%d.in", "/topic/app%d.*", "/queue/app%d/#"} {
			if err := mx.Handle(fmt.Sprintf(p, i), ok); err != nil {
				b.Fatal(err)
			}
		}
	}
	return mx
}

func BenchmarkMuxRouting(b *testing.B) {
	ctx := context.Background()
	for _, apps := range []int{20, 1000} {
		mx := benchMux(b, apps)
		mx.NotFound(ok)
		for _, bc := range []struct{ name, dest string }{
			{"exact", "/queue/app7.in"},
			{"star", "/topic/app19.created"},
			{"hash", "/queue/app12/eu/fr.paris"},
			{"none", "/topic/unknown"},
		} {
			msg := newMessage(bc.dest, "1")
			b.Run(fmt.Sprintf("%s/%d-patterns", bc.name, 3*apps), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := mx.HandleMessage(ctx, msg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkMuxRoutingParallel(b *testing.B) {
	mx := benchMux(b, 20)
	msg := newMessage("/topic/app19.created", "1")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = mx.HandleMessage(ctx, msg)
		}
	})
}

// The chain of the package example, minus logging: recover, count,
// acknowledge, route.
func BenchmarkChain(b *testing.B) {
	mx := benchMux(b, 20)
	metrics := handlers.NewMetrics()
	h := handlers.Apply(mx, handlers.AckOnSuccess(), handlers.Recover(), metrics.Middleware())
	msg := newMessage("/topic/app3.created", "1")
	msg.AckMode, msg.Acker = "client-individual", nopAcker{}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.HandleMessage(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

type nopAcker struct{}

func (nopAcker) Ack(context.Context, *handlers.Message) error  { return nil }
func (nopAcker) Nack(context.Context, *handlers.Message) error { return nil }
