package websocket

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/stampede-mq/stampede/codec"
)

func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// oneShot accepts one connection and runs serve on it in a goroutine; the
// test waits for it at cleanup. It returns the client side, dialed.
func oneShot(t *testing.T, serve func(nc net.Conn)) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		serve(nc)
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		nc.Close()
		ln.Close()
		<-done
	})
	return nc
}

func TestClientHandshakeRequestAndLeftover(t *testing.T) {
	got := make(chan *http.Request, 1)
	nc := oneShot(t, func(nc net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(nc))
		if err != nil {
			return
		}
		got <- req
		// 101, then in the same write a CONNECTED cut across two
		// messages and a ping: bytes that arrive with the response.
		resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + acceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n" +
			"Sec-WebSocket-Protocol: v11.stomp\r\n\r\n"
		b := []byte(resp)
		b = append(b, frameBytes(t, ws.OpText, true, []byte("CONNECTED\nversion:1.1\n"), false)...)
		b = append(b, frameBytes(t, ws.OpPing, true, []byte("hi"), false)...)
		b = append(b, frameBytes(t, ws.OpText, true, []byte("\n\x00"), false)...)
		_, _ = nc.Write(b)
		// Wait for the client to hang up.
		_, _ = nc.Read(make([]byte, 1))
	})
	cl, err := NewClient(Config{
		Host:   "broker.example:15674",
		Path:   "/stomp?vhost=a",
		Header: http.Header{"X-Token": {"secret"}, "Cookie": {"a=1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	layer, app, err := cl.Handshake(ctx, nc)
	if err != nil {
		t.Fatal(err)
	}
	req := <-got
	if req.Method != "GET" || req.RequestURI != "/stomp?vhost=a" || req.Host != "broker.example:15674" {
		t.Fatalf("request %s %s host %s", req.Method, req.RequestURI, req.Host)
	}
	if p := req.Header.Get("Sec-WebSocket-Protocol"); p != "v12.stomp, v11.stomp, v10.stomp" {
		t.Fatalf("offered %q, want the STOMP versions highest first", p)
	}
	if req.Header.Get("X-Token") != "secret" || req.Header.Get("Cookie") != "a=1" {
		t.Fatalf("extra headers missing: %v", req.Header)
	}
	if len(app) != 0 {
		t.Fatalf("the handshake returned application bytes %q; they belong behind the layer", app)
	}
	n := layer.(Negotiated)
	if n.Protocol() != ProtocolV11 || n.Version() != codec.V11 {
		t.Fatalf("negotiated %q %v", n.Protocol(), n.Version())
	}
	// On the loop, the first Inbound (nil) hands over what came with the
	// response, and answers the ping.
	var s sink
	var w rawWriter
	if err := layer.Inbound(nil, &w, s.deliver); err != nil {
		t.Fatal(err)
	}
	if s.data.String() != "CONNECTED\nversion:1.1\n\n\x00" {
		t.Fatalf("delivered %q", s.data.String())
	}
	if out := w.frames(t); len(out) != 1 || out[0].Header.OpCode != ws.OpPong || !out[0].Header.Masked {
		t.Fatalf("wrote %+v, want a masked pong", out)
	}
}

func TestClientHandshakeRefusals(t *testing.T) {
	cases := []struct {
		name   string
		resp   func(key string) string
		status int
	}{
		{
			name:   "not found",
			resp:   func(string) string { return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" },
			status: 404,
		},
		{
			name: "protocol not offered",
			resp: func(key string) string {
				return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
					"Sec-WebSocket-Accept: " + acceptKey(key) + "\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
			},
		},
		{
			name: "bad accept key",
			resp: func(string) string {
				return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
					"Sec-WebSocket-Accept: bm9wZQ==\r\n\r\n"
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nc := oneShot(t, func(nc net.Conn) {
				req, err := http.ReadRequest(bufio.NewReader(nc))
				if err != nil {
					return
				}
				_, _ = nc.Write([]byte(tc.resp(req.Header.Get("Sec-WebSocket-Key"))))
			})
			cl, err := NewClient(Config{})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = cl.Handshake(context.Background(), nc)
			var he *HandshakeError
			if !errors.Is(err, ErrHandshake) || !errors.As(err, &he) || he.Status != tc.status {
				t.Fatalf("err = %v, want a HandshakeError with status %d", err, tc.status)
			}
		})
	}
}

func TestClientHandshakeHonoursContext(t *testing.T) {
	release := make(chan struct{})
	nc := oneShot(t, func(nc net.Conn) {
		<-release // never answers until the test ends
	})
	defer close(release)
	cl, _ := NewClient(Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := cl.Handshake(ctx, nc)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrHandshake) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}

	// Cancellation, not a deadline, interrupts it too.
	nc2 := oneShot(t, func(nc net.Conn) { <-release })
	ctx2, cancel2 := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := cl.Handshake(ctx2, nc2)
		errc <- err
	}()
	cancel2()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestNewClientChecksConfig(t *testing.T) {
	bad := []Config{
		{Path: "ws"},
		{Path: "/a b"},
		{Host: "a\r\nX: y"},
		{Versions: []codec.Version{codec.V12, codec.V12}},
		{Versions: []codec.Version{9}},
		{MaxMessage: -1},
		{FragmentSize: -1},
		{Header: http.Header{"Sec-WebSocket-Protocol": {"mqtt"}}},
		{Header: http.Header{"upgrade": {"h2c"}}},
		{Header: http.Header{"Host": {"x"}}},
		{Header: http.Header{"X-A": {"1\r\nX-B: 2"}}},
		{Header: http.Header{"Bad Name": {"1"}}},
	}
	for _, cfg := range bad {
		if _, err := NewClient(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewClient(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	cl, err := NewClient(Config{Versions: []codec.Version{codec.V10, codec.V12}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cl.Protocols(), ","); got != "v12.stomp,v10.stomp" {
		t.Fatalf("protocols %s", got)
	}
	if err := CheckHeader("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q="); err != nil {
		t.Fatal(err)
	}
	if err := CheckHeader("Connection", "close"); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("CheckHeader(Connection) = %v", err)
	}
}

func TestProtocolNames(t *testing.T) {
	if got := fmt.Sprint(Protocols([]codec.Version{codec.V11, codec.V10, codec.V12, codec.V11})); got != "[v12.stomp v11.stomp v10.stomp]" {
		t.Fatalf("Protocols = %s", got)
	}
	for p, v := range map[string]codec.Version{"v10.stomp": codec.V10, "v11.stomp": codec.V11, "v12.stomp": codec.V12, "stomp": 0, "V12.STOMP": 0} {
		if VersionOf(p) != v {
			t.Fatalf("VersionOf(%q) = %v", p, VersionOf(p))
		}
	}
}
