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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// The shell is stomp.py's command-line client ("python -m stomp") in Go:
// the same flags, commands and output shapes, with line editing, history
// and completion on a terminal, and exit codes scripts can rely on.
//
//	stampede [flags]          stampede shell [flags]
//
// It reads commands from a terminal (readline), from a pipe, or from a
// file (-F), or only prints what a destination receives (-L).

func shellCommand() command {
	return command{
		name:    "shell",
		summary: "the interactive STOMP shell, stomp.py's CLI (the default: stampede [flags])",
		run:     runShell,
	}
}

// shellFlags are the shell's flags: stomp.py's and a few more.
type shellFlags struct {
	conn        connFlags
	mc          multicastFlags
	file        string
	listen      string
	verbose     bool
	version     bool
	downloadDir string
}

func (f *shellFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs, true)
	f.mc.register(fs)
	fs.StringVar(&f.file, "file", "", "run the commands in this file, then quit, instead of prompting")
	fs.StringVar(&f.file, "F", "", "run the commands in this file (stomp.py -F)")
	fs.StringVar(&f.listen, "listen", "", "subscribe to this destination and print what arrives until interrupted")
	fs.StringVar(&f.listen, "L", "", "subscribe and print until interrupted (stomp.py -L)")
	fs.BoolVar(&f.verbose, "verbose", false, "print every frame sent and received (passcodes masked)")
	fs.BoolVar(&f.verbose, "V", false, "print every frame (stomp.py -V)")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	fs.StringVar(&f.downloadDir, "download-dir", ".", "where files received from sendfile are saved (never overwriting)")
}

func runShell(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return shellMain(ctx, args, os.Stdin, stdout, stderr)
}

// shellHelp prints the shell's usage: how to run it, its flags, and the
// subcommands of the binary.
func shellHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: stampede [flags]            the STOMP shell (stomp.py compatible; also: stampede shell)")
	fmt.Fprintln(w, "       stampede <command> [flags]  one of the commands below")
	fmt.Fprintln(w)
	printDefaults(w, "Shell flags", fs)
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Type "help" in the shell for its commands.`)
	fmt.Fprintln(w, "Exit status: 0 ok; 1 connection or protocol failure (or, reading a file or pipe, a failed command); 2 usage error.")
	fmt.Fprintln(w)
	listCommands(w)
}

// shellMain is the shell with its standard input given.
func shellMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const name = "stampede"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f shellFlags
	f.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagFailure(err, name, stdout, stderr, func(w io.Writer) { shellHelp(w, fs) })
	}
	switch {
	case f.version:
		fmt.Fprintln(stdout, versionString())
		return 0
	case len(pos) > 0:
		return usageError(stderr, name, "unexpected argument %q (commands are typed in the shell, or given with -F)", pos[0])
	case f.file != "" && f.listen != "":
		return usageError(stderr, name, "-F and -L cannot be used together")
	}
	s := &shell{
		downloadDir: f.downloadDir,
		interactive: f.file == "" && f.listen == "" && isTerminal(stdin, stdout),
		subs:        make(map[string]*shellSub),
		lost:        make(chan struct{}),
	}
	s.spec = dialSpec{conn: &f.conn, mc: &f.mc}
	if err := s.spec.check(); err != nil {
		return usageError(stderr, name, "%v", err)
	}
	if fi, err := os.Stat(f.downloadDir); err != nil || !fi.IsDir() {
		return usageError(stderr, name, "--download-dir %q: not a directory", f.downloadDir)
	}

	var src lineSource
	intr := newInterrupter(nil, nil)
	if s.interactive {
		term, err := newTerminal("> ", historyPath(), s.completer())
		if err != nil {
			fmt.Fprintf(stderr, "%s: terminal: %v\n", name, err)
			return 1
		}
		src = term
		defer term.close()
		s.con = &console{out: term.writer(term.rl.Stdout()), err: term.writer(term.rl.Stderr()), color: true}
		// Ctrl-C must not kill an interactive session: it cancels what
		// runs (at the prompt, readline sees it as a key). The signals are
		// caught here for as long as the shell runs, so the first one's
		// cancelling ctx does not end the shell either.
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
		intr = newInterrupter(sigs, term.close)
		defer intr.close()
		ctx = context.WithoutCancel(ctx)
	} else {
		s.con = &console{out: stdout, err: stderr}
	}
	if f.verbose {
		s.spec.listeners = append(s.spec.listeners, namedListener{"verbose", handlers.NewPrinting(consoleWriter{s.con, false})})
	}
	s.spec.listeners = append(s.spec.listeners, namedListener{"shell", shellEvents{s: s}})
	s.spec.logger = slog.New(slog.NewTextHandler(consoleWriter{s.con, true}, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var connErr error
	intr.run(ctx, func(ctx context.Context) { connErr = s.connect(ctx) })
	if connErr != nil {
		return 1
	}
	switch {
	case f.listen != "":
		if err := s.subscribe(ctx, f.listen, "auto"); err != nil {
			s.fail("subscribe: %v", err)
			break
		}
		select {
		case <-ctx.Done():
		case <-s.lost:
		}
	case f.file != "":
		if err := s.runFile(ctx, f.file); err != nil && !errors.Is(err, errQuit) {
			s.fail("%v", err)
		}
	case s.interactive:
		s.loop(ctx, src, intr)
	default:
		lines := newReaderLines(stdin)
		defer lines.close()
		s.loop(ctx, lines, intr)
	}
	s.disconnect()
	return s.exitCode()
}

// shell is one session of the shell. Commands run one at a time on the
// goroutine that runs loop; messages and events arrive on the connection's.
type shell struct {
	spec        dialSpec
	downloadDir string
	interactive bool
	con         *console
	cl          stompClient
	proto       codec.Version // negotiated; kept after the connection is lost
	acks        ackBook

	mu     sync.Mutex // guards subs, which completion reads from readline's goroutine
	subs   map[string]*shellSub
	nextID int

	tx    clientTx // the open transaction; commands only
	depth int      // nesting of run

	quitting  atomic.Bool
	failed    atomic.Bool // a connection or protocol failure: exit 1
	cmdFailed atomic.Bool // a command failed: exit 1 when not interactive
	lost      chan struct{}
	lostOnce  sync.Once
}

// shellSub is a subscription of the shell, known by its destination as in
// stomp.py.
type shellSub struct {
	id, ack     string
	unsubscribe func(context.Context) error
}

// errQuit ends the shell.
var errQuit = errors.New("quit")

// connect dials and prints the CONNECTED frame.
func (s *shell) connect(ctx context.Context) error {
	cl, err := dialClient(ctx, s.spec)
	if err != nil {
		s.failed.Store(true)
		s.con.errorf("stampede: cannot connect to %s: %v%s", s.spec.where(), err, refusedHint(err))
		return err
	}
	s.cl = cl
	s.proto = cl.version()
	if f := cl.connected(); f != nil {
		s.con.write(appendBlock(nil, "CONNECTED", f.Header, ""))
	}
	return nil
}

// refusedHint suggests the embedded broker when nothing listens.
func refusedHint(err error) string {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "\n(nothing listens there: start a broker with \"stampede broker\", or give --url)"
	}
	return ""
}

// disconnect leaves the broker (or group) gracefully.
func (s *shell) disconnect() {
	s.quitting.Store(true)
	if s.cl == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-s.lost:
		_ = s.cl.disconnect(ctx) // releases what is left
	default:
		if err := s.cl.disconnect(ctx); err != nil {
			s.failed.Store(true)
			s.con.errorf("stampede: disconnect: %v", err)
		}
	}
}

func (s *shell) exitCode() int {
	if s.failed.Load() || !s.interactive && s.cmdFailed.Load() {
		return 1
	}
	return 0
}

// fail reports a failed command.
func (s *shell) fail(format string, args ...any) {
	s.cmdFailed.Store(true)
	s.con.errorf(format, args...)
}

// loop reads and runs commands until quit, the end of input, or ctx ends
// (or, on a terminal, a SIGTERM or SIGHUP).
func (s *shell) loop(ctx context.Context, src lineSource, intr *interrupter) {
	for !intr.ended() {
		line, err := src.next(ctx)
		if errors.Is(err, errInterrupted) {
			if strings.TrimSpace(line) == "" {
				s.con.printf(`(type "quit" or press Ctrl-D to leave)`)
			}
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.fail("reading commands: %v", err)
			}
			return
		}
		var quit bool
		intr.run(ctx, func(ctx context.Context) { quit = s.exec(ctx, line) })
		if quit || ctx.Err() != nil {
			return
		}
	}
}

// interrupter turns the signals an interactive session gets into
// cancellations: Ctrl-C (SIGINT) cancels what runs (a command, the
// connect), never the session; SIGTERM and SIGHUP also end the session,
// calling end. Without signals (nil) it only runs functions.
type interrupter struct {
	mu      sync.Mutex
	cancel  context.CancelFunc // of what runs
	isEnded atomic.Bool
	stop    chan struct{}
	done    chan struct{}
}

func newInterrupter(sigs <-chan os.Signal, end func()) *interrupter {
	i := &interrupter{stop: make(chan struct{}), done: make(chan struct{})}
	if sigs == nil {
		close(i.done)
		return i
	}
	go func() {
		defer close(i.done)
		for {
			select {
			case sig := <-sigs:
				i.mu.Lock()
				if i.cancel != nil {
					i.cancel()
				}
				i.mu.Unlock()
				if sig != os.Interrupt {
					i.isEnded.Store(true)
					end()
				}
			case <-i.stop:
				return
			}
		}
	}()
	return i
}

// run runs f with a context that an interrupt cancels.
func (i *interrupter) run(ctx context.Context, f func(context.Context)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	i.mu.Lock()
	i.cancel = cancel
	i.mu.Unlock()
	defer func() {
		i.mu.Lock()
		i.cancel = nil
		i.mu.Unlock()
	}()
	f(ctx)
}

// ended reports whether a signal ended the session.
func (i *interrupter) ended() bool { return i.isEnded.Load() }

// close stops watching and joins the watcher.
func (i *interrupter) close() {
	select {
	case <-i.stop:
	default:
		close(i.stop)
	}
	<-i.done
}

// markLost records that the connection is gone.
func (s *shell) markLost() { s.lostOnce.Do(func() { close(s.lost) }) }

// runFile runs the commands of a file, as "run" and -F do.
func (s *shell) runFile(ctx context.Context, path string) error {
	const maxDepth = 8
	if s.depth >= maxDepth {
		return fmt.Errorf("run %s: scripts nested more than %d deep", path, maxDepth)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot run %s: %w", path, err)
	}
	s.depth++
	defer func() { s.depth-- }()
	for line := range strings.SplitSeq(string(data), "\n") {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.exec(ctx, strings.TrimSuffix(line, "\r")) {
			return errQuit
		}
	}
	return nil
}

// shellEvents is the shell's listener: it reports what the broker says
// outside of any command.
type shellEvents struct {
	handlers.Base
	s *shell
}

// OnError prints an ERROR frame (or a protocol error) as stomp.py does.
func (e shellEvents) OnError(f *codec.Frame, err error) {
	if f != nil {
		e.s.failed.Store(true)
		e.s.con.errorBlock(appendBlock(nil, "ERROR", f.Header, displayBody(f)))
		return
	}
	if !e.s.spec.mc.on { // multicast reports unusable datagrams here; not fatal
		e.s.failed.Store(true)
	}
	e.s.con.errorf("error: %v", err)
}

// OnDisconnected reports a lost connection.
func (e shellEvents) OnDisconnected(cause error) {
	if cause != nil && !e.s.quitting.Load() {
		e.s.failed.Store(true)
		e.s.con.errorf("lost connection: %v", cause)
	}
	e.s.markLost()
}

// OnClosed records that the connection is finished.
func (e shellEvents) OnClosed() { e.s.markLost() }

// consoleWriter adapts the console to io.Writer for the Printing listener
// and the logger; each Write is one line or record.
type consoleWriter struct {
	c      *console
	errors bool
}

// Write writes one line or record to the console.
func (w consoleWriter) Write(b []byte) (int, error) {
	if w.errors {
		w.c.errorBlock(append([]byte(nil), b...))
	} else {
		w.c.write(b)
	}
	return len(b), nil
}
