package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chzyer/readline"
)

// console is where the shell writes: command output and received frames
// to out, errors to err. Each call is one whole write under one lock, so
// lines from the connection's goroutines and from commands never mix. On a
// terminal, out and err are readline's writers, which clear the line being
// edited, write, and draw the prompt and the line again below.
type console struct {
	mu    sync.Mutex
	out   io.Writer
	err   io.Writer
	color bool // errors in bold red, as stomp.py shows them
}

const (
	ansiBoldRed = "\x1b[1;31m"
	ansiReset   = "\x1b[0m"
)

// write writes b to out.
func (c *console) write(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.out.Write(b)
}

// printf writes one line (or block) to out.
func (c *console) printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if len(s) == 0 || s[len(s)-1] != '\n' {
		s += "\n"
	}
	c.write([]byte(s))
}

// errorf writes one error line to err.
func (c *console) errorf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if c.color {
		s = ansiBoldRed + s + ansiReset
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.err, s+"\n")
}

// errorBlock writes a multi-line block to err.
func (c *console) errorBlock(b []byte) {
	if c.color {
		b = append(append([]byte(ansiBoldRed), b...), ansiReset...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.err.Write(b)
}

// lineSource yields the lines the shell runs.
type lineSource interface {
	// next returns the next line; io.EOF at the end of input (Ctrl-D on a
	// terminal), errInterrupted for Ctrl-C at the prompt.
	next(ctx context.Context) (string, error)
	close()
}

// errInterrupted: Ctrl-C at the prompt.
var errInterrupted = errors.New("interrupted")

// readerLines reads lines from a pipe or file, on a goroutine of its own so
// that the shell can stop waiting for input when it is told to quit. The
// goroutine ends at the end of the input, or, blocked in a read when the
// shell quits, with the process.
type readerLines struct {
	lines chan string
	errc  chan error
	done  chan struct{}
	once  sync.Once
}

func newReaderLines(r io.Reader) *readerLines {
	l := &readerLines{lines: make(chan string), errc: make(chan error, 1), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), maxLine)
		for sc.Scan() {
			select {
			case l.lines <- sc.Text():
			case <-l.done:
				return
			}
		}
		err := sc.Err()
		if err == nil {
			err = io.EOF
		}
		l.errc <- err
	}()
	return l
}

// maxLine is the longest command line read from a pipe or file.
const maxLine = 16 << 20

// next returns the next line read, or io.EOF once ctx ends.
func (l *readerLines) next(ctx context.Context) (string, error) {
	select {
	case s := <-l.lines:
		return s, nil
	case err := <-l.errc:
		return "", err
	case <-ctx.Done():
		return "", io.EOF
	}
}

// close lets the reading goroutine end at its next line.
func (l *readerLines) close() { l.once.Do(func() { close(l.done) }) }

// terminalLines reads lines with readline: editing, history, completion.
type terminalLines struct {
	rl       *readline.Instance
	stdin    *readline.CancelableStdin
	atPrompt atomic.Bool // inside Readline
	once     sync.Once
}

// newTerminal sets up readline on the process's terminal. historyFile may
// be "" (no history kept).
func newTerminal(prompt, historyFile string, complete readline.AutoCompleter) (*terminalLines, error) {
	// Our own cancelable stdin: readline's Close does not close the one it
	// makes, so a Close while Readline waits for a key (SIGTERM at the
	// prompt) would wait for that key.
	stdin := readline.NewCancelableStdin(os.Stdin)
	rl, err := readline.NewEx(&readline.Config{
		Stdin:             stdin,
		Prompt:            prompt,
		HistoryFile:       historyFile,
		HistorySearchFold: true,
		AutoComplete:      complete,
		InterruptPrompt:   "^C",
		EOFPrompt:         "quit",
	})
	if err != nil {
		_ = stdin.Close()
		return nil, err
	}
	return &terminalLines{rl: rl, stdin: stdin}, nil
}

// next reads a line with readline.
func (t *terminalLines) next(context.Context) (string, error) {
	t.atPrompt.Store(true)
	line, err := t.rl.Readline()
	t.atPrompt.Store(false)
	if errors.Is(err, readline.ErrInterrupt) {
		return line, errInterrupted
	}
	return line, err
}

// close ends readline; safe to call from another goroutine while next
// waits, and more than once.
func (t *terminalLines) close() {
	t.once.Do(func() {
		_ = t.stdin.Close()
		_ = t.rl.Close()
	})
}

// writer returns a writer that does not garble the prompt: readline's own
// writer clears the line being edited, writes, and draws the prompt and
// the line again, but only while its terminal goroutine waits for a key.
// Between printing the prompt and waiting, and between two keys, it writes
// straight through, after the prompt. So while the shell is at the prompt,
// a write first waits (briefly) for readline to be waiting.
func (t *terminalLines) writer(w io.Writer) io.Writer {
	return promptSafeWriter{t: t, w: w}
}

type promptSafeWriter struct {
	t *terminalLines
	w io.Writer
}

// promptSettle bounds how long a write waits for readline to be waiting
// for a key; it is normally a matter of microseconds.
const promptSettle = 200 * time.Millisecond

// Write writes b above the prompt.
func (p promptSafeWriter) Write(b []byte) (int, error) {
	if p.t.atPrompt.Load() && !p.t.rl.Terminal.IsReading() {
		deadline := time.Now().Add(promptSettle)
		for p.t.atPrompt.Load() && !p.t.rl.Terminal.IsReading() && time.Now().Before(deadline) {
			time.Sleep(100 * time.Microsecond)
		}
	}
	return p.w.Write(b)
}

// historyPath returns the history file: $XDG_STATE_HOME/stampede/history
// when XDG_STATE_HOME is set, else ~/.stampede_history; "" when there is
// no home to keep it in.
func historyPath() string {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		d := filepath.Join(dir, "stampede")
		if err := os.MkdirAll(d, 0o700); err == nil {
			return filepath.Join(d, "history")
		}
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".stampede_history")
}

// isTerminal reports whether both stdin and stdout are terminals: only
// then is the shell interactive.
func isTerminal(in io.Reader, out io.Writer) bool {
	fi, ok := in.(*os.File)
	fo, ok2 := out.(*os.File)
	return ok && ok2 && readline.IsTerminal(int(fi.Fd())) && readline.IsTerminal(int(fo.Fd()))
}
