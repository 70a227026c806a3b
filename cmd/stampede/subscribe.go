package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/stampede-mq/stampede/handlers"
)

// The subscribe command prints what a destination receives: for scripts
// and pipes.
//
//	stampede subscribe --url stomp://host:61613 /queue/a --count 1
//	stampede subscribe /topic/logs --json | jq .body

func subscribeCommand() command {
	return command{
		name:    "subscribe",
		summary: "print the messages a destination receives (--count N, --json) and exit",
		run:     runSubscribe,
	}
}

// subscribeFlags are the subscribe command's flags.
type subscribeFlags struct {
	conn    connFlags
	mc      multicastFlags
	count   int
	json    bool
	ack     string
	timeout time.Duration
	verbose bool
}

func (f *subscribeFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs, true)
	f.mc.register(fs)
	fs.IntVar(&f.count, "count", 0, "exit 0 after this many messages (0: run until interrupted)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per message: destination, headers, and body (or body_base64 when not UTF-8)")
	fs.StringVar(&f.ack, "ack", "client", "auto, client or client-individual; with client modes each message is acknowledged once printed,\nso messages not printed stay on the broker")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up (exit 1) when the messages have not all arrived in this time (0: wait forever)")
	fs.BoolVar(&f.verbose, "v", false, "print every frame on standard error (passcodes masked)")
	fs.BoolVar(&f.verbose, "verbose", false, "print every frame on standard error (passcodes masked)")
}

func subscribeHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: stampede subscribe [flags] <destination>")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Prints the messages the destination receives, as the shell does (or as JSON lines")
	fmt.Fprintln(w, "with --json), until --count messages arrived or it is interrupted. Flags may follow")
	fmt.Fprintln(w, "the destination.")
	fmt.Fprintln(w, "Exit status: 0 ok (--count reached, or interrupted without --count); 1 connection or")
	fmt.Fprintln(w, "protocol failure, --timeout, or interrupted before --count; 2 usage error.")
	fmt.Fprintln(w)
	printDefaults(w, "Flags", fs)
}

func runSubscribe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "stampede subscribe"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f subscribeFlags
	f.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagFailure(err, name, stdout, stderr, func(w io.Writer) { subscribeHelp(w, fs) })
	}
	switch {
	case len(pos) == 0:
		return usageError(stderr, name, "missing <destination>")
	case len(pos) > 1:
		return usageError(stderr, name, "unexpected argument %q", pos[1])
	case pos[0] == "":
		return usageError(stderr, name, "empty <destination>")
	case f.count < 0:
		return usageError(stderr, name, "--count %d: want 0 or more", f.count)
	case f.timeout < 0:
		return usageError(stderr, name, "--timeout %v: want 0 or more", f.timeout)
	case f.ack != "auto" && f.ack != "client" && f.ack != "client-individual":
		return usageError(stderr, name, "--ack %q: want auto, client or client-individual", f.ack)
	}
	spec := dialSpec{conn: &f.conn, mc: &f.mc}
	if err := spec.check(); err != nil {
		return usageError(stderr, name, "%v", err)
	}
	spec.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if f.verbose {
		spec.listeners = append(spec.listeners, namedListener{"verbose", handlers.NewPrinting(stderr)})
	}
	p := &messagePrinter{out: stdout, json: f.json, count: f.count, done: make(chan struct{}), lost: make(chan error, 1)}
	spec.listeners = append(spec.listeners, namedListener{"subscribe", p})

	cl, err := dialClient(ctx, spec)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot connect to %s: %v%s\n", name, spec.where(), err, refusedHint(err))
		return 1
	}
	defer func() { _ = cl.disconnect(context.WithoutCancel(ctx)) }()
	sub := subscribeSpec{ack: f.ack}
	if f.count > 0 {
		sub.prefetch = min(f.count, 1000) // no more in flight than will be printed
	}
	if _, err := cl.subscribe(ctx, pos[0], sub, handlers.HandlerFunc(p.handle)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	var timeout <-chan time.Time
	if f.timeout > 0 {
		t := time.NewTimer(f.timeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-p.done:
		return 0
	case err := <-p.lost:
		fmt.Fprintf(stderr, "%s: lost connection: %v\n", name, err)
		return 1
	case <-timeout:
		fmt.Fprintf(stderr, "%s: timed out after %v with %d of %d messages\n", name, f.timeout, p.printed(), f.count)
		return 1
	case <-ctx.Done():
		if f.count > 0 {
			fmt.Fprintf(stderr, "%s: interrupted after %d of %d messages\n", name, p.printed(), f.count)
			return 1
		}
		return 0
	}
}

// messagePrinter prints the messages of the subscribe command and acknowledges
// them; it also watches the connection.
type messagePrinter struct {
	handlers.Base
	out   io.Writer
	json  bool
	count int // 0: no limit

	mu   sync.Mutex
	n    int
	done chan struct{} // closed after count messages
	lost chan error    // the connection's end, if not asked for
}

// handle prints m and acknowledges it. Once count messages are printed,
// later ones are left unacknowledged: the broker keeps them.
func (p *messagePrinter) handle(ctx context.Context, m *handlers.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.count > 0 && p.n >= p.count {
		return nil
	}
	var b []byte
	if p.json {
		var err error
		if b, err = appendJSON(nil, m.Frame); err != nil {
			return err
		}
	} else {
		b = appendBlock(nil, "MESSAGE", m.Frame.Header, displayBody(m.Frame))
	}
	if _, err := p.out.Write(b); err != nil {
		return err
	}
	if m.NeedsAck() {
		if err := m.Ack(ctx); err != nil {
			return err
		}
	}
	p.n++
	if p.n == p.count {
		close(p.done)
	}
	return nil
}

func (p *messagePrinter) printed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// OnDisconnected reports a connection that ended by itself.
func (p *messagePrinter) OnDisconnected(cause error) {
	if cause != nil {
		select {
		case p.lost <- cause:
		default:
		}
	}
}
