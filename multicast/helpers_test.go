package multicast_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait of these tests; on loopback everything
// takes milliseconds.
const waitTimeout = 10 * time.Second

var groupSeq atomic.Uint32

// newGroup returns a group and a port used by no other test: groups are
// 239.x.y.z with x, y, z from the process id and a counter, and the port is
// one the kernel just handed out as free.
func newGroup(t testing.TB) (string, int) {
	t.Helper()
	n := groupSeq.Add(1)
	pid := os.Getpid()
	group := fmt.Sprintf("239.%d.%d.%d", 1+pid%200, (pid/200+int(n)/250)%256, 1+n%250)
	c, err := net.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return group, port
}

// loopOpts keeps a member's traffic on lo: the group is joined there and
// datagrams are sent through it.
func loopOpts(group string, port int) []multicast.Option {
	return []multicast.Option{
		multicast.WithGroup(group),
		multicast.WithPort(port),
		multicast.WithInterface("lo"),
		multicast.WithTTL(1),
	}
}

// member dials a member of group:port on lo and closes it when the test
// ends.
func member(t testing.TB, group string, port int, opts ...multicast.Option) *multicast.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	c, err := multicast.Dial(ctx, append(loopOpts(group, port), opts...)...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// ctxT returns a context that ends with the test or after waitTimeout.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// inbox is a handler that keeps the messages it gets in a channel.
type inbox chan *handlers.Message

func newInbox() inbox { return make(inbox, 256) }

func (b inbox) HandleMessage(_ context.Context, m *handlers.Message) error {
	b <- m
	return nil
}

// next waits for the next message.
func (b inbox) next(t testing.TB) *handlers.Message {
	t.Helper()
	select {
	case m := <-b:
		return m
	case <-time.After(waitTimeout):
		t.Fatal("no message arrived")
		return nil
	}
}

// empty asserts that no message is waiting.
func (b inbox) empty(t testing.TB) {
	t.Helper()
	select {
	case m := <-b:
		t.Fatalf("unexpected message to %s: %q", m.Destination(), m.Body())
	default:
	}
}

// subscribe subscribes c to dest with a new inbox.
func subscribe(t testing.TB, c *multicast.Conn, dest string, opts ...multicast.SubscribeOption) (inbox, *multicast.Subscription) {
	t.Helper()
	b := newInbox()
	s, err := c.Subscribe(ctxT(t), dest, b, opts...)
	if err != nil {
		t.Fatalf("Subscribe(%s): %v", dest, err)
	}
	return b, s
}

// send sends body to dest and fails the test on error.
func send(t testing.TB, c *multicast.Conn, dest, body string, opts ...multicast.SendOption) {
	t.Helper()
	if err := c.Send(ctxT(t), dest, []byte(body), opts...); err != nil {
		t.Fatalf("Send(%s): %v", dest, err)
	}
}

// eventually polls cond until it holds or the wait times out.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// recorder is a listener that records every event as a line of text, and
// the frames and errors it was given.
type recorder struct {
	handlers.Base
	mu       sync.Mutex
	events   []string
	receipts []string
	errs     []error
	frames   []*codec.Frame // CONNECTED frames
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) OnConnecting(addr string) { r.add("connecting %s", addr) }
func (r *recorder) OnConnected(f *codec.Frame) {
	r.mu.Lock()
	r.frames = append(r.frames, f)
	r.mu.Unlock()
	r.add("connected")
}
func (r *recorder) OnDisconnecting()       { r.add("disconnecting") }
func (r *recorder) OnDisconnected(e error) { r.add("disconnected %v", e) }
func (r *recorder) OnClosed()              { r.add("closed") }
func (r *recorder) OnMessage(m *handlers.Message) {
	r.add("message %s %s", m.Destination(), m.Body())
}
func (r *recorder) OnReceipt(f *codec.Frame) {
	r.mu.Lock()
	r.receipts = append(r.receipts, f.Header.Get(codec.HdrReceiptID))
	r.mu.Unlock()
	r.add("receipt %s", f.Header.Get(codec.HdrReceiptID))
}
func (r *recorder) OnError(_ *codec.Frame, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
	r.add("error")
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) receiptIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.receipts...)
}

func (r *recorder) errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func (r *recorder) has(event string) bool {
	for _, e := range r.snapshot() {
		if e == event {
			return true
		}
	}
	return false
}

// recv waits for a value from ch.
func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatal("timed out waiting on a channel")
		var zero T
		return zero
	}
}
