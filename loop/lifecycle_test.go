package loop

import (
	"bytes"
	"errors"
	"net"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAHeartBeatWhoseWriteFailsClosesTheConnection: the heart-beat check
// writes an EOL; when the socket refuses it (EPIPE), gnet closes the
// connection at once, inside the write, and OnClose stops its timers. The
// check must then stop, not re-arm a timer it no longer has: that was a
// nil dereference on the loop, and the process died.
func TestAHeartBeatWhoseWriteFailsClosesTheConnection(t *testing.T) {
	addr, accepted := silentPeer(t)
	e := newEngine(t)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	// A second descriptor of the socket, to shut its sending side down
	// behind the loop's back.
	f, err := nc.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := newRecorder()
	opened := make(chan *Conn, 1)
	rec.onOpen = func(c *Conn) { opened <- c }
	if _, err := e.Enroll(nc, ConnConfig{Handler: rec}); err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	defer peer.Close()
	c := <-opened
	if err := syscall.Shutdown(int(f.Fd()), syscall.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if err := c.Post(func() { c.SetHeartBeat(5*time.Millisecond, 0) }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-rec.closed:
		if !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("closed with %v, want EPIPE", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the connection did not close")
	}
}

// TestEnrollRefusesAConfigWithoutHandler: a missing handler is a typed
// error before anything reaches a loop, not a crash inside it.
func TestEnrollRefusesAConfigWithoutHandler(t *testing.T) {
	addr, accepted := silentPeer(t)
	e := newEngine(t)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { (<-accepted).Close() }()
	if _, err := e.Enroll(nc, ConnConfig{}); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("Enroll: %v, want ErrInvalidOption", err)
	}
}

// TestListenReturnsWithEveryLoopRunning: gnet calls OnBoot before it starts
// its event loops; Listen waits until they exist, so that a goroutine count or a
// leak baseline taken right after Listen already holds the server's own.
func TestListenReturnsWithEveryLoopRunning(t *testing.T) {
	for range 20 {
		before := goroutineStacks()
		s, err := Listen("127.0.0.1:0", func(net.Addr, net.Addr) (ConnConfig, error) {
			return ConnConfig{Handler: echo{}}, nil
		}, nil, WithLoops(3))
		if err != nil {
			t.Fatal(err)
		}
		// gnet starts each of them with errgroup: 3 loops, the acceptor
		// and the ticker (some not scheduled yet, but they exist). Those
		// of an earlier server may still be on their way out: only the
		// goroutines that are new since before Listen count.
		n := 0
		for id, stack := range goroutineStacks() {
			if _, old := before[id]; !old && strings.Contains(stack, "errgroup.(*Group).Go.func1()") {
				n++
			}
		}
		s.Close()
		if n != 5 {
			t.Fatalf("after Listen: %d of the server's 5 goroutines exist", n)
		}
	}
}

// goroutineStacks returns the stack of every goroutine by its id.
func goroutineStacks() map[string]string {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2) // one stack per goroutine
	stacks := map[string]string{}
	for _, g := range strings.Split(buf.String(), "\n\n") {
		head, _, _ := strings.Cut(g, "\n")
		if rest, ok := strings.CutPrefix(head, "goroutine "); ok {
			id, _, _ := strings.Cut(rest, " ")
			stacks[id] = g
		}
	}
	return stacks
}
