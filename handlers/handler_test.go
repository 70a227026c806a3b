package handlers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// trace returns a middleware that appends name to *log before and
// name+"/" after the handler.
func trace(log *[]string, name string) handlers.Middleware {
	return func(next handlers.Handler) handlers.Handler {
		return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
			*log = append(*log, name)
			err := next.HandleMessage(ctx, m)
			*log = append(*log, name+"/")
			return err
		})
	}
}

func TestChainOrder(t *testing.T) {
	var log []string
	h := handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
		log = append(log, "h")
		return nil
	})
	for _, tc := range []struct {
		name string
		h    handlers.Handler
	}{
		{"Chain", handlers.Chain(trace(&log, "a"), nil, trace(&log, "b"))(h)},
		{"Apply", handlers.Apply(h, trace(&log, "a"), trace(&log, "b"), nil)},
	} {
		log = nil
		if err := tc.h.HandleMessage(context.Background(), newMessage("/q", "1")); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if want := []string{"a", "b", "h", "b/", "a/"}; !slices.Equal(log, want) {
			t.Errorf("%s: order %v, want %v", tc.name, log, want)
		}
	}
}

func TestChainEmptyReturnsHandler(t *testing.T) {
	boom := errors.New("boom")
	h := failWith(boom)
	if err := handlers.Chain()(h).HandleMessage(context.Background(), newMessage("/q", "1")); err != boom {
		t.Errorf("Chain()(h) = %v, want the handler's own error", err)
	}
}

func TestChainSendAndDial(t *testing.T) {
	var log []string
	sendHook := func(name string) handlers.SendHook {
		return func(next handlers.SendFunc) handlers.SendFunc {
			return func(ctx context.Context, f *codec.Frame) error {
				log = append(log, name)
				f.Header.Add("via", name)
				return next(ctx, f)
			}
		}
	}
	var sent *codec.Frame
	send := handlers.ChainSend(func(_ context.Context, f *codec.Frame) error {
		sent = f
		return nil
	}, sendHook("a"), nil, sendHook("b"))
	if err := send(context.Background(), codec.New(codec.Send, "destination", "/q")); err != nil {
		t.Fatal(err)
	}
	if got := sent.Header.GetAll("via"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("send hooks ran in order %v, want [a b]", got)
	}

	log = nil
	dialHook := func(name string) handlers.DialHook {
		return func(next handlers.DialFunc) handlers.DialFunc {
			return func(ctx context.Context, addr string) error {
				log = append(log, name+":"+addr)
				return next(ctx, addr)
			}
		}
	}
	refused := errors.New("refused")
	dial := handlers.ChainDial(func(context.Context, string) error { return refused }, nil, dialHook("a"), dialHook("b"))
	if err := dial(context.Background(), "h:1"); err != refused {
		t.Errorf("dial = %v, want the base error", err)
	}
	if want := []string{"a:h:1", "b:h:1"}; !slices.Equal(log, want) {
		t.Errorf("dial hooks ran %v, want %v", log, want)
	}
}

func TestBaseIsANoOpListener(t *testing.T) {
	var l handlers.Listener = handlers.Base{}
	f := codec.New(codec.Message)
	l.OnConnecting("h:1")
	l.OnConnected(f)
	l.OnDisconnecting()
	l.OnDisconnected(nil)
	l.OnHeartbeatTimeout()
	l.OnMessage(&handlers.Message{Frame: f})
	l.OnReceipt(f)
	l.OnError(f, nil)
	l.OnSend(f)
	l.OnHeartbeat()
	l.OnReconnected(f)
	l.OnClosed()
	if got := l.OnBeforeMessage(f); got != f {
		t.Errorf("OnBeforeMessage returned %p, want the frame itself %p", got, f)
	}
}
