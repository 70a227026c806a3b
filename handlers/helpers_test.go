package handlers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// newMessage returns a message for dest with message-id id and the extra
// headers kv (alternating names and values).
func newMessage(dest, id string, kv ...string) *handlers.Message {
	f := codec.New(codec.Message, append([]string{codec.HdrDestination, dest, codec.HdrMessageID, id}, kv...)...)
	return &handlers.Message{Frame: f, Subscription: "sub-1"}
}

// ackCall is one call to a fakeAcker.
type ackCall struct {
	op string // "ack" or "nack"
	id string
}

// fakeAcker records acknowledgements and fails them on demand. It is safe
// for concurrent use.
type fakeAcker struct {
	mu      sync.Mutex
	calls   []ackCall
	ackErr  error
	nackErr error
}

func (a *fakeAcker) Ack(_ context.Context, m *handlers.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, ackCall{"ack", m.ID()})
	return a.ackErr
}

func (a *fakeAcker) Nack(_ context.Context, m *handlers.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, ackCall{"nack", m.ID()})
	return a.nackErr
}

func (a *fakeAcker) Calls() []ackCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]ackCall(nil), a.calls...)
}

// testContext returns a context that ends the test's waits if something
// goes wrong, long before the test binary's own timeout.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// cancelled returns a context that is already done.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// receive returns the value that ch must deliver within the test context.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-testContext(t).Done():
		t.Fatal("timed out waiting for a result")
		var zero T
		return zero
	}
}

// ok is a handler that succeeds.
var ok = handlers.HandlerFunc(func(context.Context, *handlers.Message) error { return nil })

// failWith returns a handler that fails with err.
func failWith(err error) handlers.Handler {
	return handlers.HandlerFunc(func(context.Context, *handlers.Message) error { return err })
}
