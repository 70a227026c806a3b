// Package exampletest runs an example's program in-process for its tests:
// every example's main is a thin wrapper around a run function that takes
// a context, the arguments and the two output streams and returns the exit
// code, so a test calls run directly and reads what it printed.
//
// Importing it also registers ginkgo's flags in the test binary, so that
// one command can run the example tests with the specs:
//
//	go test ./examples/... ./specs/ -ginkgo.focus=example
package exampletest

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/onsi/ginkgo/v2" // registers -ginkgo.* on flag.CommandLine
	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/internal/leaktest"
)

// RunFunc is an example's program.
type RunFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// Main is TestMain for an example's tests: it fails the tests when
// goroutines outlive them. Every example closes its engine, connections
// and embedded broker before run returns.
func Main(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }

// Buffer is a bytes.Buffer safe for concurrent use: handlers print from
// the executor's goroutines while the program prints from its own. The
// zero value is ready to use.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced by every Write
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// WaitFor waits until what was written contains s, and fails t when that
// takes longer than timeout.
func (b *Buffer) WaitFor(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		found := strings.Contains(b.buf.String(), s)
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("no %q in %v; got:\n%s", s, timeout, b.String())
		}
	}
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Result is what a run returned and printed.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Lines returns the lines of Stdout, without the first, which names the
// broker and its port.
func (r Result) Lines() []string {
	lines := strings.Split(strings.TrimRight(r.Stdout, "\n"), "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "broker: ") {
		lines = lines[1:]
	}
	return lines
}

// Run runs fn with args under a 30 s deadline and returns what it did.
func Run(t testing.TB, fn RunFunc, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return RunContext(ctx, fn, args...)
}

// RunContext runs fn with args under ctx and returns what it did.
func RunContext(ctx context.Context, fn RunFunc, args ...string) Result {
	var stdout, stderr Buffer
	code := fn(ctx, args, &stdout, &stderr)
	return Result{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}

// Expect fails t unless r exited with code and Lines equals want.
func (r Result) Expect(t testing.TB, code int, want ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.Code, code, r.Stdout, r.Stderr)
	}
	got := r.Lines()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("stdout:\n%s\nwant (after the broker line):\n%s\nstderr:\n%s", r.Stdout, strings.Join(want, "\n"), r.Stderr)
	}
}
