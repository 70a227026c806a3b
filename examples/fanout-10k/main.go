// Command fanout-10k shows a fan-out client: thousands of STOMP
// connections in one process, all driven by one engine (a few event loops,
// not a goroutine per connection), each subscribed to the same topic; one
// publisher sends a few messages and every connection receives every one.
//
//	go run ./examples/fanout-10k                            # 1,000 connections, the embedded broker
//	go run ./examples/fanout-10k -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # 10,000 on RabbitMQ
//	go run ./examples/fanout-10k -url tcp://localhost:61613 -login admin -passcode admin -conns 5000 # ActiveMQ
//
//	stampede broker --listen tcp://127.0.0.1:61613 &        # the embedded broker in a process of its own
//	go run ./examples/fanout-10k -url tcp://127.0.0.1:61613  # 10,000 connections
//
// The use case is 10,000 connections, and that is the default of -conns
// with -url. Without -url the broker runs in this process too, so every
// connection costs two file descriptors, and 10,000 connections need more
// than the usual limit of the process: the default is then 1,000, and the
// first line says so. Ask for more with -conns explicitly (and a higher
// `ulimit -n`), or run `stampede broker` in another process and give its
// address with -url. A broker needs to be told too: RabbitMQ's default
// file limit and ActiveMQ's transport connector (maximumConnections=1000
// by default) must allow that many connections.
//
// It prints, for -conns 1000 and -messages 10:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	connections: 1000 (10000 with -url: the embedded broker shares this process's file descriptors)
//	connected 1000/1000, each subscribed to /topic/stampede.fanout
//	published 10 messages
//	received 10000/10000 (10 messages x 1000 connections), every connection all 10
//	disconnected 1000/1000
//
// and exits 0; 1 when a connection fails or a message is missing when
// -timeout passes, 2 on bad flags. Timings go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/examples/internal/target"
	"github.com/stampede-mq/stampede/handlers"
)

// embeddedConns is the default number of connections when the broker
// runs in this process.
const embeddedConns = 1000

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker                    *target.Flags
	topic                     string
	conns, messages, parallel int
	connsSet                  bool
	timeout                   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("fanout-10k", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.topic, "topic", "/topic/stampede.fanout", "topic every connection subscribes to")
	fs.IntVar(&s.conns, "conns", 10000, fmt.Sprintf("connections (default %d without -url)", embeddedConns))
	fs.IntVar(&s.messages, "messages", 10, "messages to publish")
	fs.IntVar(&s.parallel, "parallel", 64, "connections dialed (and disconnected) at the same time")
	fs.DurationVar(&s.timeout, "timeout", 2*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	fs.Visit(func(f *flag.Flag) { s.connsSet = s.connsSet || f.Name == "conns" })
	if s.conns < 1 || s.messages < 1 || s.parallel < 1 || s.timeout <= 0 {
		err := errors.New("-conns, -messages and -parallel must be at least 1, -timeout positive")
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
	if err := fanout(ctx, s, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "fanout-10k:", err)
		return 1
	}
	return 0
}

// forEach calls fn for 0..n-1 on at most parallel goroutines, and returns
// the first error (the others still run: every call gets its turn, so that
// what succeeded can be undone).
func forEach(n, parallel int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(parallel, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	return first
}

func fanout(ctx context.Context, s settings, stdout, stderr io.Writer) error {
	t, err := s.broker.Open("tcp")
	if err != nil {
		return err
	}
	defer t.Close()
	fmt.Fprintf(stdout, "broker: %s\n", t)
	if t.Embedded != nil && !s.connsSet {
		s.conns = embeddedConns
		fmt.Fprintf(stdout, "connections: %d (10000 with -url: the embedded broker shares this process's file descriptors)\n", s.conns)
	} else {
		fmt.Fprintf(stdout, "connections: %d\n", s.conns)
	}

	// One engine for every connection: its event loops (one per CPU) read
	// and write all the sockets, its timing wheel keeps their deadlines,
	// and its executor runs their handlers.
	eng, err := stampede.NewEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	opts := append(s.broker.Options(), stampede.WithEngine(eng))

	// Every connection counts its own messages; total counts them all.
	counts := make([]atomic.Int64, s.conns)
	var total atomic.Int64
	want := int64(s.conns) * int64(s.messages)
	all := make(chan struct{})
	conns := make([]*stampede.Conn, s.conns)
	defer func() { // whatever happened, say goodbye to those that connected
		n := atomic.Int64{}
		_ = forEach(s.conns, s.parallel, func(i int) error {
			if conns[i] != nil && conns[i].Disconnect(context.Background()) == nil {
				n.Add(1)
			}
			return nil
		})
		fmt.Fprintf(stdout, "disconnected %d/%d\n", n.Load(), s.conns)
	}()

	// One Dialer for every subscriber: the connections share one
	// configuration instead of a copy each.
	dialer, err := stampede.NewDialer(opts...)
	if err != nil {
		return err
	}
	start := time.Now()
	err = forEach(s.conns, s.parallel, func(i int) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c, err := dialer.Dial(ctx, t.URL)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i+1, err)
		}
		conns[i] = c
		count := handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
			counts[i].Add(1)
			if total.Add(1) == want {
				close(all)
			}
			return nil
		})
		if _, err := c.Subscribe(ctx, s.topic, count, stampede.WithSubscribeReceipt()); err != nil {
			return fmt.Errorf("connection %d: %w", i+1, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "connected %d/%d, each subscribed to %s\n", s.conns, s.conns, s.topic)
	fmt.Fprintf(stderr, "connected and subscribed in %v\n", time.Since(start).Round(time.Millisecond))

	pub, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer pub.Disconnect(context.Background())
	start = time.Now()
	for i := range s.messages {
		var sendOpts []stampede.SendOption
		if i == s.messages-1 {
			sendOpts = append(sendOpts, stampede.WithReceipt())
		}
		if err := pub.Send(ctx, s.topic, fmt.Appendf(nil, "news %d", i+1), sendOpts...); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "published %d messages\n", s.messages)

	select {
	case <-all:
	case <-ctx.Done():
	}
	fmt.Fprintf(stderr, "delivered in %v\n", time.Since(start).Round(time.Millisecond))
	short := 0
	for i := range counts {
		if counts[i].Load() != int64(s.messages) {
			short++
		}
	}
	if short == 0 {
		fmt.Fprintf(stdout, "received %d/%d (%d messages x %d connections), every connection all %d\n", total.Load(), want, s.messages, s.conns, s.messages)
		return nil
	}
	fmt.Fprintf(stdout, "received %d/%d (%d messages x %d connections), %d connections short\n", total.Load(), want, s.messages, s.conns, short)
	return errors.New("messages missing")
}
