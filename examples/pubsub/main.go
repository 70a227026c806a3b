// Command pubsub shows publish/subscribe: several subscribers, each on its
// own connection, subscribe to one topic; a publisher sends messages to it,
// and every subscriber receives every message, in the order sent.
//
//	go run ./examples/pubsub                        # the embedded broker
//	go run ./examples/pubsub -count 1000 -subscribers 5
//	go run ./examples/pubsub -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # RabbitMQ
//	go run ./examples/pubsub -url tcp://localhost:61613 -login admin -passcode admin            # ActiveMQ
//
// It prints, for -count 100 and -subscribers 3:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	published 100 messages to /topic/stampede.pubsub
//	subscriber 1 received 100/100 in order
//	subscriber 2 received 100/100 in order
//	subscriber 3 received 100/100 in order
//
// and exits 0; it exits 1 when a subscriber misses a message or receives
// one out of order before -timeout, and 2 on bad flags.
//
// Subscribe waits for the broker's receipt (WithSubscribeReceipt) before
// anything is published: a topic keeps nothing for subscribers that are not
// there yet, so without the receipt the first messages could be lost. The
// last message is sent with a receipt too, so the publisher knows that the
// broker has them all.
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
	"sync"
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
	broker             *target.Flags
	dest               string
	count, subscribers int
	timeout            time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("pubsub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.dest, "dest", "/topic/stampede.pubsub", "topic to publish to")
	fs.IntVar(&s.count, "count", 100, "messages to publish")
	fs.IntVar(&s.subscribers, "subscribers", 3, "subscribers, one connection each")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.count < 1 || s.subscribers < 1 || s.timeout <= 0 || s.dest == "" {
		err := errors.New("-count and -subscribers must be at least 1, -timeout positive, -dest set")
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
	if err := pubsub(ctx, s, stdout); err != nil {
		fmt.Fprintln(stderr, "pubsub:", err)
		return 1
	}
	return 0
}

// subscriber counts what one subscription receives. Its handler runs on the
// connection's executor, one message at a time; report reads it from the
// main goroutine once done is closed or time is up, hence the mutex.
type subscriber struct {
	want int
	done chan struct{}

	mu       sync.Mutex
	received int
	inOrder  bool
}

func (s *subscriber) handle(_ context.Context, m *stampede.Message) error {
	seq, err := strconv.Atoi(m.Header("seq"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received++
	if err != nil || seq != s.received {
		s.inOrder = false
	}
	if s.received == s.want {
		close(s.done)
	}
	return nil
}

func pubsub(ctx context.Context, s settings, stdout io.Writer) error {
	t, err := s.broker.Open("tcp")
	if err != nil {
		return err
	}
	defer t.Close()
	fmt.Fprintf(stdout, "broker: %s\n", t)

	// One engine drives every connection of the program; closing it stops
	// its event loops and executor.
	eng, err := stampede.NewEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	opts := append(s.broker.Options(), stampede.WithEngine(eng))

	subs := make([]*subscriber, s.subscribers)
	for i := range subs {
		sub := &subscriber{want: s.count, done: make(chan struct{}), inOrder: true}
		subs[i] = sub
		c, err := stampede.Dial(ctx, t.URL, opts...)
		if err != nil {
			return err
		}
		defer c.Disconnect(context.Background())
		if _, err := c.Subscribe(ctx, s.dest, stampede.HandlerFunc(sub.handle), stampede.WithSubscribeReceipt()); err != nil {
			return err
		}
	}

	pub, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer pub.Disconnect(context.Background())
	for i := 1; i <= s.count; i++ {
		sendOpts := []stampede.SendOption{stampede.WithContentType("text/plain"), stampede.WithHeader("seq", strconv.Itoa(i))}
		if i == s.count {
			sendOpts = append(sendOpts, stampede.WithReceipt())
		}
		if err := pub.Send(ctx, s.dest, fmt.Appendf(nil, "message %d", i), sendOpts...); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "published %d messages to %s\n", s.count, s.dest)

	failed := false
	for i, sub := range subs {
		select {
		case <-sub.done:
		case <-ctx.Done():
		}
		sub.mu.Lock()
		order := "in order"
		if !sub.inOrder {
			order = "OUT OF ORDER"
		}
		fmt.Fprintf(stdout, "subscriber %d received %d/%d %s\n", i+1, sub.received, s.count, order)
		failed = failed || sub.received != s.count || !sub.inOrder
		sub.mu.Unlock()
	}
	if failed {
		return errors.New("a subscriber missed messages or got them out of order")
	}
	return nil
}
