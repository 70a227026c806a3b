// Command websocket shows STOMP over WebSocket: the same client API, with a
// ws:// (or wss://) address. The WebSocket connection runs on the same
// event loops as TCP ones; the STOMP version is negotiated through the
// WebSocket subprotocol (v12.stomp, v11.stomp, v10.stomp) and CONNECT.
// Messages are read here from a channel-style subscription (Subscribe with
// a nil handler).
//
//	go run ./examples/websocket                      # the embedded broker's WebSocket listener
//	go run ./examples/websocket -url ws://localhost:15674/ws -login guest -passcode guest -vhost /   # RabbitMQ Web-STOMP
//	go run ./examples/websocket -url ws://localhost:61614/ -login admin -passcode admin              # ActiveMQ's ws connector
//
// It prints, for -count 10:
//
//	broker: embedded broker at ws://127.0.0.1:40123/ws
//	connected over WebSocket, STOMP 1.2
//	sent 10 messages to /queue/stampede.websocket
//	received 10/10 in order
//
// and exits 0; 1 when messages are missing when -timeout passes, 2 on bad
// flags.
//
// Frames travel in WebSocket text messages, or binary ones for bodies
// that are not UTF-8; -binary sends every frame in a binary message, as
// some browsers' STOMP clients expect. A wss:// address takes the TLS
// options of the tls example.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/examples/internal/target"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker  *target.Flags
	queue   string
	count   int
	binary  bool
	timeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("websocket", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.queue, "queue", "/queue/stampede.websocket", "queue to send to and receive from")
	fs.IntVar(&s.count, "count", 10, "messages to send")
	fs.BoolVar(&s.binary, "binary", false, "send every frame in a binary WebSocket message")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.count < 1 || s.timeout <= 0 || s.queue == "" {
		err := errors.New("-count must be at least 1, -timeout positive, -queue set")
		fmt.Fprintln(stderr, err)
		return s, err
	}
	return s, nil
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := roundTrip(ctx, s, stdout); err != nil {
		fmt.Fprintln(stderr, "websocket:", err)
		return 1
	}
	return 0
}

func roundTrip(ctx context.Context, s settings, stdout io.Writer) error {
	t, err := s.broker.Open("ws")
	if err != nil {
		return err
	}
	defer t.Close()
	fmt.Fprintf(stdout, "broker: %s\n", t)
	eng, err := stampede.NewEngine()
	if err != nil {
		return err
	}
	defer eng.Close()

	opts := append(s.broker.Options(), stampede.WithEngine(eng))
	if s.binary {
		opts = append(opts, stampede.WithWebSocketBinary())
	}
	conn, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer conn.Disconnect(context.Background())
	transport := "TCP"
	if strings.HasPrefix(conn.Address(), "ws") {
		transport = "WebSocket"
	}
	fmt.Fprintf(stdout, "connected over %s, STOMP %s\n", transport, conn.Version())

	// A nil handler makes a channel-style subscription: messages arrive on
	// sub.C(), which is closed when the subscription or connection ends.
	sub, err := conn.Subscribe(ctx, s.queue, nil, stampede.WithSubscribeReceipt())
	if err != nil {
		return err
	}
	for i := 1; i <= s.count; i++ {
		if err := conn.Send(ctx, s.queue, []byte(strconv.Itoa(i)), stampede.WithContentType("text/plain")); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "sent %d messages to %s\n", s.count, s.queue)

	received, inOrder := 0, true
	for received < s.count {
		select {
		case m, ok := <-sub.C():
			if !ok {
				return fmt.Errorf("subscription ended: %v", conn.Err())
			}
			received++
			inOrder = inOrder && string(m.Body()) == strconv.Itoa(received)
		case <-ctx.Done():
			fmt.Fprintf(stdout, "received %d/%d\n", received, s.count)
			return ctx.Err()
		}
	}
	if !inOrder {
		fmt.Fprintf(stdout, "received %d/%d OUT OF ORDER\n", received, s.count)
		return errors.New("messages out of order")
	}
	fmt.Fprintf(stdout, "received %d/%d in order\n", received, s.count)
	return nil
}
