// Command work-queue shows a work queue: a producer puts jobs on a queue,
// several workers share them, and each job is acknowledged on its own
// (client-individual) once its handler succeeded, by the AckOnSuccess
// middleware. A job whose handler fails is NACKed and the broker gives it
// again, to the same worker or another; so no job is lost and none is
// done twice.
//
//	go run ./examples/work-queue                    # the embedded broker
//	go run ./examples/work-queue -jobs 1000 -workers 8 -prefetch 20
//	go run ./examples/work-queue -url tcp://localhost:61613 -login guest -passcode guest -vhost /   # RabbitMQ
//	go run ./examples/work-queue -url tcp://localhost:61613 -login admin -passcode admin -fail-every 0   # ActiveMQ
//
// It prints, with the defaults:
//
//	broker: embedded broker at tcp://127.0.0.1:40123
//	3 workers on /queue/stampede.work, client-individual acks, prefetch 10
//	queued 100 jobs
//	done 100/100 jobs, each acknowledged once
//	failed 10 times, NACKed and redelivered 10 times
//	jobs per worker: 34 33 33
//
// (the last line varies) and exits 0; 1 when jobs are missing or done
// twice when -timeout passes, 2 on bad flags.
//
// Every -fail-every'th job fails on its first attempt, to show the NACK
// and the redelivery. RabbitMQ requeues a NACKed message and redelivers it
// with redelivered:true, as the embedded broker does. ActiveMQ Classic
// treats a STOMP NACK as a poison acknowledgement and moves the message to
// its dead-letter queue (ActiveMQ.DLQ): run it there with -fail-every 0.
//
// -prefetch bounds the jobs a worker holds unacknowledged (RabbitMQ's
// prefetch-count, ActiveMQ's activemq.prefetchSize), so a busy worker does
// not sit on jobs that an idle one could do.
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
	"syscall"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/examples/internal/target"
	"github.com/stampede-mq/stampede/handlers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker                             *target.Flags
	queue                              string
	jobs, workers, prefetch, failEvery int
	work, timeout                      time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("work-queue", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.queue, "queue", "/queue/stampede.work", "queue of jobs")
	fs.IntVar(&s.jobs, "jobs", 100, "jobs to queue")
	fs.IntVar(&s.workers, "workers", 3, "workers, one connection each")
	fs.IntVar(&s.prefetch, "prefetch", 10, "unacknowledged jobs a worker may hold")
	fs.IntVar(&s.failEvery, "fail-every", 10, "fail the first attempt of every n-th job (0: never)")
	fs.DurationVar(&s.work, "work", time.Millisecond, "time a job takes")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.jobs < 1 || s.workers < 1 || s.prefetch < 1 || s.failEvery < 0 || s.work < 0 || s.timeout <= 0 {
		err := errors.New("-jobs, -workers and -prefetch must be at least 1, -fail-every and -work not negative, -timeout positive")
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
	if err := workQueue(ctx, s, stdout); err != nil {
		fmt.Fprintln(stderr, "work-queue:", err)
		return 1
	}
	return 0
}

// ledger records what happened to every job. Its methods run on the
// workers' executors, concurrently; report reads it from the main
// goroutine.
type ledger struct {
	jobs int
	all  chan struct{} // closed when every job is done

	mu          sync.Mutex
	tried       map[int]bool // jobs attempted at least once
	done        map[int]int  // job → times done (and acknowledged)
	failures    int
	redelivered int
	perWorker   []int
}

// firstAttempt reports whether job is attempted for the first time.
func (l *ledger) firstAttempt(job int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := !l.tried[job]
	l.tried[job] = true
	return first
}

// Record is a middleware of the example's own: it notes the outcome of
// the handler and of its acknowledgement, which it wraps, so that a job
// counts as done only once its ACK is on its way.
func (l *ledger) Record(worker int) handlers.Middleware {
	return func(next handlers.Handler) handlers.Handler {
		return handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
			job, _ := strconv.Atoi(m.Header("job"))
			err := next.HandleMessage(ctx, m)
			l.mu.Lock()
			defer l.mu.Unlock()
			if m.Redelivered() {
				l.redelivered++
			}
			if err != nil {
				l.failures++
				return err
			}
			l.done[job]++
			l.perWorker[worker]++
			if len(l.done) == l.jobs && l.done[job] == 1 {
				close(l.all)
			}
			return nil
		})
	}
}

func workQueue(ctx context.Context, s settings, stdout io.Writer) error {
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

	l := &ledger{
		jobs: s.jobs, all: make(chan struct{}),
		tried: make(map[int]bool), done: make(map[int]int), perWorker: make([]int, s.workers),
	}
	// The job itself: it knows nothing of acknowledgements.
	doJob := handlers.HandlerFunc(func(ctx context.Context, m *handlers.Message) error {
		job, err := strconv.Atoi(m.Header("job"))
		if err != nil {
			return handlers.Permanent(fmt.Errorf("bad job header %q", m.Header("job")))
		}
		if l.firstAttempt(job) && s.failEvery > 0 && job%s.failEvery == 0 {
			return fmt.Errorf("job %d: failing its first attempt on purpose", job)
		}
		select {
		case <-time.After(s.work):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	for w := range s.workers {
		c, err := stampede.Dial(ctx, t.URL, opts...)
		if err != nil {
			return err
		}
		defer c.Disconnect(context.Background())
		_, err = c.Subscribe(ctx, s.queue, doJob,
			stampede.WithAck(stampede.AckClientIndividual),
			stampede.WithPrefetch(s.prefetch),
			// Outermost first: Record sees the acknowledged outcome.
			stampede.WithSubscriptionMiddleware(l.Record(w), handlers.AckOnSuccess()),
			stampede.WithSubscribeReceipt())
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%d workers on %s, client-individual acks, prefetch %d\n", s.workers, s.queue, s.prefetch)

	producer, err := stampede.Dial(ctx, t.URL, opts...)
	if err != nil {
		return err
	}
	defer producer.Disconnect(context.Background())
	for job := 1; job <= s.jobs; job++ {
		sendOpts := []stampede.SendOption{stampede.WithHeader("job", strconv.Itoa(job)), stampede.WithContentType("text/plain")}
		if job == s.jobs {
			sendOpts = append(sendOpts, stampede.WithReceipt())
		}
		if err := producer.Send(ctx, s.queue, fmt.Appendf(nil, "job %d", job), sendOpts...); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "queued %d jobs\n", s.jobs)

	select {
	case <-l.all:
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	twice := 0
	for _, n := range l.done {
		if n > 1 {
			twice++
		}
	}
	if twice == 0 {
		fmt.Fprintf(stdout, "done %d/%d jobs, each acknowledged once\n", len(l.done), s.jobs)
	} else {
		fmt.Fprintf(stdout, "done %d/%d jobs, %d of them more than once\n", len(l.done), s.jobs, twice)
	}
	fmt.Fprintf(stdout, "failed %d times, NACKed and redelivered %d times\n", l.failures, l.redelivered)
	per := make([]string, len(l.perWorker))
	for i, n := range l.perWorker {
		per[i] = strconv.Itoa(n)
	}
	fmt.Fprintf(stdout, "jobs per worker: %s\n", strings.Join(per, " "))
	if len(l.done) != s.jobs || twice > 0 {
		return errors.New("jobs missing or done twice")
	}
	return nil
}
