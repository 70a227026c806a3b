// Command graceful-shutdown shows a worker that stops cleanly on SIGTERM or
// SIGINT (Ctrl-C): it stops taking jobs, lets the jobs in progress finish
// and acknowledges them, says DISCONNECT and waits for the broker's
// receipt, all within a deadline; jobs it held but had not started go back
// to the queue for another worker, because they were never acknowledged.
//
//	go run ./examples/graceful-shutdown                 # the embedded broker, with a producer of jobs
//	go run ./examples/graceful-shutdown -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # RabbitMQ
//	go run ./examples/graceful-shutdown -url tcp://localhost:61613 -login admin -passcode admin            # ActiveMQ
//
// Then press Ctrl-C, or `kill -TERM <pid>`. It prints:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	ready: working on /queue/stampede.jobs (pid 4242); stop with SIGTERM or Ctrl-C
//	first job started
//	first job done
//	shutting down: terminated signal received
//	stopped taking jobs
//	in-flight jobs finished
//	disconnected cleanly
//	goodbye: 57 jobs done
//
// and exits 0. It exits 1 when the jobs in progress or the DISCONNECT
// receipt take longer than -grace, or the connection fails, and 2 on bad
// flags. A second signal during the shutdown kills it at once.
//
// The order matters:
//
//  1. Shut the gate, a middleware of the example's own that counts the
//     handlers in progress: no job starts any more. Jobs the broker sent
//     ahead (up to -prefetch) are refused, not acknowledged.
//  2. Wait for the jobs in progress. The gate sits outside AckOnSuccess,
//     so a job counts as finished only once its ACK is on its way.
//  3. Disconnect: DISCONNECT goes out after those ACKs, and the receipt
//     says the broker has seen them all. The broker puts the refused jobs
//     back in the queue, for another worker.
//  4. Close the engine: its event loops and executor stop.
//
// Unsubscribing first would be wrong: a broker forgets a subscription's
// unacknowledged messages when it ends (RabbitMQ, the embedded broker), so
// the ACKs of the jobs still in progress would be refused.
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
	"github.com/stampede-mq/stampede/handlers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // from now on a second signal kills the process
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker                *target.Flags
	queue                 string
	produce               bool
	prefetch              int
	interval, work, grace time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("graceful-shutdown", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.queue, "queue", "/queue/stampede.jobs", "queue of jobs")
	fs.BoolVar(&s.produce, "produce", true, "also run a producer that queues a job every -interval")
	fs.IntVar(&s.prefetch, "prefetch", 10, "unacknowledged jobs the worker may hold")
	fs.DurationVar(&s.interval, "interval", 10*time.Millisecond, "time between two jobs of the producer")
	fs.DurationVar(&s.work, "work", 30*time.Millisecond, "time a job takes")
	fs.DurationVar(&s.grace, "grace", 5*time.Second, "deadline of the shutdown")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.prefetch < 1 || s.interval <= 0 || s.work < 0 || s.grace <= 0 {
		err := errors.New("-prefetch must be at least 1, -interval and -grace positive, -work not negative")
		fmt.Fprintln(stderr, err)
		return s, err
	}
	return s, nil
}

// run is the whole program: it works until ctx is done, then shuts down.
// It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if err := work(ctx, s, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "graceful-shutdown:", err)
		return 1
	}
	return 0
}

// errStopping is what the gate answers a job that arrives once it is
// shut: the job is neither handled nor acknowledged.
var errStopping = errors.New("shutting down: job left for another worker")

// gate lets handlers in until it is shut, and then waits for those inside.
// Handlers pass it on the connection's executor; Shut runs on the main
// goroutine.
type gate struct {
	started, finished chan struct{} // closed when a first job started, finished

	mu      sync.Mutex
	shut    bool
	inside  int
	empty   chan struct{} // closed when the gate is shut and nobody is inside
	entered int
	done    int
}

func newGate() *gate {
	return &gate{started: make(chan struct{}), finished: make(chan struct{}), empty: make(chan struct{})}
}

// Middleware counts the handlers inside it.
func (g *gate) Middleware(next handlers.Handler) handlers.Handler {
	return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
		g.mu.Lock()
		if g.shut {
			g.mu.Unlock()
			return errStopping
		}
		g.inside++
		if g.entered++; g.entered == 1 {
			close(g.started)
		}
		g.mu.Unlock()

		err := next.HandleMessage(ctx, m)

		g.mu.Lock()
		defer g.mu.Unlock()
		g.inside--
		if err == nil {
			if g.done++; g.done == 1 {
				close(g.finished)
			}
		}
		if g.shut && g.inside == 0 {
			close(g.empty)
		}
		return err
	})
}

// Shut lets no more handlers in, calls shut, and waits, under ctx, for
// those inside.
func (g *gate) Shut(ctx context.Context, shut func()) error {
	g.mu.Lock()
	g.shut = true
	if g.inside == 0 {
		close(g.empty)
	}
	g.mu.Unlock()
	shut()
	select {
	case <-g.empty:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		return fmt.Errorf("%d jobs still in progress: %w", g.inside, ctx.Err())
	}
}

func (g *gate) Done() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.done
}

// produce queues a job every interval until ctx is done.
func produce(ctx context.Context, conn *stampede.Conn, queue string, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for n := 1; ; n++ {
		err := conn.Send(ctx, queue, fmt.Appendf(nil, "job %d", n), stampede.WithHeader("job", strconv.Itoa(n)))
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return nil
		}
	}
}

func work(ctx context.Context, s settings, stdout, stderr io.Writer) error {
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

	g := newGate()
	job := handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
		select {
		case <-time.After(s.work):
			return nil
		case <-ctx.Done(): // the connection closed under the job
			return ctx.Err()
		}
	})
	worker, err := stampede.Dial(ctx, t.URL, append(opts,
		stampede.WithErrorHandler(func(m *stampede.Message, err error) {
			if !errors.Is(err, errStopping) {
				fmt.Fprintf(stderr, "job %s failed: %v\n", m.Header("job"), err)
			}
		}))...)
	if err != nil {
		return err
	}
	defer worker.Close() // if anything below fails; after Disconnect it does nothing
	_, err = worker.Subscribe(ctx, s.queue, job,
		stampede.WithAck(stampede.AckClientIndividual),
		stampede.WithPrefetch(s.prefetch),
		stampede.WithSubscriptionMiddleware(g.Middleware, handlers.AckOnSuccess()),
		stampede.WithSubscribeReceipt())
	if err != nil {
		return err
	}

	var producer *stampede.Conn
	var producing sync.WaitGroup
	var produceErr error
	stopProducing := func() {}
	if s.produce {
		if producer, err = stampede.Dial(ctx, t.URL, opts...); err != nil {
			return err
		}
		defer producer.Close()
		pctx, cancel := context.WithCancel(ctx)
		stopProducing = cancel
		producing.Go(func() { produceErr = produce(pctx, producer, s.queue, s.interval) })
	}
	fmt.Fprintf(stdout, "ready: working on %s (pid %d); stop with SIGTERM or Ctrl-C\n", s.queue, os.Getpid())

	// Only this goroutine prints, so the lines come in a stable order.
	started, finished := g.started, chan struct{}(nil)
	for working := true; working; {
		select {
		case <-started:
			fmt.Fprintln(stdout, "first job started")
			started, finished = nil, g.finished
		case <-finished:
			fmt.Fprintln(stdout, "first job done")
			finished = nil
		case <-ctx.Done():
			fmt.Fprintf(stdout, "shutting down: %v\n", context.Cause(ctx))
			working = false
		case <-worker.Done():
			stopProducing()
			producing.Wait()
			return fmt.Errorf("connection lost: %w", worker.Err())
		}
	}

	// The shutdown has its own deadline: ctx is done already.
	shutdown, cancel := context.WithTimeout(context.Background(), s.grace)
	defer cancel()
	stopProducing()
	producing.Wait()
	if produceErr != nil {
		return produceErr
	}
	if producer != nil {
		if err := producer.Disconnect(shutdown); err != nil {
			return fmt.Errorf("producer: %w", err)
		}
	}
	if err := g.Shut(shutdown, func() { fmt.Fprintln(stdout, "stopped taking jobs") }); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "in-flight jobs finished")
	if err := worker.Disconnect(shutdown); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "disconnected cleanly")
	fmt.Fprintf(stdout, "goodbye: %d jobs done\n", g.Done())
	return nil
}
