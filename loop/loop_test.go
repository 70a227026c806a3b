package loop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }

// recorder is a Handler that records what reaches it.
type recorder struct {
	mu     sync.Mutex
	frames []*codec.Frame
	beats  int
	closed chan error
	onOpen func(c *Conn)
	onFrm  func(c *Conn, f *codec.Frame)
	got    chan struct{}
}

func newRecorder() *recorder {
	return &recorder{closed: make(chan error, 1), got: make(chan struct{}, 1<<16)}
}

func (r *recorder) OnOpen(c *Conn) {
	if r.onOpen != nil {
		r.onOpen(c)
	}
}
func (r *recorder) OnFrame(c *Conn, f *codec.Frame) {
	r.mu.Lock()
	cp := *f
	r.frames = append(r.frames, &cp)
	r.mu.Unlock()
	if r.onFrm != nil {
		r.onFrm(c, f)
	}
	r.got <- struct{}{}
}
func (r *recorder) OnHeartBeat(*Conn)          { r.mu.Lock(); r.beats++; r.mu.Unlock() }
func (r *recorder) OnClose(_ *Conn, err error) { r.closed <- err }

func (r *recorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.frames) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// echoServer answers every frame with a MESSAGE carrying the same body.
func echoServer(t *testing.T) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", func(local, remote net.Addr) (ConnConfig, error) {
		return ConnConfig{Handler: echo{}}, nil
	}, nil, WithLoops(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type echo struct{}

func (echo) OnOpen(*Conn) {}
func (echo) OnFrame(c *Conn, f *codec.Frame) {
	m := codec.Frame{Command: codec.Message, Header: codec.Header{{Key: "n", Value: f.Header.Get("n")}}, Body: f.Body}
	if err := c.WriteFrame(context.Background(), Force, codec.Encoder{Version: codec.V12}, &m); err != nil {
		panic(err)
	}
}
func (echo) OnHeartBeat(*Conn)    {}
func (echo) OnClose(*Conn, error) {}

func newEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(WithLoops(2), WithTick(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestRoundTripThroughServer(t *testing.T) {
	s := echoServer(t)
	e := newEngine(t)
	rec := newRecorder()
	c, err := e.Dial(context.Background(), s.Addr().String(), DialConfig{}, ConnConfig{Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	enc := codec.Encoder{Version: codec.V12}
	const n = 5000
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n / 4 {
				f := codec.New(codec.Send, "destination", "/q", "n", fmt.Sprint(w*n+i))
				f.Body = []byte("payload\x00with NUL")
				if err := c.WriteFrame(context.Background(), Wait, enc, f); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "echoes", func() bool { return rec.count() == n })
	for _, f := range rec.frames {
		if f.Command != codec.Message || string(f.Body) != "payload\x00with NUL" {
			t.Fatalf("bad echo %v", f)
		}
	}
	if e.Conns() != 1 {
		t.Fatalf("%d conns", e.Conns())
	}
	c.Close(nil)
	<-c.Done()
	if err := <-rec.closed; err != nil {
		t.Fatalf("local close reported %v", err)
	}
	if err := c.WriteFrame(context.Background(), Wait, enc, codec.New(codec.Send)); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// silentPeer listens on loopback and hands over the one connection it
// accepts, from which nobody reads; the listener closes with the test.
func silentPeer(t *testing.T) (string, <-chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	return ln.Addr().String(), accepted
}

// TestBackpressure writes to a peer that never reads.
func TestBackpressure(t *testing.T) {
	addr, accepted := silentPeer(t)
	e := newEngine(t)
	rec := newRecorder()
	c, err := e.Dial(context.Background(), addr, DialConfig{}, ConnConfig{Handler: rec, HighWater: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	defer peer.Close()
	body := make([]byte, 16<<10)
	f := &codec.Frame{Command: codec.Send, Body: body}
	enc := codec.Encoder{Version: codec.V12}
	// Fill the kernel's buffers: writes go through until the socket stops
	// taking bytes, then a waiting write blocks until its context ends. A
	// write blocked for a whole second means the socket is full, not that
	// the loop was slow to flush.
	blocked := false
	for range 20000 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.WriteFrame(ctx, Wait, enc, f)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			blocked = true
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !blocked {
		t.Fatal("writes never blocked")
	}
	// NoWait fails once the mark is reached (the socket may have taken a
	// little more since the timeout).
	for i := 0; ; i++ {
		err := c.WriteFrame(context.Background(), NoWait, enc, f)
		if errors.Is(err, ErrBackpressure) {
			break
		}
		if err != nil || i > 10 {
			t.Fatalf("NoWait past the mark: %v after %d writes", err, i)
		}
	}
	if b := c.Buffered(); b > 64<<10+len(body)+1024 {
		t.Fatalf("%d bytes buffered past a 64 KiB mark", b)
	}
	// Force ignores the mark (for heart-beats and replies on the loop).
	if err := c.WriteFrame(context.Background(), Force, enc, codec.New(codec.Ack, "id", "1")); err != nil {
		t.Fatal(err)
	}
	// The peer reads: a waiting writer gets through.
	done := make(chan error, 1)
	go func() { done <- c.WriteFrame(context.Background(), Wait, enc, f) }()
	go io.Copy(io.Discard, peer)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.Close(nil)
	<-c.Done()
}

func TestHeartBeats(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	e := newEngine(t)
	rec := newRecorder()
	rec.onOpen = func(c *Conn) { c.SetHeartBeat(20*time.Millisecond, time.Second) }
	c, err := e.Dial(context.Background(), ln.Addr().String(), DialConfig{}, ConnConfig{Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	defer peer.Close()
	// The client sends EOLs while idle.
	buf := make([]byte, 3)
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(peer, buf); err != nil || string(buf) != "\n\n\n" {
		t.Fatalf("heart-beats: %q %v", buf, err)
	}
	// The peer's EOLs count, and keep the connection alive past the receive timeout.
	pace := time.NewTicker(10 * time.Millisecond) // the peer's own heart-beat rhythm
	// 1.2 s of beats: longer than the receive timeout.
	for range 120 {
		peer.Write([]byte("\n"))
		<-pace.C
	}
	pace.Stop()
	select {
	case err := <-rec.closed:
		t.Fatalf("closed while the peer beat: %v", err)
	default:
	}
	// Silence: the client gives up.
	select {
	case err := <-rec.closed:
		if !errors.Is(err, ErrHeartbeatTimeout) {
			t.Fatalf("closed with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no heart-beat timeout")
	}
	<-c.Done()
	if !errors.Is(c.Err(), ErrHeartbeatTimeout) {
		t.Fatal(c.Err())
	}
	rec.mu.Lock()
	beats := rec.beats
	rec.mu.Unlock()
	if beats < 25 {
		t.Fatalf("%d heart-beats seen", beats)
	}
}

func TestDecodeErrorClosesWithTypedError(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, _ := ln.Accept()
		c.Write([]byte("MESSAGE\n:bad\n\n\x00"))
		io.Copy(io.Discard, c)
	}()
	e := newEngine(t)
	rec := newRecorder()
	c, err := e.Dial(context.Background(), ln.Addr().String(), DialConfig{}, ConnConfig{Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	err = <-rec.closed
	if !errors.Is(err, codec.ErrEmptyHeaderName) {
		t.Fatalf("closed with %v", err)
	}
	<-c.Done()
}

func TestPeerEOF(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, _ := ln.Accept()
		c.Close()
	}()
	e := newEngine(t)
	rec := newRecorder()
	if _, err := e.Dial(context.Background(), ln.Addr().String(), DialConfig{}, ConnConfig{Handler: rec}); err != nil {
		t.Fatal(err)
	}
	if err := <-rec.closed; !errors.Is(err, io.EOF) {
		t.Fatalf("closed with %v", err)
	}
}

func TestDialErrors(t *testing.T) {
	e := newEngine(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	_, err := e.Dial(context.Background(), addr, DialConfig{}, ConnConfig{Handler: newRecorder()})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial closed port: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Dial(ctx, addr, DialConfig{}, ConnConfig{Handler: newRecorder()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled dial: %v", err)
	}
}

func TestServerRefusesWhenAcceptFails(t *testing.T) {
	s, err := Listen("127.0.0.1:0", func(net.Addr, net.Addr) (ConnConfig, error) {
		return ConnConfig{}, errors.New("no")
	}, nil, WithLoops(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read from refused: %v", err)
	}
}

func TestEngineCloseClosesConnections(t *testing.T) {
	s := echoServer(t)
	e, err := NewEngine(WithLoops(1))
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	c, err := e.Dial(context.Background(), s.Addr().String(), DialConfig{}, ConnConfig{Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if _, err := e.Dial(context.Background(), s.Addr().String(), DialConfig{}, ConnConfig{Handler: rec}); !errors.Is(err, ErrEngineClosed) {
		t.Fatalf("dial after close: %v", err)
	}
	e.Close()
}
