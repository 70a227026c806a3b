package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// printAcker stands in for a connection: it prints what it acknowledges.
type printAcker struct{}

func (printAcker) Ack(_ context.Context, m *handlers.Message) error {
	fmt.Println("ACK", m.ID())
	return nil
}

func (printAcker) Nack(_ context.Context, m *handlers.Message) error {
	fmt.Println("NACK", m.ID())
	return nil
}

// A subscription's handler: a Mux routes by destination, and middleware
// around it logs every message, acknowledges it when it was handled and
// rejects it when it failed, a panic included.
func Example() {
	// A logger without the time and duration, so that the output is the
	// same on every run.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))

	mux := handlers.NewMux()
	_ = mux.HandleFunc("/queue/orders.*", func(_ context.Context, m *handlers.Message) error {
		fmt.Printf("order %s: %s\n", m.ID(), m.Body())
		return nil
	})
	_ = mux.HandleFunc("/queue/audit/#", func(context.Context, *handlers.Message) error {
		panic("audit store is down")
	})

	// Log sees the final outcome, AckOnSuccess acks or nacks it, Recover
	// turns a panic into an error that AckOnSuccess can nack.
	h := handlers.Apply(mux, handlers.Log(logger), handlers.AckOnSuccess(), handlers.Recover())

	for i, dest := range []string{"/queue/orders.eu", "/queue/audit/eu", "/queue/unknown"} {
		f := codec.New(codec.Message, "destination", dest, "message-id", fmt.Sprint("m-", i+1))
		f.Body = []byte("3 x widget")
		m := &handlers.Message{Frame: f, Subscription: "sub-0", AckMode: "client-individual", Acker: printAcker{}}
		_ = h.HandleMessage(context.Background(), m)
	}
	// Output:
	// order m-1: 3 x widget
	// ACK m-1
	// level=INFO msg="stomp message handled" destination=/queue/orders.eu message-id=m-1 subscription=sub-0
	// NACK m-2
	// level=ERROR msg="stomp message handling failed" destination=/queue/audit/eu message-id=m-2 subscription=sub-0 error="handlers: handler panicked: audit store is down"
	// NACK m-3
	// level=ERROR msg="stomp message handling failed" destination=/queue/unknown message-id=m-3 subscription=sub-0 error="handlers: no route for destination \"/queue/unknown\""
}

// Patterns split destinations at '/' and '.'; "*" is one segment, "#" (or
// ">") any number of trailing segments; the most specific pattern wins.
func ExampleMux() {
	nop := handlers.HandlerFunc(func(context.Context, *handlers.Message) error { return nil })
	mux := handlers.NewMux()
	for _, p := range []string{"/topic/orders.created", "/topic/orders.*", "/topic/#", "/queue/eu/>"} {
		if err := mux.Handle(p, nop); err != nil {
			fmt.Println(err)
		}
	}
	// ">" is another spelling of "#".
	fmt.Println(mux.Handle("/topic/>", nop))

	for _, dest := range []string{
		"/topic/orders.created",
		"/topic/orders.deleted",
		"/topic/orders.eu.created",
		"/queue/eu",
		"/queue/eu/fr.paris",
		"/queue/us",
	} {
		if _, pattern, ok := mux.Lookup(dest); ok {
			fmt.Printf("%-24s -> %s\n", dest, pattern)
		} else {
			fmt.Printf("%-24s -> no route\n", dest)
		}
	}
	// Output:
	// handlers: destination pattern already registered: "/topic/>" (as "/topic/#")
	// /topic/orders.created    -> /topic/orders.created
	// /topic/orders.deleted    -> /topic/orders.*
	// /topic/orders.eu.created -> /topic/#
	// /queue/eu                -> /queue/eu/#
	// /queue/eu/fr.paris       -> /queue/eu/#
	// /queue/us                -> no route
}

// Stats prints like stomp.py's StatsListener.
func ExampleStats() {
	stats := handlers.NewStats()
	stats.OnConnected(codec.New(codec.Connected, "version", "1.2"))
	for range 4 {
		stats.OnSend(codec.New(codec.Send, "destination", "/queue/a"))
	}
	stats.OnSend(codec.New(codec.Disconnect, "receipt", "bye"))
	stats.OnReceipt(codec.New(codec.Receipt, "receipt-id", "bye"))
	stats.OnDisconnected(nil)
	fmt.Println(stats)
	// Output:
	// Connections: 1
	// Disconnects: 1
	// Messages sent: 4
	// Messages received: 0
	// Heartbeats received: 0
	// Errors: 0
	// Heartbeat timeouts: 0
	// Receipts: 1
	// Reconnections: 0
}

// Printing shows each event on one line, prefixed by its direction, with
// the passcode masked.
func ExamplePrinting() {
	p := handlers.NewPrinting(os.Stdout)
	p.OnConnecting("localhost:61613")
	p.OnSend(codec.New(codec.Connect, "accept-version", "1.2", "login", "guest", "passcode", "guest"))
	p.OnConnected(codec.New(codec.Connected, "version", "1.2"))
	m := codec.New(codec.Message, "destination", "/queue/a", "message-id", "7", "subscription", "0")
	m.Body = []byte("hello")
	p.OnMessage(&handlers.Message{Frame: m})
	p.OnDisconnected(nil)
	// Output:
	// >>> on_connecting localhost:61613
	// >>> on_send CONNECT {accept-version:1.2, login:guest, passcode:********}
	// <<< on_connected CONNECTED {version:1.2}
	// <<< on_message MESSAGE {destination:/queue/a, message-id:7, subscription:0} hello
	// <<< on_disconnected
}
