package stampede

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/internal/leaktest"
	"github.com/stampede-mq/stampede/internal/testcert"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/reconnect"
	"github.com/stampede-mq/stampede/websocket"
	"github.com/stampede-mq/stampede/websocket/wstest"
)

// wsEvents records a connection's events.
type wsEvents struct {
	handlers.Base
	reconnected chan struct{}
	beats       chan struct{}
	disconnect  chan error
}

func newWSEvents() *wsEvents {
	return &wsEvents{reconnected: make(chan struct{}, 8), beats: make(chan struct{}, 64), disconnect: make(chan error, 8)}
}

func (e *wsEvents) OnReconnected(*codec.Frame) { e.reconnected <- struct{}{} }
func (e *wsEvents) OnHeartbeat() {
	select {
	case e.beats <- struct{}{}:
	default:
	}
}
func (e *wsEvents) OnDisconnected(err error) { e.disconnect <- err }

// wsSetup starts a test server and an engine, and checks at the end that
// no goroutine is left behind.
func wsSetup(t *testing.T, o wstest.Options) (*wstest.Server, *Engine) {
	t.Helper()
	opts := leaktest.Options(goleak.IgnoreCurrent())
	t.Cleanup(func() { leaktest.VerifyNone(t, opts...) })
	s, err := wstest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	e, err := NewEngine(WithLoops(2), WithTick(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return s, e
}

func wsDial(t *testing.T, url string, opts ...Option) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, append([]Option{WithConnectTimeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wsRoundTrip subscribes to a fresh queue and checks that body comes back.
func wsRoundTrip(t *testing.T, c *Conn, dest string, body []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, dest, nil, WithSubscribeReceipt())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe(ctx)
	if err := c.Send(ctx, dest, body, WithReceipt()); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-sub.C():
		if !bytes.Equal(m.Body(), body) {
			t.Fatalf("body %q, want %q", m.Body(), body)
		}
	case <-ctx.Done():
		t.Fatal("no MESSAGE")
	}
}

var wsBinaryBody = []byte("bin\x00ary\xff\xfe\x00\x01\x80 body")

func TestWebSocketRoundTripEachVersion(t *testing.T) {
	s, e := wsSetup(t, wstest.Options{})
	for _, v := range codec.Versions {
		for _, binary := range []bool{false, true} {
			opts := []Option{WithEngine(e), WithVersions(v), WithLogin("guest", "guest"), WithHost("/")}
			if binary {
				opts = append(opts, WithWebSocketBinary())
			}
			c := wsDial(t, s.URL(), opts...)
			if c.Version() != v {
				t.Fatalf("negotiated %s, want %s", c.Version(), v)
			}
			wsRoundTrip(t, c, "/queue/ws", wsBinaryBody)
			if err := c.Disconnect(context.Background()); err != nil {
				t.Fatalf("Disconnect: %v", err)
			}
		}
	}
	for _, cn := range s.Connects() {
		if websocket.VersionOf(cn.Protocol) != cn.Version || cn.Login != "guest" || cn.Host != "/" {
			t.Fatalf("server saw %+v", cn)
		}
	}
}

func TestWebSocketFrameAcrossMessages(t *testing.T) {
	s, e := wsSetup(t, wstest.Options{SplitAt: 3, FragmentSize: 2})
	c := wsDial(t, s.URL(), WithEngine(e), WithHeartBeat(0, 0))
	wsRoundTrip(t, c, "/queue/split", wsBinaryBody)
	wsRoundTrip(t, c, "/queue/split", bytes.Repeat([]byte("0123456789\x00"), 3000))
	if err := c.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWebSocketHeartBeatsAndPing(t *testing.T) {
	// Heart-beats every 50 ms each way, sent as WebSocket messages; a
	// generous receive scale keeps a slow (race-enabled) run from timing
	// out: what is tested is that beats flow, both ways.
	hb := 50 * time.Millisecond
	s, e := wsSetup(t, wstest.Options{HeartBeat: codec.HeartBeat{Send: hb, Receive: hb}})
	ev := newWSEvents()
	c := wsDial(t, s.URL(), WithEngine(e), WithHeartBeat(hb, hb), WithHeartBeatScale(6), WithListener("events", ev))
	for range 5 {
		select {
		case <-ev.beats:
		case err := <-ev.disconnect:
			t.Fatalf("disconnected: %v", err)
		case <-time.After(5 * time.Second):
			t.Fatal("no heart-beat")
		}
	}
	if err := s.Ping([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for s.Pongs() == 0 {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("no pong")
		}
	}
	wsRoundTrip(t, c, "/queue/hb", []byte("alive"))
	if err := c.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWebSocketServerClose(t *testing.T) {
	s, e := wsSetup(t, wstest.Options{})
	c := wsDial(t, s.URL(), WithEngine(e))
	if err := s.CloseAll(1011, "internal"); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	var ce *websocket.CloseError
	if err := c.Err(); !errors.As(err, &ce) || ce.Code != 1011 || ce.Reason != "internal" {
		t.Fatalf("Err() = %v, want the close frame's status", err)
	}
}

func TestWebSocketDisconnectWithoutReceipt(t *testing.T) {
	s, e := wsSetup(t, wstest.Options{NoDisconnectReceipt: true})
	ev := newWSEvents()
	c := wsDial(t, s.URL(), WithEngine(e), WithListener("events", ev), WithDisconnectTimeout(30*time.Second))
	start := time.Now()
	if err := c.Disconnect(context.Background()); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Disconnect waited %v: the close did not count as the end", d)
	}
	if err := <-ev.disconnect; err != nil {
		t.Fatalf("OnDisconnected(%v), want a clean disconnect", err)
	}
}

func TestWebSocketReconnectAfterDrop(t *testing.T) {
	s, e := wsSetup(t, wstest.Options{})
	ev := newWSEvents()
	c := wsDial(t, s.URL(), WithEngine(e), WithListener("events", ev),
		WithReconnect(reconnect.Constant{Delay: 10 * time.Millisecond, Attempts: reconnect.Forever}))
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, "/queue/again", nil, WithSubscribeReceipt())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		s.Drop()
		if err := <-ev.disconnect; err == nil {
			t.Fatalf("drop %d reported as a clean disconnect", i)
		}
		select {
		case <-ev.reconnected:
		case <-ctx.Done():
			t.Fatalf("no reconnection after drop %d", i)
		}
		if err := c.Send(ctx, "/queue/again", []byte("after the drop"), WithReceipt()); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-sub.C():
			if string(m.Body()) != "after the drop" {
				t.Fatalf("body %q", m.Body())
			}
		case <-ctx.Done():
			t.Fatal("the subscription was not re-established")
		}
	}
}

func TestWebSocketWSS(t *testing.T) {
	ca := testcert.NewCA("stampede wss CA")
	leaf := ca.Issue(testcert.Options{})
	s, e := wsSetup(t, wstest.Options{TLS: &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}})
	c := wsDial(t, s.URL(), WithEngine(e), WithTLS(&tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}))
	wsRoundTrip(t, c, "/queue/tls", wsBinaryBody)
	if err := c.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Verification is on by default: the test CA is unknown to the system.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, s.URL(), WithEngine(e))
	if !errors.Is(err, websocket.ErrHandshake) {
		t.Fatalf("untrusted server: %v", err)
	}
}

func TestWebSocketUpgradeRequest(t *testing.T) {
	opts := leaktest.Options(goleak.IgnoreCurrent())
	defer leaktest.VerifyNone(t, opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan *http.Request, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		req, err := http.ReadRequest(bufio.NewReader(nc))
		if err != nil {
			return
		}
		got <- req
		_, _ = io.WriteString(nc, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, _ := NewEngine(WithLoops(1))
	defer e.Close()
	_, err = Dial(ctx, "ws://"+ln.Addr().String()+"/stomp/ws?tenant=a", WithEngine(e),
		WithVersions(codec.V11, codec.V12),
		WithWebSocketHeader("Authorization", "Bearer t0ken"),
		WithWebSocketHeader("Cookie", "a=1"), WithWebSocketHeader("Cookie", "b=2"),
		WithWebSocketHeader("Host", "stomp.example"))
	var he *websocket.HandshakeError
	if !errors.As(err, &he) || he.Status != 403 {
		t.Fatalf("err = %v, want the server's 403", err)
	}
	req := <-got
	if req.RequestURI != "/stomp/ws?tenant=a" || req.Host != "stomp.example" ||
		req.Header.Get("Authorization") != "Bearer t0ken" || len(req.Header.Values("Cookie")) != 2 ||
		req.Header.Get("Sec-WebSocket-Protocol") != "v12.stomp, v11.stomp" {
		t.Fatalf("request %s host %s headers %v", req.RequestURI, req.Host, req.Header)
	}
}

func TestWebSocketOptionsRefused(t *testing.T) {
	for _, o := range []Option{
		WithWebSocketHeader("Sec-WebSocket-Protocol", "mqtt"),
		WithWebSocketHeader("Upgrade", "h2c"),
		WithWebSocketHeader("X-Evil", "a\r\nX-Injected: 1"),
		WithWebSocketHeader("Bad Name", "1"),
		WithWebSocketHeader("Host", ""),
		WithWebSocketHeader("Host", "a/b"),
	} {
		if _, err := New("ws://127.0.0.1:1/ws", o); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("option accepted: %v", err)
		}
	}
}

// negotiated is a layer whose subprotocol named v.
type negotiated struct {
	loop.Layer
	v codec.Version
}

func (n negotiated) Protocol() string       { return "" }
func (n negotiated) Version() codec.Version { return n.v }

func TestWSVersionsFollowTheSubprotocol(t *testing.T) {
	all := []codec.Version{codec.V10, codec.V11, codec.V12}
	cases := []struct {
		layer loop.Layer
		want  []codec.Version
	}{
		{layer: negotiated{v: codec.V11}, want: []codec.Version{codec.V11}},
		{layer: negotiated{v: 0}, want: all}, // no subprotocol chosen
		{layer: nil, want: all},              // plain TCP
		{layer: negotiated{v: codec.V12}, want: []codec.Version{codec.V12}},
	}
	for _, tc := range cases {
		got := wsVersions(tc.layer, all)
		if codec.FormatAcceptVersion(got) != codec.FormatAcceptVersion(tc.want) {
			t.Fatalf("%v: %v, want %v", tc.layer, got, tc.want)
		}
	}
	if got := wsVersions(negotiated{v: codec.V12}, []codec.Version{codec.V10}); len(got) != 1 || got[0] != codec.V10 {
		t.Fatalf("a subprotocol that was not offered changed the offer: %v", got)
	}
}

func TestWebSocketThousandConnections(t *testing.T) {
	s, e := wsSetup(t, wstest.Options{})
	const n = 1000
	before := runtime.NumGoroutine()
	conns := make([]*Conn, n)
	var wg sync.WaitGroup
	const dialers = 8
	for d := range dialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := d; i < n; i += dialers {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				c, err := Dial(ctx, s.URL(), WithEngine(e))
				cancel()
				if err != nil {
					t.Errorf("connection %d: %v", i, err)
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if e.Conns() != n || s.Conns() != n {
		t.Fatalf("%d connections on the engine, %d on the server", e.Conns(), s.Conns())
	}
	// Goroutines of gnet's enrollment pool may linger a moment; nothing
	// stays per connection.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	during := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); during-before > 16; during = runtime.NumGoroutine() {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines grew from %d to %d with %d connections", before, during, n)
		}
		<-tick.C
	}
	t.Logf("goroutines: %d before, %d with %d WebSocket connections (engine: %d, server: %d)", before, during, n, e.Conns(), s.Conns())
	for _, c := range conns {
		c.Close()
	}
}
