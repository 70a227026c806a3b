package stampede_test

import (
	"context"
	"fmt"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/reconnect"
)

// startBroker starts the embedded broker on a free loopback port, as a
// peer for the examples; against a real broker, dial its address instead.
func startBroker() (*broker.Broker, func()) {
	b, err := broker.Start(broker.WithListen("127.0.0.1:0"))
	if err != nil {
		panic(err)
	}
	return b, func() { _ = b.Shutdown(context.Background()) }
}

// Dial, subscribe with a handler, send. The handler runs on the
// connection's executor, not on the goroutine that dialed.
func Example() {
	b, stop := startBroker()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, err := stampede.Dial(ctx, b.URL(), stampede.WithLogin("guest", "guest"))
	if err != nil {
		panic(err)
	}
	defer conn.Disconnect(context.Background())
	fmt.Println("connected, STOMP", conn.Version())

	done := make(chan struct{})
	h := stampede.HandlerFunc(func(_ context.Context, m *stampede.Message) error {
		fmt.Printf("%s: %s\n", m.Destination(), m.Body())
		close(done)
		return nil
	})
	// The receipt says the broker has the subscription before we send.
	if _, err := conn.Subscribe(ctx, "/queue/orders", h, stampede.WithSubscribeReceipt()); err != nil {
		panic(err)
	}
	if err := conn.Send(ctx, "/queue/orders", []byte("3 x widget"), stampede.WithContentType("text/plain")); err != nil {
		panic(err)
	}
	<-done
	// Output:
	// connected, STOMP 1.2
	// /queue/orders: 3 x widget
}

// A subscription without a handler delivers to a channel, which closes
// when the subscription or the connection ends.
func ExampleSubscription_C() {
	b, stop := startBroker()
	defer stop()
	ctx := context.Background()
	conn, err := stampede.Dial(ctx, b.URL())
	if err != nil {
		panic(err)
	}
	defer conn.Disconnect(ctx)

	sub, err := conn.Subscribe(ctx, "/queue/work", nil, stampede.WithSubscribeReceipt(), stampede.WithChannelSize(16))
	if err != nil {
		panic(err)
	}
	for _, job := range []string{"wash", "dry", "fold"} {
		if err := conn.Send(ctx, "/queue/work", []byte(job)); err != nil {
			panic(err)
		}
	}
	for range 3 {
		m := <-sub.C()
		fmt.Println(string(m.Body()))
	}
	if err := sub.Unsubscribe(ctx); err != nil {
		panic(err)
	}
	_, open := <-sub.C()
	fmt.Println("channel open after Unsubscribe:", open)
	// Output:
	// wash
	// dry
	// fold
	// channel open after Unsubscribe: false
}

// Frames sent in a transaction are delivered when it commits, and never
// when it aborts. A message sent outside the transaction overtakes them.
func ExampleConn_Begin() {
	b, stop := startBroker()
	defer stop()
	ctx := context.Background()
	conn, err := stampede.Dial(ctx, b.URL())
	if err != nil {
		panic(err)
	}
	defer conn.Disconnect(ctx)
	sub, err := conn.Subscribe(ctx, "/queue/ledger", nil, stampede.WithSubscribeReceipt())
	if err != nil {
		panic(err)
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		panic(err)
	}
	_ = tx.Send(ctx, "/queue/ledger", []byte("debit 10"))
	_ = tx.Send(ctx, "/queue/ledger", []byte("credit 10"))
	_ = conn.Send(ctx, "/queue/ledger", []byte("outside the transaction"))
	fmt.Println(string((<-sub.C()).Body()))
	if err := tx.Commit(ctx, true); err != nil { // true: wait for the receipt
		panic(err)
	}
	fmt.Println(string((<-sub.C()).Body()))
	fmt.Println(string((<-sub.C()).Body()))

	tx, _ = conn.Begin(ctx)
	_ = tx.Send(ctx, "/queue/ledger", []byte("never delivered"))
	_ = tx.Abort(ctx, true)
	fmt.Println("after Commit:", tx.Commit(ctx))
	// Output:
	// outside the transaction
	// debit 10
	// credit 10
	// after Commit: stampede: transaction already finished
}

// events is a listener: it embeds handlers.Base and implements only the
// events it wants. Its methods run on the connection's executor, one at a
// time, in order.
type events struct {
	handlers.Base
	closed chan struct{}
}

func (e *events) OnConnected(f *codec.Frame) {
	fmt.Println("connected, version", f.Header.Get(codec.HdrVersion))
}

func (e *events) OnMessage(m *handlers.Message) { fmt.Printf("message: %s\n", m.Body()) }

func (e *events) OnDisconnected(cause error) { fmt.Println("disconnected, cause:", cause) }

func (e *events) OnClosed() {
	fmt.Println("closed")
	close(e.closed)
}

// A listener given with WithListener sees the connection from its first
// event to its last (stomp.py's set_listener before connect).
func ExampleWithListener() {
	b, stop := startBroker()
	defer stop()
	ctx := context.Background()
	l := &events{closed: make(chan struct{})}
	conn, err := stampede.Dial(ctx, b.URL(), stampede.WithListener("events", l))
	if err != nil {
		panic(err)
	}
	if _, err := conn.Subscribe(ctx, "/topic/news", stampede.HandlerFunc(func(context.Context, *stampede.Message) error { return nil }), stampede.WithSubscribeReceipt()); err != nil {
		panic(err)
	}
	if err := conn.Send(ctx, "/topic/news", []byte("extra, extra"), stampede.WithReceipt()); err != nil {
		panic(err)
	}
	if err := conn.Disconnect(ctx); err != nil {
		panic(err)
	}
	<-l.closed // the last event
	// Output:
	// connected, version 1.2
	// message: extra, extra
	// disconnected, cause: <nil>
	// closed
}

// Connection-wide middleware wraps every subscription's handler; the first
// given is the outermost. Here a middleware of one's own around the
// shipped Recover, which turns a panic into an error.
func ExampleConn_Use() {
	b, stop := startBroker()
	defer stop()
	ctx := context.Background()
	conn, err := stampede.Dial(ctx, b.URL(), stampede.WithErrorHandler(func(m *stampede.Message, err error) {}))
	if err != nil {
		panic(err)
	}
	defer conn.Disconnect(ctx)

	done := make(chan struct{})
	report := func(next stampede.Handler) stampede.Handler {
		return stampede.HandlerFunc(func(ctx context.Context, m *stampede.Message) error {
			err := next.HandleMessage(ctx, m)
			fmt.Printf("%s -> %v\n", m.Body(), err)
			if string(m.Body()) == "last" {
				close(done)
			}
			return err
		})
	}
	conn.Use(report, handlers.Recover())

	h := stampede.HandlerFunc(func(_ context.Context, m *stampede.Message) error {
		if string(m.Body()) == "boom" {
			panic("out of widgets")
		}
		return nil
	})
	if _, err := conn.Subscribe(ctx, "/queue/mw", h, stampede.WithSubscribeReceipt()); err != nil {
		panic(err)
	}
	for _, body := range []string{"fine", "boom", "last"} {
		_ = conn.Send(ctx, "/queue/mw", []byte(body))
	}
	<-done
	// Output:
	// fine -> <nil>
	// boom -> handlers: handler panicked: out of widgets
	// last -> <nil>
}

// reconnections reports the connection's drops and reconnections.
type reconnections struct {
	handlers.Base
	up chan struct{}
}

func (r *reconnections) OnDisconnected(cause error) {
	if cause != nil { // nil: a Disconnect, not a drop
		fmt.Println("dropped")
	}
}

func (r *reconnections) OnReconnected(*codec.Frame) {
	fmt.Println("reconnected")
	r.up <- struct{}{}
}

// With automatic reconnection a connection survives the loss of its
// transport: it dials again per the policy, re-subscribes, and sends wait
// meanwhile. reconnect.DefaultBackoff is stomp.py's policy: 0.1 s, growing
// by half each round, 10% jitter, three rounds.
func ExampleWithReconnect() {
	policy := reconnect.DefaultBackoff()
	policy.Jitter = 0 // for a deterministic printout
	for round := 1; round <= 4; round++ {
		d, ok := policy.Next(round)
		fmt.Printf("round %d: wait %v, retry %v\n", round, d, ok)
	}

	b, stop := startBroker()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := &reconnections{up: make(chan struct{}, 1)}
	conn, err := stampede.Dial(ctx, b.URL(),
		stampede.WithReconnect(reconnect.DefaultBackoff()),
		stampede.WithListener("reconnections", r))
	if err != nil {
		panic(err)
	}
	defer conn.Disconnect(context.Background())
	sub, err := conn.Subscribe(ctx, "/queue/survivor", nil, stampede.WithSubscribeReceipt())
	if err != nil {
		panic(err)
	}

	_ = b.Faults().All().Drop(false) // the broker drops every connection
	<-r.up
	// The subscription was made again, with its id, before sends resumed.
	if err := conn.Send(ctx, "/queue/survivor", []byte("after the drop")); err != nil {
		panic(err)
	}
	fmt.Printf("%s on %s\n", (<-sub.C()).Body(), sub.ID())
	// Output:
	// round 1: wait 100ms, retry true
	// round 2: wait 150ms, retry true
	// round 3: wait 225ms, retry true
	// round 4: wait 0s, retry false
	// dropped
	// reconnected
	// after the drop on sub-1
}
