package stampede_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/internal/leaktest"
	"github.com/stampede-mq/stampede/reconnect"
)

// rpcPeer starts a broker and an engine for one test, checks for leaked
// goroutines after both are closed, and returns the broker.
func rpcPeer(t *testing.T) (*broker.Broker, *stampede.Engine) {
	t.Helper()
	opts := leaktest.Options(goleak.IgnoreCurrent())
	t.Cleanup(func() { leaktest.VerifyNone(t, opts...) })
	b, err := broker.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })
	eng, err := stampede.NewEngine(stampede.WithLoops(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	return b, eng
}

func dial(t *testing.T, b *broker.Broker, eng *stampede.Engine, opts ...stampede.Option) *stampede.Conn {
	t.Helper()
	c, err := stampede.Dial(context.Background(), b.URL(), append(opts, stampede.WithEngine(eng))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

// upper serves service on its own connection: it answers each request with
// its body in upper case, unless the body is "ignore"; it signals those on
// the channel it returns.
func upper(t *testing.T, b *broker.Broker, eng *stampede.Engine, service string) <-chan struct{} {
	t.Helper()
	c := dial(t, b, eng)
	ignored := make(chan struct{}, 16)
	h := stampede.HandlerFunc(func(ctx context.Context, m *stampede.Message) error {
		if string(m.Body()) == "ignore" {
			ignored <- struct{}{}
			return nil
		}
		return c.Reply(ctx, m, []byte(strings.ToUpper(string(m.Body()))))
	})
	if _, err := c.Subscribe(context.Background(), service, h, stampede.WithSubscribeReceipt()); err != nil {
		t.Fatal(err)
	}
	return ignored
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRequestMatchesConcurrentRepliesByCorrelationID(t *testing.T) {
	for name, opts := range map[string][]stampede.Option{
		"implicit temp-queue subscription": nil,
		"explicit subscription":            {stampede.WithReplyQueue("/temp-queue/mine", true)},
	} {
		t.Run(name, func(t *testing.T) {
			b, eng := rpcPeer(t)
			upper(t, b, eng, "/queue/upper")
			c := dial(t, b, eng, opts...)
			var wg sync.WaitGroup
			for i := range 50 {
				wg.Go(func() {
					body := fmt.Sprintf("hello %d", i)
					m, err := c.Request(ctx5s(t), "/queue/upper", []byte(body))
					if err != nil {
						t.Errorf("request %d: %v", i, err)
						return
					}
					if got, want := string(m.Body()), strings.ToUpper(body); got != want {
						t.Errorf("request %d: reply %q, want %q", i, got, want)
					}
				})
			}
			wg.Wait()
		})
	}
}

func TestRequestLeavesOtherMessagesToTheirRoutes(t *testing.T) {
	b, eng := rpcPeer(t)
	upper(t, b, eng, "/queue/upper")
	unhandled := make(chan string, 4)
	c := dial(t, b, eng, stampede.WithUnhandled(stampede.HandlerFunc(func(_ context.Context, m *stampede.Message) error {
		unhandled <- string(m.Body())
		return nil
	})))
	sub, err := c.Subscribe(ctx5s(t), "/queue/mine", nil, stampede.WithSubscribeReceipt())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(ctx5s(t), "/queue/upper", []byte("a")); err != nil {
		t.Fatal(err)
	}
	// A message on the reply queue that answers no request is unhandled.
	other := dial(t, b, eng)
	resp := dial(t, b, eng)
	h := stampede.HandlerFunc(func(ctx context.Context, m *stampede.Message) error {
		return resp.Send(ctx, m.Header("reply-to"), []byte("stray"), stampede.WithHeader(stampede.HdrCorrelationID, "nobody"))
	})
	if _, err := resp.Subscribe(ctx5s(t), "/queue/stray", h, stampede.WithSubscribeReceipt()); err != nil {
		t.Fatal(err)
	}
	_ = c.Send(ctx5s(t), "/queue/stray", nil, stampede.WithHeader("reply-to", stampede.DefaultReplyQueue))
	if got := <-unhandled; got != "stray" {
		t.Errorf("unhandled %q", got)
	}
	// A subscription's messages still go to it.
	_ = other.Send(ctx5s(t), "/queue/mine", []byte("mine"))
	if m := <-sub.C(); string(m.Body()) != "mine" {
		t.Errorf("subscription got %q", m.Body())
	}
}

func TestRequestGivesUpWithItsContext(t *testing.T) {
	b, eng := rpcPeer(t)
	upper(t, b, eng, "/queue/upper")
	c := dial(t, b, eng)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Request(ctx, "/queue/upper", []byte("ignore"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline", err)
	}
	// The connection still serves requests.
	if m, err := c.Request(ctx5s(t), "/queue/upper", []byte("b")); err != nil || string(m.Body()) != "B" {
		t.Fatalf("reply %v, err %v", m, err)
	}
}

func TestRequestFailsWhenItsReplyQueueIsLost(t *testing.T) {
	b, eng := rpcPeer(t)
	ignored := upper(t, b, eng, "/queue/upper")
	c := dial(t, b, eng, stampede.WithReconnect(reconnect.Constant{Delay: 10 * time.Millisecond, Attempts: 100}))
	errs := make(chan error, 1)
	go func() {
		_, err := c.Request(ctx5s(t), "/queue/upper", []byte("ignore"))
		errs <- err
	}()
	<-ignored // the request reached the responder: drop the requester
	if err := b.Faults().Session(c.Session()).Drop(false); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; !errors.Is(err, stampede.ErrReplyLost) {
		t.Fatalf("err %v, want ErrReplyLost", err)
	}
	// After the reconnection a new temp queue serves new requests.
	if m, err := c.Request(ctx5s(t), "/queue/upper", []byte("c")); err != nil || string(m.Body()) != "C" {
		t.Fatalf("reply %v, err %v", m, err)
	}
}

func TestRequestFailsWhenTheConnectionCloses(t *testing.T) {
	b, eng := rpcPeer(t)
	ignored := upper(t, b, eng, "/queue/upper")
	c := dial(t, b, eng)
	errs := make(chan error, 1)
	go func() {
		_, err := c.Request(ctx5s(t), "/queue/upper", []byte("ignore"))
		errs <- err
	}()
	<-ignored
	_ = c.Close()
	if err := <-errs; !errors.Is(err, stampede.ErrClosed) && !errors.Is(err, stampede.ErrReplyLost) {
		t.Fatalf("err %v, want ErrClosed or ErrReplyLost", err)
	}
}

func TestReplyNeedsReplyTo(t *testing.T) {
	b, eng := rpcPeer(t)
	c := dial(t, b, eng)
	sub, err := c.Subscribe(ctx5s(t), "/queue/q", nil, stampede.WithSubscribeReceipt())
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Send(ctx5s(t), "/queue/q", []byte("x"))
	if err := c.Reply(ctx5s(t), <-sub.C(), nil); !errors.Is(err, stampede.ErrNoReplyTo) {
		t.Fatalf("err %v", err)
	}
}

func TestWithReplyQueueRefusesAnEmptyName(t *testing.T) {
	if _, err := stampede.New("localhost", stampede.WithReplyQueue("", false)); !errors.Is(err, stampede.ErrInvalidOption) {
		t.Fatalf("err %v", err)
	}
}

// A responder answers with Reply; a requester's Request sends with
// reply-to and a correlation-id and returns the matching reply.
func ExampleConn_Request() {
	b, err := broker.Start()
	if err != nil {
		panic(err)
	}
	defer b.Shutdown(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	responder, err := stampede.Dial(ctx, b.URL())
	if err != nil {
		panic(err)
	}
	defer responder.Disconnect(context.Background())
	tell := stampede.HandlerFunc(func(ctx context.Context, m *stampede.Message) error {
		return responder.Reply(ctx, m, []byte("it is noon"))
	})
	if _, err := responder.Subscribe(ctx, "/queue/clock", tell, stampede.WithSubscribeReceipt()); err != nil {
		panic(err)
	}

	requester, err := stampede.Dial(ctx, b.URL())
	if err != nil {
		panic(err)
	}
	defer requester.Disconnect(context.Background())
	reply, err := requester.Request(ctx, "/queue/clock", []byte("what time is it?"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s (%s)\n", reply.Body(), reply.Header(stampede.HdrCorrelationID))
	// Output:
	// it is noon (stampede-1)
}
