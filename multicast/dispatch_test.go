package multicast_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

// tag is a middleware that records its name on the way in.
func tag(name string, mu *sync.Mutex, trail *[]string) handlers.Middleware {
	return func(next handlers.Handler) handlers.Handler {
		return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
			mu.Lock()
			*trail = append(*trail, name)
			mu.Unlock()
			return next.HandleMessage(ctx, m)
		})
	}
}

// Connection-wide middleware is outermost (first added first), then the
// subscription's, then the handler; Use applies to existing subscriptions
// too. A handler's error reaches the error listeners.
func TestMiddlewareAndHandlerErrors(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	c := member(t, g, p, multicast.WithListener("rec", rec))
	var mu sync.Mutex
	var trail []string
	boom := errors.New("boom")
	done := make(chan struct{}, 1)
	h := handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
		mu.Lock()
		trail = append(trail, "handler")
		mu.Unlock()
		done <- struct{}{}
		return boom
	})
	if _, err := c.Subscribe(ctxT(t), "/queue/mw", h, multicast.WithMiddleware(tag("sub1", &mu, &trail), tag("sub2", &mu, &trail))); err != nil {
		t.Fatal(err)
	}
	c.Use(tag("conn1", &mu, &trail))
	c.Use(tag("conn2", &mu, &trail))
	send(t, c, "/queue/mw", "x")
	recv(t, done)
	mu.Lock()
	got := slices.Clone(trail)
	mu.Unlock()
	if want := []string{"conn1", "conn2", "sub1", "sub2", "handler"}; !slices.Equal(got, want) {
		t.Errorf("trail %q, want %q", got, want)
	}
	eventually(t, "the handler error", func() bool { return len(rec.errors()) == 1 })
	if err := rec.errors()[0]; !errors.Is(err, multicast.ErrHandlerFailed) || !errors.Is(err, boom) {
		t.Errorf("reported %v", err)
	}
}

// A full dispatch queue drops messages, counts them and reports them once
// there is room; the reader never waits for a slow handler.
func TestQueueFullDropsAreReported(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	sender := member(t, g, p)
	slow := member(t, g, p, multicast.WithQueueSize(2), multicast.WithListener("rec", rec))
	entered, release := make(chan struct{}, 1), make(chan struct{})
	var handled sync.WaitGroup
	handled.Add(1)
	first := true
	h := handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
		if first { // only the dispatcher runs this
			first = false
			entered <- struct{}{}
			<-release
			handled.Done()
		}
		return nil
	})
	if _, err := slow.Subscribe(ctxT(t), "/queue/slow", h); err != nil {
		t.Fatal(err)
	}
	// With a queue of 2, the connecting and connected events fill it until
	// the dispatcher has run them.
	eventually(t, "OnConnected", func() bool { return rec.has("connected") })
	send(t, sender, "/queue/slow", "blocks the dispatcher")
	recv(t, entered)
	const burst = 10
	for range burst {
		send(t, sender, "/queue/slow", "x")
	}
	eventually(t, "drops", func() bool { return slow.Stats().Received == burst+1 })
	s := slow.Stats()
	if s.Dropped != burst-2 {
		t.Errorf("dropped %d, want %d (the queue holds 2)", s.Dropped, burst-2)
	}
	close(release)
	handled.Wait()
	eventually(t, "the drop report", func() bool { return len(rec.errors()) > 0 })
	if err := rec.errors()[0]; !errors.Is(err, multicast.ErrQueueFull) {
		t.Errorf("reported %v, want ErrQueueFull", err)
	}
	eventually(t, "the queued messages", func() bool { return slow.Stats().Delivered == 3 })
}

// Disconnect with a handler's context fails instead of waiting for itself;
// the handler's context ends when the connection closes.
func TestDisconnectFromHandler(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	c, err := multicast.Dial(ctxT(t), loopOpts(g, p)...)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	ctxs := make(chan context.Context, 1)
	h := handlers.HandlerFunc(func(ctx context.Context, _ *handlers.Message) error {
		got <- c.Disconnect(ctx)
		ctxs <- ctx
		return nil
	})
	if _, err := c.Subscribe(ctxT(t), "/queue/d", h); err != nil {
		t.Fatal(err)
	}
	send(t, c, "/queue/d", "x")
	if err := recv(t, got); !errors.Is(err, multicast.ErrCalledFromHandler) {
		t.Errorf("Disconnect from a handler: %v", err)
	}
	hctx := recv(t, ctxs)
	if hctx.Err() != nil {
		t.Error("handler context ended before Close")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if hctx.Err() == nil {
		t.Error("handler context still alive after Close")
	}
}

// Disconnect whose context ends while a handler is stuck stops waiting:
// the group is left, OnDisconnected gets the context's error, and Close
// waits for the handler to return.
func TestDisconnectTimeout(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	c, err := multicast.Dial(ctxT(t), append(loopOpts(g, p), multicast.WithListener("rec", rec))...)
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	h := handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
		close(entered)
		<-release
		return nil
	})
	if _, err := c.Subscribe(ctxT(t), "/queue/stuck", h); err != nil {
		t.Fatal(err)
	}
	send(t, c, "/queue/stuck", "x")
	recv(t, entered)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Disconnect(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Disconnect: %v, want context.Canceled", err)
	}
	if c.Status() != multicast.StatusClosed {
		t.Errorf("status %v", c.Status())
	}
	close(release)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	events := rec.snapshot()
	if n := len(events); n < 2 || events[n-2] != "disconnected context canceled" || events[n-1] != "closed" {
		t.Errorf("events %q", events)
	}
}
