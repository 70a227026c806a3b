package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/broker"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until buf holds want.
// txID finds the id the shell printed for a transaction.
var txID = regexp.MustCompile(`Transaction id: (tx-[0-9]+)`)

func waitFor(t *testing.T, buf *syncBuffer, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(buf.String(), want) {
		select {
		case <-deadline:
			t.Fatalf("no %q in:\n%s", want, buf.String())
		case <-tick.C:
		}
	}
}

func startTestBroker(t *testing.T, opts ...broker.Option) *broker.Broker {
	t.Helper()
	b, err := broker.Start(append([]broker.Option{broker.WithListen("127.0.0.1:0"), broker.WithLoops(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	return b
}

// pipedShell runs the shell on a pipe, as "cmds | stampede" does.
type pipedShell struct {
	in          *io.PipeWriter
	out, errOut syncBuffer
	done        chan int
}

func startPipedShell(t *testing.T, args ...string) *pipedShell {
	t.Helper()
	r, w := io.Pipe()
	p := &pipedShell{in: w, done: make(chan int, 1)}
	go func() { p.done <- shellMain(context.Background(), args, r, &p.out, &p.errOut) }()
	t.Cleanup(func() { _ = w.Close() })
	return p
}

func (p *pipedShell) typeLine(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		t.Fatalf("typing %q: %v (stderr: %s)", line, err, p.errOut.String())
	}
}

// exit closes the input and returns the exit code.
func (p *pipedShell) exit(t *testing.T) int {
	t.Helper()
	_ = p.in.Close()
	select {
	case code := <-p.done:
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("the shell did not end")
		return -1
	}
}

var ackHeader = regexp.MustCompile(`(?m)^ack: (\S+)$`)

func TestShellOnAPipe(t *testing.T) {
	b := startTestBroker(t)
	dir := t.TempDir()
	p := startPipedShell(t, "--url", b.URL(), "--download-dir", dir)
	waitFor(t, &p.out, "CONNECTED\nversion: 1.2\n")

	p.typeLine(t, "subscribe /queue/a client-individual")
	waitFor(t, &p.out, "Subscribing to '/queue/a' with acknowledge set to 'client-individual', id set to '1'")
	p.typeLine(t, "send /queue/a hello   there")
	waitFor(t, &p.out, "\n\nhello   there\n")
	ids := ackHeader.FindStringSubmatch(p.out.String())
	if ids == nil {
		t.Fatalf("no ack header:\n%s", p.out.String())
	}
	p.typeLine(t, "ack "+ids[1])
	p.typeLine(t, "ack "+ids[1]) // a second time: unknown now
	waitFor(t, &p.errOut, `ack: no received message with ack id "`+ids[1]+`"`)

	p.typeLine(t, "begin")
	waitFor(t, &p.out, "Transaction id: tx-")
	tx := txID.FindStringSubmatch(p.out.String())[1]
	p.typeLine(t, "send /queue/a in the transaction")
	p.typeLine(t, "rollback")
	waitFor(t, &p.out, "Aborted transaction: "+tx)
	p.typeLine(t, "sendreply /queue/a corr-7 the reply")
	waitFor(t, &p.out, "correlation-id: corr-7")

	file := filepath.Join(t.TempDir(), "data.bin")
	payload := []byte("\x00\x01binary\xff")
	if err := os.WriteFile(file, payload, 0o644); err != nil {
		t.Fatal(err)
	}
	p.typeLine(t, "sendfile /queue/a "+file)
	waitFor(t, &p.out, "Saved file: "+filepath.Join(dir, "data.bin"))
	p.typeLine(t, "sendfile /queue/a "+file)
	waitFor(t, &p.out, "Saved file: "+filepath.Join(dir, "data-1.bin"))
	if got, _ := os.ReadFile(filepath.Join(dir, "data-1.bin")); !bytes.Equal(got, payload) {
		t.Fatalf("saved %q", got)
	}

	p.typeLine(t, "stats on")
	p.typeLine(t, "sendrec /queue/b counted")
	waitFor(t, &p.out, "RECEIPT\nreceipt-id: ")
	p.typeLine(t, "stats")
	waitFor(t, &p.out, "Messages sent: 1\n")
	p.typeLine(t, "unsubscribe /queue/a")
	waitFor(t, &p.out, "Unsubscribing from '/queue/a'")
	p.typeLine(t, "frobnicate")
	waitFor(t, &p.errOut, "Unknown command: frobnicate")
	if code := p.exit(t); code != 1 {
		t.Fatalf("exit code %d after failed commands, want 1", code)
	}
	if strings.Contains(p.out.String(), "in the transaction") {
		t.Fatalf("an aborted send was delivered:\n%s", p.out.String())
	}
}

func TestShellExitsZeroWhenEveryCommandWorked(t *testing.T) {
	b := startTestBroker(t)
	p := startPipedShell(t, "--url", b.URL(), "-S", "1.1")
	p.typeLine(t, "version")
	waitFor(t, &p.out, "[Protocol version 1.1]")
	p.typeLine(t, "quit")
	if code := <-p.done; code != 0 {
		t.Fatalf("exit code %d: %s", code, p.errOut.String())
	}
}

func TestShellScriptFile(t *testing.T) {
	b := startTestBroker(t)
	dir := t.TempDir()
	inner := filepath.Join(dir, "inner.txt")
	script := filepath.Join(dir, "script.txt")
	os.WriteFile(inner, []byte("sendrec /queue/s from the inner script\n"), 0o644)
	os.WriteFile(script, []byte("# a comment\nbegin\nsend /queue/s one\ncommit\nrun "+inner+"\n"), 0o644)
	var out, errOut syncBuffer
	code := shellMain(context.Background(), []string{"--url", b.URL(), "-F", script}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, errOut.String())
	}
	m := txID.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no transaction id in:\n%s", out.String())
	}
	for _, want := range []string{"Committing " + m[1], "RECEIPT"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
	var got syncBuffer
	code = run(context.Background(), []string{"subscribe", "--url", b.URL(), "/queue/s", "--count", "2", "--json"}, &got, &errOut)
	if code != 0 || !strings.Contains(got.String(), `"body":"one"`) || !strings.Contains(got.String(), `"body":"from the inner script"`) {
		t.Fatalf("subscribe: %d %s %s", code, got.String(), errOut.String())
	}
}

func TestOneShotSendAndSubscribe(t *testing.T) {
	b := startTestBroker(t)
	var out, errOut syncBuffer
	ctx := context.Background()
	if code := sendMain(ctx, []string{"--url", b.URL(), "/queue/o", "-", "--header", "k:v"}, strings.NewReader("from stdin"), &out, &errOut); code != 0 {
		t.Fatalf("send -: %d %s", code, errOut.String())
	}
	if code := sendMain(ctx, []string{"--url", b.URL(), "--lines", "/queue/o"}, strings.NewReader("l1\nl2\r\n"), &out, &errOut); code != 0 {
		t.Fatalf("send --lines: %d %s", code, errOut.String())
	}
	code := run(ctx, []string{"subscribe", "--url", b.URL(), "/queue/o", "--count", "3"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("subscribe: %d %s", code, errOut.String())
	}
	for _, want := range []string{"k: v\n", "\n\nfrom stdin\n", "\n\nl1\n", "\n\nl2\n"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
	code = run(ctx, []string{"subscribe", "--url", b.URL(), "/queue/o", "--count", "1", "--timeout", "100ms"}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "timed out") {
		t.Fatalf("timeout: %d %s", code, errOut.String())
	}
}

func TestExitCodes(t *testing.T) {
	b := startTestBroker(t, broker.WithAuth("u", "p"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "tcp://" + l.Addr().String()
	l.Close()
	good := strings.Replace(b.URL(), "tcp://", "tcp://u:p@", 1)
	bad := strings.Replace(b.URL(), "tcp://", "tcp://u:wrong@", 1)
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--url", refused}, 1, "cannot connect"},
		{[]string{"--url", bad}, 1, "cannot connect to tcp://u:xxxxx@"},
		{[]string{"send", "--url", bad, "/queue/x", "b"}, 1, "cannot connect"},
		{[]string{"subscribe", "--url", refused, "/queue/x"}, 1, "cannot connect"},
		{[]string{"send", "--url", good, "/queue/x", "b"}, 0, ""},
		{[]string{"--nope"}, 2, "flag provided but not defined"},
		{[]string{"-S", "2.0"}, 2, "--protocol"},
		{[]string{"stray"}, 2, "unknown command"},
		{[]string{"-F", "x", "-L", "y"}, 2, "cannot be used together"},
		{[]string{"send"}, 2, "missing <destination>"},
		{[]string{"send", "/q", "a", "b"}, 2, "unexpected argument"},
		{[]string{"subscribe", "/q", "--count", "-1"}, 2, "--count"},
		{[]string{"subscribe", "--multicast", "--multicast-group", "10.0.0.1", "/q"}, 2, "multicast address"},
		{[]string{"version"}, 0, ""},
		{[]string{"--version"}, 0, ""},
	} {
		var out, errOut syncBuffer
		code := shellOrRun(c.args, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.err) {
			t.Errorf("%q: exit code %d, stderr %q; want %d and %q", c.args, code, errOut.String(), c.code, c.err)
		}
		if strings.Contains(out.String()+errOut.String(), "wrong") {
			t.Errorf("%q: the password was printed", c.args)
		}
	}
}

// shellOrRun runs the binary's dispatcher with an empty standard input.
func shellOrRun(args []string, out, errOut io.Writer) int {
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		return shellMain(context.Background(), args, strings.NewReader(""), out, errOut)
	}
	return run(context.Background(), args, out, errOut)
}
