// Command middleware shows a pipeline of inbound middleware around one
// handler: stampede's Recover, Log, Retry, Timeout and Metrics, plus one of
// the example's own (report), which prints what became of each message.
// The handler misbehaves on purpose, in turn: it succeeds, fails once, panics,
// rejects a malformed job, and takes too long.
//
//	go run ./examples/middleware                    # the embedded broker
//	go run ./examples/middleware -rounds 5 -timeout-per-job 20ms
//	go run ./examples/middleware -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # RabbitMQ
//	go run ./examples/middleware -url tcp://localhost:61613 -login admin -passcode admin            # ActiveMQ
//
// It prints, for -rounds 1:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	pipeline: report > metrics > log > recover > retry > timeout > handler
//	job 1 (ok): handled
//	job 2 (flaky): attempt 1 failed (flaky: the first attempt fails), retrying
//	job 2 (flaky): handled on attempt 2
//	job 3 (panic): panic recovered: "nil map write, say"
//	job 4 (poison): permanent failure, not retried: malformed job
//	job 5 (slow): timed out after 50ms, not retried
//	metrics: handled 5, failed 3, in flight 0
//
// and exits 0; 1 when an outcome differs or -timeout passes, 2 on bad
// flags. Log's records go to stderr.
//
// # The order of the pipeline
//
// Middleware added first is outermost and sees a message first and its
// outcome last. Connection-wide middleware (WithMiddleware, or Conn.Use)
// wraps every subscription's own (WithSubscriptionMiddleware). Here:
//
//   - report and Metrics are outermost: they count each message once,
//     whatever happened inside.
//   - Log logs the final outcome, a recovered panic included.
//   - Recover turns a panic into an error (*handlers.PanicError). It is
//     outside Retry, so a panic is not retried: a handler that panics on a
//     message would likely panic again.
//   - Retry calls the handler again after an error, twice at most, 10 ms
//     apart; not after a handlers.Permanent error or a timeout (a deadline
//     does not get longer by retrying).
//   - Timeout bounds each attempt; the handler sees its ctx done.
//
// The subscription acknowledges automatically. With client
// acknowledgements, handlers.AckOnSuccess goes between Log and Recover (see
// the work-queue example), so the final outcome is acked or nacked and a
// failed ack is logged.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/examples/internal/target"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/reconnect"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// errMalformed is the poison job's error, marked permanent.
var errMalformed = errors.New("malformed job")

// kinds are the behaviours of the handler, one per job in turn.
var kinds = []string{"ok", "flaky", "panic", "poison", "slow"}

type settings struct {
	broker          *target.Flags
	queue           string
	rounds          int
	perJob, timeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("middleware", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.queue, "queue", "/queue/stampede.middleware", "queue of jobs")
	fs.IntVar(&s.rounds, "rounds", 1, "rounds of the five kinds of job")
	fs.DurationVar(&s.perJob, "timeout-per-job", 50*time.Millisecond, "Timeout of each attempt")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.rounds < 1 || s.perJob <= 0 || s.timeout <= 0 {
		err := errors.New("-rounds must be at least 1, -timeout-per-job and -timeout positive")
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
	if err := pipeline(ctx, s, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "middleware:", err)
		return 1
	}
	return 0
}

// jobs runs the jobs and remembers how often each was attempted. Handlers
// run on the connection's executor, one at a time; the mutex is for the
// main goroutine, which reads the totals at the end.
type jobs struct {
	stdout io.Writer
	want   int
	done   chan struct{}

	mu       sync.Mutex
	attempts map[string]int // job → attempts
	finished int
	wrong    []string // outcomes that were not the expected ones
}

func describe(m *handlers.Message) string {
	return fmt.Sprintf("job %s (%s)", m.Header("job"), m.Header("kind"))
}

// handle is the handler at the heart of the pipeline.
func (j *jobs) handle(ctx context.Context, m *handlers.Message) error {
	j.mu.Lock()
	j.attempts[m.Header("job")]++
	attempt := j.attempts[m.Header("job")]
	j.mu.Unlock()
	switch m.Header("kind") {
	case "flaky":
		if attempt == 1 {
			return errors.New("flaky: the first attempt fails")
		}
	case "panic":
		panic("nil map write, say")
	case "poison":
		return handlers.Permanent(errMalformed)
	case "slow":
		<-ctx.Done() // the work stops when Timeout says so
		return ctx.Err()
	}
	return nil
}

// report is a middleware of the example's own: it prints the outcome of
// the pipeline inside it and checks that it is the one expected.
func (j *jobs) report(next handlers.Handler) handlers.Handler {
	return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
		err := next.HandleMessage(ctx, m)
		j.mu.Lock()
		defer j.mu.Unlock()
		what, expected := "", true
		var pe *handlers.PanicError
		switch kind := m.Header("kind"); {
		case err == nil:
			what = "handled"
			if n := j.attempts[m.Header("job")]; n > 1 {
				what += " on attempt " + strconv.Itoa(n)
			}
			expected = kind == "ok" || kind == "flaky"
		case errors.As(err, &pe):
			what = fmt.Sprintf("panic recovered: %q", pe.Value)
			expected = kind == "panic"
		case handlers.IsPermanent(err):
			what = "permanent failure, not retried"
			if errors.Is(err, errMalformed) {
				what += ": " + errMalformed.Error()
			}
			expected = kind == "poison"
		case errors.Is(err, handlers.ErrTimeout):
			what = "timed out after " + m.Header("timeout") + ", not retried"
			expected = kind == "slow"
		default:
			what = "failed: " + err.Error()
			expected = false
		}
		fmt.Fprintf(j.stdout, "%s: %s\n", describe(m), what)
		if !expected {
			j.wrong = append(j.wrong, describe(m)+": "+what)
		}
		if j.finished++; j.finished == j.want {
			close(j.done)
		}
		return err
	})
}

func pipeline(ctx context.Context, s settings, stdout, stderr io.Writer) error {
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

	j := &jobs{stdout: stdout, want: s.rounds * len(kinds), done: make(chan struct{}), attempts: make(map[string]int)}
	metrics := handlers.NewMetrics()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	retry := handlers.Retry(reconnect.Constant{Delay: 10 * time.Millisecond, Attempts: 2},
		handlers.RetryNotify(func(_ context.Context, m *handlers.Message, attempt int, err error, _ time.Duration) {
			fmt.Fprintf(stdout, "%s: attempt %d failed (%v), retrying\n", describe(m), attempt, err)
		}))

	opts := append(s.broker.Options(),
		stampede.WithEngine(eng),
		// Connection-wide, around every subscription's handler.
		stampede.WithMiddleware(j.report, metrics.Middleware(), handlers.Log(logger), handlers.Recover()),
		// The connection's own route for handler errors: they were
		// reported and logged already.
		stampede.WithErrorHandler(func(*stampede.Message, error) {}),
	)
	conn, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer conn.Disconnect(context.Background())
	_, err = conn.Subscribe(ctx, s.queue, handlers.HandlerFunc(j.handle),
		stampede.WithSubscriptionMiddleware(retry, handlers.Timeout(s.perJob)),
		stampede.WithSubscribeReceipt())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "pipeline: report > metrics > log > recover > retry > timeout > handler")

	for i := range j.want {
		err := conn.Send(ctx, s.queue, []byte("work"),
			stampede.WithHeader("job", strconv.Itoa(i+1)),
			stampede.WithHeader("kind", kinds[i%len(kinds)]),
			stampede.WithHeader("timeout", s.perJob.String()))
		if err != nil {
			return err
		}
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return fmt.Errorf("%d of %d jobs finished: %w", j.finishedCount(), j.want, ctx.Err())
	}
	snap := metrics.Snapshot()
	fmt.Fprintf(stdout, "metrics: handled %d, failed %d, in flight %d\n", snap.Handled, snap.Failed, snap.InFlight)
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.wrong) > 0 {
		return fmt.Errorf("unexpected outcomes: %q", j.wrong)
	}
	return nil
}

func (j *jobs) finishedCount() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished
}
