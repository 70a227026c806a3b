// Command custom-executor shows where handlers run and how to choose it. A
// connection hands every message to an executor, never running user code
// on its event loop. The default executor runs a connection's handlers one
// at a time, in order; this example plugs in a pool so that one
// connection's handlers run in parallel:
//
//   - -executor pool: stampede's own, loop.NewPool(workers, queue).
//
//   - -executor own: a pool of the program's own. Anything with the two
//     methods of loop.Executor plugs in: Execute, which must not block
//     (it runs on the event loop; refuse with loop.ErrQueueFull when
//     full), and Close.
//
//   - -executor func: loop.ExecutorFunc, stomp.py's override_threading:
//     here every message gets a goroutine of its own.
//
//     go run ./examples/custom-executor                       # the embedded broker
//     go run ./examples/custom-executor -executor own -workers 16
//     go run ./examples/custom-executor -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # RabbitMQ
//     go run ./examples/custom-executor -url tcp://localhost:61613 -login admin -passcode admin            # ActiveMQ
//
// It prints, with the defaults:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	executor: loop.Pool, 8 workers, queue of 128 tasks
//	handled 200/200, each acknowledged
//	handlers in parallel: up to 8 at once (limit 8)
//
// (the count in the last line may vary up to its limit) and exits 0; 1 when
// messages are missing when -timeout passes, 2 on bad flags.
//
// # What a parallel executor changes
//
// Handlers of one connection now run concurrently and finish out of
// order, so they must be safe for concurrent use, and acknowledgements
// must be per message: client-individual, not client (a cumulative ACK
// would acknowledge messages still being worked on). The executor's queue
// is bounded: when it is full the connection applies its slow-consumer
// policy (by default it closes). Keep the broker's prefetch (here 64)
// below the queue (128), and the queue never fills. The connection never
// closes an executor it was given: the program closes it, after the
// connection.
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
	"github.com/stampede-mq/stampede/loop"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker                      *target.Flags
	queue, executor             string
	messages, workers, prefetch int
	work, timeout               time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("custom-executor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.queue, "queue", "/queue/stampede.executor", "queue to consume")
	fs.StringVar(&s.executor, "executor", "pool", "pool (loop.NewPool), own (the program's pool) or func (loop.ExecutorFunc, a goroutine per message)")
	fs.IntVar(&s.messages, "messages", 200, "messages to send and handle")
	fs.IntVar(&s.workers, "workers", 8, "workers of the pool")
	fs.IntVar(&s.prefetch, "prefetch", 64, "unacknowledged messages the broker may send ahead")
	fs.DurationVar(&s.work, "work", 10*time.Millisecond, "time a handler takes")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	var err error
	switch {
	case s.executor != "pool" && s.executor != "own" && s.executor != "func":
		err = fmt.Errorf("-executor %q: want pool, own or func", s.executor)
	case s.messages < 1 || s.workers < 1 || s.prefetch < 1 || s.work < 0 || s.timeout <= 0:
		err = errors.New("-messages, -workers and -prefetch must be at least 1, -work not negative, -timeout positive")
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
	}
	return s, err
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := consume(ctx, s, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "custom-executor:", err)
		return 1
	}
	return 0
}

// ownPool is a worker pool of the program's own, made a loop.Executor by
// its two methods: n goroutines take tasks from a bounded queue.
type ownPool struct {
	tasks chan loop.Task
	wg    sync.WaitGroup

	mu     sync.RWMutex // Execute reads closed, Close writes it
	closed bool
}

func newOwnPool(n, queue int) *ownPool {
	p := &ownPool{tasks: make(chan loop.Task, queue)}
	for range n {
		p.wg.Go(func() {
			for t := range p.tasks {
				t.Run()
			}
		})
	}
	return p
}

// Execute queues t without waiting: it runs on the connection's event
// loop, which must never block. The key says which connection t comes
// from; a pool that kept each connection's order would use it.
func (p *ownPool) Execute(_ uint64, t loop.Task) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return loop.ErrExecutorClosed
	}
	select {
	case p.tasks <- t:
		return nil
	default:
		return loop.ErrQueueFull
	}
}

// Close lets the queued tasks finish and waits for the workers.
func (p *ownPool) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.tasks)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// goroutinePerTask is a loop.ExecutorFunc that starts a goroutine per
// task and, unlike a bare `go run()`, can wait for them.
type goroutinePerTask struct{ wg sync.WaitGroup }

func (g *goroutinePerTask) executor() loop.ExecutorFunc {
	return func(run func()) { g.wg.Go(run) }
}

// newExecutor returns the executor -executor names, a description, the
// most handlers it runs at once, and how to stop it.
func newExecutor(s settings) (loop.Executor, string, int, func()) {
	queue := 2 * s.prefetch
	switch s.executor {
	case "own":
		p := newOwnPool(s.workers, queue)
		return p, fmt.Sprintf("the program's own pool, %d workers, queue of %d tasks", s.workers, queue), s.workers, p.Close
	case "func":
		g := &goroutinePerTask{}
		// Nothing bounds the goroutines but the prefetch window.
		return g.executor(), "loop.ExecutorFunc, a goroutine per message", s.prefetch, g.wg.Wait
	default:
		p := loop.NewPool(s.workers, queue)
		return p, fmt.Sprintf("loop.Pool, %d workers, queue of %d tasks", s.workers, queue), s.workers, p.Close
	}
}

func consume(ctx context.Context, s settings, stdout, stderr io.Writer) error {
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

	exec, what, limit, stop := newExecutor(s)
	defer stop() // after Disconnect (deferred below, so run before it)
	fmt.Fprintf(stdout, "executor: %s\n", what)

	var running, most, handled atomic.Int64
	done := make(chan struct{})
	work := handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
		n := running.Add(1)
		defer running.Add(-1)
		for cur := most.Load(); n > cur && !most.CompareAndSwap(cur, n); cur = most.Load() {
		}
		select {
		case <-time.After(s.work):
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	// Counted once acknowledged: AckOnSuccess sends the ACK inside.
	count := func(next handlers.Handler) handlers.Handler {
		return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
			err := next.HandleMessage(ctx, m)
			if err == nil && handled.Add(1) == int64(s.messages) {
				close(done)
			}
			return err
		})
	}

	opts := append(s.broker.Options(), stampede.WithEngine(eng), stampede.WithExecutor(exec))
	conn, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer conn.Disconnect(context.Background())
	_, err = conn.Subscribe(ctx, s.queue, work,
		stampede.WithAck(stampede.AckClientIndividual),
		stampede.WithPrefetch(s.prefetch),
		stampede.WithSubscriptionMiddleware(count, handlers.AckOnSuccess()),
		stampede.WithSubscribeReceipt())
	if err != nil {
		return err
	}

	start := time.Now()
	for i := range s.messages {
		if err := conn.Send(ctx, s.queue, fmt.Appendf(nil, "message %d", i+1)); err != nil {
			return err
		}
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
	fmt.Fprintf(stdout, "handled %d/%d, each acknowledged\n", handled.Load(), s.messages)
	fmt.Fprintf(stdout, "handlers in parallel: up to %d at once (limit %d)\n", most.Load(), limit)
	fmt.Fprintf(stderr, "took %v; one at a time it would take %v\n", time.Since(start).Round(time.Millisecond), time.Duration(s.messages)*s.work)
	if handled.Load() != int64(s.messages) {
		return errors.New("messages missing")
	}
	if most.Load() > int64(limit) {
		return fmt.Errorf("%d handlers ran at once, over the limit of %d", most.Load(), limit)
	}
	return nil
}
