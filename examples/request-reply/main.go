// Command request-reply shows request/reply over STOMP with a temporary
// reply queue and correlation ids: a responder serves a queue, and a
// requester sends it requests concurrently, each with reply-to and a
// correlation-id, and matches every reply to its request by that id.
//
//	go run ./examples/request-reply                 # the embedded broker
//	go run ./examples/request-reply -requests 100
//	go run ./examples/request-reply -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # RabbitMQ
//	go run ./examples/request-reply -url tcp://localhost:61613 -login admin -passcode admin -subscribe-reply   # ActiveMQ
//
// It prints, for -requests 3:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	responder serves /queue/stampede.rpc.upper
//	request 1: "hello 1" -> "HELLO 1"
//	request 2: "hello 2" -> "HELLO 2"
//	request 3: "hello 3" -> "HELLO 3"
//	replies 3/3, each matched to its request by correlation-id
//
// and exits 0; 1 when a reply is missing or wrong when -timeout passes, 2
// on bad flags.
//
// # Temp queues
//
// The requester never subscribes to its reply queue. It names
// /temp-queue/replies in reply-to; RabbitMQ (and the embedded broker) then
// create a queue private to the connection, give the responder its real
// name (reply-to:/reply-queue/...), and deliver the replies on a
// subscription the client never made, whose id is the temp-queue name.
// A STOMP client routes a MESSAGE by its subscription id, so these replies
// reach no subscription: stampede hands them to the connection's
// WithUnhandled handler, which here is the requester's correlator.
//
// ActiveMQ creates the temp queue too, but delivers nothing until the
// client subscribes to it: -subscribe-reply makes the requester subscribe
// to /temp-queue/replies first, with the same correlator as handler.
// Both ways work with RabbitMQ and the embedded broker.
//
// The correlator is a map from correlation id to a waiting call: a reply
// whose id is unknown (it came after its call gave up) is reported and
// dropped.
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
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/examples/internal/target"
	"github.com/stampede-mq/stampede/handlers"
)

// Header names of the pattern. They are conventions, not STOMP: RabbitMQ
// maps them to the AMQP reply_to and correlation_id properties, ActiveMQ
// to JMSReplyTo and JMSCorrelationID.
const (
	hdrReplyTo       = "reply-to"
	hdrCorrelationID = "correlation-id"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker         *target.Flags
	service        string
	replyTo        string
	subscribeReply bool
	requests       int
	timeout        time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("request-reply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.service, "service", "/queue/stampede.rpc.upper", "queue the responder serves")
	fs.StringVar(&s.replyTo, "reply-to", "/temp-queue/replies", "reply queue named in reply-to")
	fs.BoolVar(&s.subscribeReply, "subscribe-reply", false, "subscribe to the reply queue before sending (ActiveMQ needs it)")
	fs.IntVar(&s.requests, "requests", 10, "requests to send, all at once")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.requests < 1 || s.timeout <= 0 || s.service == "" || s.replyTo == "" {
		err := errors.New("-requests must be at least 1, -timeout positive, -service and -reply-to set")
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
	if err := requestReply(ctx, s, stdout); err != nil {
		fmt.Fprintln(stderr, "request-reply:", err)
		return 1
	}
	return 0
}

// correlator sends requests and matches replies to them. Call runs on any
// goroutine; HandleMessage runs on the connection's executor.
type correlator struct {
	replyTo string
	conn    *stampede.Conn // set once, before the first call
	seq     atomic.Uint64

	mu      sync.Mutex
	pending map[string]chan []byte // correlation id → the waiting call
}

// Call sends body to destination and waits for the reply's body.
func (c *correlator) Call(ctx context.Context, destination string, body []byte) ([]byte, error) {
	id := "req-" + strconv.FormatUint(c.seq.Add(1), 10)
	ch := make(chan []byte, 1)
	c.mu.Lock()
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	err := c.conn.Send(ctx, destination, body,
		stampede.WithHeader(hdrReplyTo, c.replyTo),
		stampede.WithHeader(hdrCorrelationID, id),
		stampede.WithContentType("text/plain"))
	if err != nil {
		return nil, err
	}
	select {
	case reply := <-ch:
		return reply, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no reply to %s: %w", id, ctx.Err())
	}
}

// HandleMessage hands a reply to the call waiting for it.
func (c *correlator) HandleMessage(_ context.Context, m *stampede.Message) error {
	id := m.Header(hdrCorrelationID)
	c.mu.Lock()
	ch := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if ch == nil {
		return fmt.Errorf("reply for unknown correlation-id %q (its call gave up?)", id)
	}
	// The message belongs to this handler only while it runs: keep a copy
	// of what the call needs.
	ch <- append([]byte(nil), m.Body()...)
	return nil
}

// serve answers each request with its body in upper case, sent to the
// request's reply-to with its correlation-id.
func serve(conn *stampede.Conn) stampede.HandlerFunc {
	return func(ctx context.Context, m *stampede.Message) error {
		replyTo := m.Header(hdrReplyTo)
		if replyTo == "" {
			return handlers.Permanent(errors.New("request without reply-to"))
		}
		return conn.Send(ctx, replyTo, []byte(strings.ToUpper(string(m.Body()))),
			stampede.WithHeader(hdrCorrelationID, m.Header(hdrCorrelationID)),
			stampede.WithContentType("text/plain"))
	}
}

func requestReply(ctx context.Context, s settings, stdout io.Writer) error {
	t, err := s.broker.Open("tcp")
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

	// The responder: an ordinary subscription.
	responder, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer responder.Disconnect(context.Background())
	if _, err := responder.Subscribe(ctx, s.service, serve(responder), stampede.WithSubscribeReceipt()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "responder serves %s\n", s.service)

	// The requester: replies on the temp queue arrive on a subscription it
	// never made, so they take the unhandled route, to the correlator.
	corr := &correlator{replyTo: s.replyTo, pending: make(map[string]chan []byte)}
	corr.conn, err = stampede.Dial(ctx, t.URL, append(opts, stampede.WithUnhandled(corr))...)
	if err != nil {
		return err
	}
	defer corr.conn.Disconnect(context.Background())
	if s.subscribeReply {
		if _, err := corr.conn.Subscribe(ctx, s.replyTo, corr, stampede.WithSubscribeReceipt()); err != nil {
			return err
		}
	}

	type result struct {
		reply []byte
		err   error
	}
	results := make([]result, s.requests)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			results[i].reply, results[i].err = corr.Call(ctx, s.service, fmt.Appendf(nil, "hello %d", i+1))
		})
	}
	wg.Wait()

	ok := 0
	var errs []error
	for i, r := range results {
		want := fmt.Sprintf("HELLO %d", i+1)
		switch {
		case r.err != nil:
			fmt.Fprintf(stdout, "request %d: %v\n", i+1, r.err)
			errs = append(errs, r.err)
		case string(r.reply) != want:
			fmt.Fprintf(stdout, "request %d: got %q, want %q\n", i+1, r.reply, want)
			errs = append(errs, fmt.Errorf("request %d: wrong reply", i+1))
		default:
			fmt.Fprintf(stdout, "request %d: \"hello %d\" -> %q\n", i+1, i+1, r.reply)
			ok++
		}
	}
	fmt.Fprintf(stdout, "replies %d/%d, each matched to its request by correlation-id\n", ok, s.requests)
	return errors.Join(errs...)
}
