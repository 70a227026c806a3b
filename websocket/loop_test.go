package websocket_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/testcert"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
	"github.com/stampede-mq/stampede/websocket/wstest"
)

// client is a loop.Handler that records what a client connection gets.
type client struct {
	frames chan *codec.Frame
	beats  chan struct{}
	closed chan error
}

func newClient() *client {
	return &client{frames: make(chan *codec.Frame, 1024), beats: make(chan struct{}, 1024), closed: make(chan error, 1)}
}

func (c *client) OnOpen(*loop.Conn) {}
func (c *client) OnFrame(_ *loop.Conn, f *codec.Frame) {
	c.frames <- f.Clone()
}
func (c *client) OnHeartBeat(*loop.Conn) {
	select {
	case c.beats <- struct{}{}:
	default:
	}
}
func (c *client) OnClose(_ *loop.Conn, err error) { c.closed <- err }

func (c *client) next(t *testing.T, cmd codec.Command) *codec.Frame {
	t.Helper()
	select {
	case f := <-c.frames:
		if f.Command != cmd {
			t.Fatalf("got %s %v, want %s", f.Command, f.Header, cmd)
		}
		return f
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", cmd)
	}
	return nil
}

func newEngine(t *testing.T) *loop.Engine {
	t.Helper()
	e, err := loop.NewEngine(loop.WithLoops(2), loop.WithTick(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func startServer(t *testing.T, o wstest.Options) *wstest.Server {
	t.Helper()
	s, err := wstest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// dial connects a loop client to s over WebSocket with cfg.
func dial(t *testing.T, e *loop.Engine, s *wstest.Server, cfg websocket.Config) (*loop.Conn, *client, loop.Layer) {
	t.Helper()
	lc, rec, layer, err := tryDial(e, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return lc, rec, layer
}

// tryDial is dial for goroutines other than the test's.
func tryDial(e *loop.Engine, s *wstest.Server, cfg websocket.Config) (*loop.Conn, *client, loop.Layer, error) {
	u, _ := url.Parse(s.URL())
	cfg.Path = u.Path
	cl, err := websocket.NewClient(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	var layer loop.Layer
	d := loop.DialConfig{Handshake: func(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error) {
		l, rest, err := cl.Handshake(ctx, nc)
		layer = l
		return l, rest, err
	}}
	rec := newClient()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lc, err := e.Dial(ctx, u.Host, d, loop.ConnConfig{Handler: rec})
	return lc, rec, layer, err
}

func write(t *testing.T, lc *loop.Conn, v codec.Version, f *codec.Frame) {
	t.Helper()
	if err := lc.WriteFrame(context.Background(), loop.Wait, codec.Encoder{Version: v}, f); err != nil {
		t.Fatal(err)
	}
}

// connect sends CONNECT offering vs and returns the version answered.
func connect(t *testing.T, lc *loop.Conn, rec *client, vs ...codec.Version) codec.Version {
	t.Helper()
	f := codec.New(codec.Connect, codec.HdrHost, "/")
	if len(vs) > 1 || vs[0] != codec.V10 {
		f.Header.Add(codec.HdrAcceptVersion, codec.FormatAcceptVersion(vs))
	}
	write(t, lc, 0, f)
	cf := rec.next(t, codec.Connected)
	v, err := codec.ParseVersion(cf.Header.Get(codec.HdrVersion))
	if err != nil {
		t.Fatal(err)
	}
	lc.Decoder().SetVersion(v)
	return v
}

// roundTrip subscribes, sends body and checks the MESSAGE.
func roundTrip(t *testing.T, lc *loop.Conn, rec *client, v codec.Version, body []byte) {
	t.Helper()
	write(t, lc, v, codec.New(codec.Subscribe, codec.HdrDestination, "/queue/a", codec.HdrID, "s1", codec.HdrReceipt, "r1"))
	rec.next(t, codec.Receipt)
	send := codec.New(codec.Send, codec.HdrDestination, "/queue/a")
	send.Body = body
	write(t, lc, v, send)
	m := rec.next(t, codec.Message)
	if !bytes.Equal(m.Body, body) || m.Header.Get(codec.HdrSubscription) != "s1" {
		t.Fatalf("MESSAGE %v %q, want body %q", m.Header, m.Body, body)
	}
}

var binaryBody = []byte("bin\x00ary\xff\xfe\x00\x01 body")

func TestLoopRoundTripEachVersion(t *testing.T) {
	s := startServer(t, wstest.Options{})
	e := newEngine(t)
	for _, v := range codec.Versions {
		for _, binary := range []bool{false, true} {
			lc, rec, layer := dial(t, e, s, websocket.Config{Versions: []codec.Version{v}, Binary: binary})
			if got := layer.(websocket.Negotiated).Version(); got != v {
				t.Fatalf("subprotocol for %s: %v", v, got)
			}
			if got := connect(t, lc, rec, v); got != v {
				t.Fatalf("CONNECTED %s, want %s", got, v)
			}
			roundTrip(t, lc, rec, v, binaryBody)
			lc.Close(nil)
			<-lc.Done()
			if err := <-rec.closed; err != nil {
				t.Fatalf("local close: %v", err)
			}
		}
	}
	waitFor(t, "the server to see every close", func() bool { return s.Conns() == 0 })
	for _, c := range s.Connects() {
		if websocket.VersionOf(c.Protocol) != c.Version {
			t.Fatalf("server saw %+v", c)
		}
	}
}

func TestLoopFrameAcrossMessages(t *testing.T) {
	cases := []struct {
		name string
		o    wstest.Options
	}{
		{name: "3-byte messages", o: wstest.Options{SplitAt: 3}},
		{name: "1-byte messages", o: wstest.Options{SplitAt: 1}},
		{name: "2-byte fragments", o: wstest.Options{FragmentSize: 2}},
		{name: "messages of fragments", o: wstest.Options{SplitAt: 7, FragmentSize: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, tc.o)
			e := newEngine(t)
			lc, rec, _ := dial(t, e, s, websocket.Config{FragmentSize: 5})
			v := connect(t, lc, rec, codec.V11, codec.V12)
			roundTrip(t, lc, rec, v, binaryBody)
			roundTrip(t, lc, rec, v, bytes.Repeat([]byte("big\x00"), 10000))
		})
	}
}

func TestLoopPingPong(t *testing.T) {
	s := startServer(t, wstest.Options{})
	e := newEngine(t)
	lc, rec, _ := dial(t, e, s, websocket.Config{})
	v := connect(t, lc, rec, codec.V12)
	for i := range 3 {
		if err := s.Ping([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a pong", func() bool { return s.Pongs() == int64(i+1) })
	}
	roundTrip(t, lc, rec, v, []byte("still up"))
}

func TestLoopServerClose(t *testing.T) {
	cases := []struct {
		code  int
		clean bool
	}{{1000, true}, {1001, true}, {1011, false}, {4001, false}}
	for _, tc := range cases {
		s := startServer(t, wstest.Options{})
		e := newEngine(t)
		lc, rec, _ := dial(t, e, s, websocket.Config{})
		connect(t, lc, rec, codec.V12)
		if err := s.CloseAll(tc.code, "bye"); err != nil {
			t.Fatal(err)
		}
		<-lc.Done()
		err := <-rec.closed
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != tc.code || ce.Reason != "bye" || errors.Is(err, io.EOF) != tc.clean {
			t.Fatalf("close %d: cause %v", tc.code, err)
		}
	}
}

func TestLoopServerDrop(t *testing.T) {
	s := startServer(t, wstest.Options{})
	e := newEngine(t)
	lc, rec, _ := dial(t, e, s, websocket.Config{})
	connect(t, lc, rec, codec.V12)
	s.Drop()
	<-lc.Done()
	if err := <-rec.closed; !errors.Is(err, io.EOF) || errors.Is(err, websocket.ErrPeerClosed) {
		t.Fatalf("a dropped socket ended with %v, want EOF without a close frame", err)
	}
}

func TestLoopHeartBeats(t *testing.T) {
	hb := 50 * time.Millisecond
	s := startServer(t, wstest.Options{HeartBeat: codec.HeartBeat{Send: hb, Receive: hb}})
	e := newEngine(t)
	lc, rec, _ := dial(t, e, s, websocket.Config{})
	// The client promises beats every 500 ms (it sends them every 50 ms
	// once SetHeartBeat runs), so the server tolerates a slow start.
	f := codec.New(codec.Connect, codec.HdrAcceptVersion, "1.2", codec.HdrHost, "/", codec.HdrHeartBeat, "500,50")
	write(t, lc, 0, f)
	rec.next(t, codec.Connected)
	if err := lc.Post(func() { lc.SetHeartBeat(hb, 5*time.Second) }); err != nil { // loop only
		t.Fatal(err)
	}
	for range 5 {
		select {
		case <-rec.beats:
		case <-time.After(5 * time.Second):
			t.Fatal("no heart-beat from the server")
		}
	}
	roundTrip(t, lc, rec, codec.V12, []byte("after beats"))
}

func tlsConfigs(t *testing.T) (server, client *tls.Config) {
	ca := testcert.NewCA("stampede websocket test CA")
	leaf := ca.Issue(testcert.Options{})
	return &tls.Config{Certificates: []tls.Certificate{leaf.TLS}},
		&tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}
}

func TestLoopWSS(t *testing.T) {
	srvCfg, cliCfg := tlsConfigs(t)
	s := startServer(t, wstest.Options{TLS: srvCfg})
	e := newEngine(t)
	for _, v := range codec.Versions {
		lc, rec, _ := dial(t, e, s, websocket.Config{TLS: cliCfg, Versions: []codec.Version{v}})
		if got := connect(t, lc, rec, v); got != v {
			t.Fatalf("CONNECTED %s", got)
		}
		roundTrip(t, lc, rec, v, binaryBody)
		roundTrip(t, lc, rec, v, bytes.Repeat([]byte("0123456789abcde\x00"), 1<<14))
		if err := s.Ping([]byte("over tls")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a pong over TLS", func() bool { return s.Pongs() > 0 })
		lc.Close(nil)
		if err := <-rec.closed; err != nil {
			t.Fatal(err)
		}
	}
	// A client that does not trust the certificate fails the handshake.
	cl, _ := websocket.NewClient(websocket.Config{TLS: &tls.Config{ServerName: "localhost"}})
	_, err := e.Dial(context.Background(), s.Addr().String(), loop.DialConfig{Handshake: cl.Handshake}, loop.ConnConfig{Handler: newClient()})
	if !errors.Is(err, websocket.ErrHandshake) {
		t.Fatalf("untrusted certificate: %v", err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
