package websocket

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gobwas/ws"

	"github.com/stampede-mq/stampede/codec"
)

const testKey = "dGhlIHNhbXBsZSBub25jZQ=="

func upgradeRequest(path string, protocols ...string) string {
	s := "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:15674\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n"
	for _, p := range protocols {
		s += "Sec-WebSocket-Protocol: " + p + "\r\n"
	}
	return s + "\r\n"
}

func newServerLayer(t *testing.T, cfg ServerConfig) *ServerLayer {
	t.Helper()
	u, err := NewUpgrader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u.NewLayer().(*ServerLayer)
}

// response parses the HTTP response at the start of w's bytes and returns
// it with the bytes after it.
func response(t *testing.T, b []byte) (*http.Response, []byte) {
	t.Helper()
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatalf("no HTTP response in %q", b)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b[:i+4])), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b[i+4:]
}

func TestServerUpgradeEverySplitPoint(t *testing.T) {
	req := upgradeRequest("/ws?x=1", "v10.stomp", "v11.stomp, v12.stomp")
	frame := frameBytes(t, ws.OpText, true, []byte("CONNECT\naccept-version:1.2\n\n\x00"), true)
	in := append([]byte(req), frame...)
	for i := 0; i <= len(in); i++ {
		l := newServerLayer(t, ServerConfig{})
		var w rawWriter
		var s sink
		for _, p := range [][]byte{in[:i], in[i:]} {
			if err := l.Inbound(append([]byte(nil), p...), &w, s.deliver); err != nil {
				t.Fatalf("split %d: %v", i, err)
			}
		}
		resp, rest := response(t, w.Bytes())
		if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(testKey) ||
			resp.Header.Get("Sec-WebSocket-Protocol") != "v12.stomp" || len(rest) != 0 {
			t.Fatalf("split %d: %s %v, then %q", i, resp.Status, resp.Header, rest)
		}
		if s.data.String() != "CONNECT\naccept-version:1.2\n\n\x00" {
			t.Fatalf("split %d: delivered %q", i, s.data.String())
		}
		if l.Protocol() != ProtocolV12 || l.Version() != codec.V12 || l.RequestURI() != "/ws?x=1" {
			t.Fatalf("split %d: %q %v %q", i, l.Protocol(), l.Version(), l.RequestURI())
		}
	}
}

func TestServerChoosesProtocol(t *testing.T) {
	cases := []struct {
		name     string
		cfg      ServerConfig
		offer    []string
		status   int
		protocol string
	}{
		{name: "highest common", cfg: ServerConfig{Versions: []codec.Version{codec.V10, codec.V11}}, offer: []string{"v12.stomp, v11.stomp, v10.stomp"}, status: 101, protocol: "v11.stomp"},
		{name: "only 1.0", offer: []string{"v10.stomp"}, status: 101, protocol: "v10.stomp"},
		{name: "unknown tokens skipped", offer: []string{"mqtt, v11.stomp"}, status: 101, protocol: "v11.stomp"},
		{name: "none offered", offer: nil, status: 101, protocol: ""},
		{name: "none offered, required", cfg: ServerConfig{RequireProtocol: true}, offer: nil, status: 400},
		{name: "no STOMP offered", offer: []string{"mqtt"}, status: 400},
		{name: "no common version", cfg: ServerConfig{Versions: []codec.Version{codec.V12}}, offer: []string{"v10.stomp"}, status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newServerLayer(t, tc.cfg)
			var w rawWriter
			var s sink
			err := l.Inbound([]byte(upgradeRequest("/ws", tc.offer...)), &w, s.deliver)
			resp, _ := response(t, w.Bytes())
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 101 {
				var he *HandshakeError
				if !errors.As(err, &he) || he.Status != tc.status || !errors.Is(err, ErrHandshake) {
					t.Fatalf("err = %v, want a HandshakeError %d", err, tc.status)
				}
				return
			}
			if err != nil || resp.Header.Get("Sec-WebSocket-Protocol") != tc.protocol || l.Protocol() != tc.protocol {
				t.Fatalf("err %v, protocol %q / %q, want %q", err, resp.Header.Get("Sec-WebSocket-Protocol"), l.Protocol(), tc.protocol)
			}
		})
	}
}

func TestServerRefusals(t *testing.T) {
	cases := []struct {
		name   string
		cfg    ServerConfig
		req    string
		status int
	}{
		{name: "other path", req: upgradeRequest("/stomp", "v12.stomp"), status: 404},
		{name: "any path", cfg: ServerConfig{Path: AnyPath}, req: upgradeRequest("/stomp", "v12.stomp"), status: 101},
		{name: "not GET", req: strings.Replace(upgradeRequest("/ws"), "GET", "POST", 1), status: 405},
		{name: "no key", req: strings.Replace(upgradeRequest("/ws"), "Sec-WebSocket-Key", "X-Key", 1), status: 400},
		{name: "too large", cfg: ServerConfig{MaxRequest: 256}, req: strings.Replace(upgradeRequest("/ws"), "\r\n\r\n", "\r\nCookie: "+strings.Repeat("c", 300)+"\r\n\r\n", 1), status: 431},
		{name: "extra header", cfg: ServerConfig{Header: http.Header{"X-Server": {"wstest"}}}, req: upgradeRequest("/ws"), status: 101},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newServerLayer(t, tc.cfg)
			var w rawWriter
			var s sink
			err := l.Inbound([]byte(tc.req), &w, s.deliver)
			resp, _ := response(t, w.Bytes())
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (err %v)", resp.StatusCode, tc.status, err)
			}
			if (tc.status == 101) != (err == nil) {
				t.Fatalf("err = %v with status %d", err, tc.status)
			}
			for k, v := range tc.cfg.Header {
				if resp.Header.Get(k) != v[0] {
					t.Fatalf("response lacks %s: %v", k, resp.Header)
				}
			}
		})
	}
	// A request that never ends is refused once it passes the limit, even
	// without a blank line.
	l := newServerLayer(t, ServerConfig{MaxRequest: 256})
	var w rawWriter
	var err error
	for range 100 {
		if err = l.Inbound([]byte("X-Junk: 0123456789\r\n"), &w, func([]byte) error { return nil }); err != nil {
			break
		}
	}
	if resp, _ := response(t, w.Bytes()); resp.StatusCode != 431 || !errors.Is(err, ErrHandshake) {
		t.Fatalf("endless request: %s %v", resp.Status, err)
	}
}

func TestServerFramesAfterUpgrade(t *testing.T) {
	l := newServerLayer(t, ServerConfig{})
	var w rawWriter
	var s sink
	if err := l.Outbound([]byte("CONNECTED\n\n\x00"), &w); !errors.Is(err, ErrHandshake) {
		t.Fatalf("Outbound before the upgrade: %v", err)
	}
	if err := l.Inbound([]byte(upgradeRequest("/ws", "v12.stomp")), &w, s.deliver); err != nil {
		t.Fatal(err)
	}
	w.Reset()
	if err := l.Outbound([]byte("CONNECTED\nversion:1.2\n\n\x00"), &w); err != nil {
		t.Fatal(err)
	}
	if out := w.frames(t); len(out) != 1 || out[0].Header.Masked || string(out[0].Payload) != "CONNECTED\nversion:1.2\n\n\x00" {
		t.Fatalf("server frame %+v", out)
	}
	// Clients must mask.
	w.Reset()
	err := l.Inbound(frameBytes(t, ws.OpText, true, []byte("SEND\n\n\x00"), false), &w, s.deliver)
	if !errors.Is(err, ErrProtocol) {
		t.Fatalf("unmasked client frame: %v", err)
	}
	if out := w.frames(t); len(out) != 1 || closeCode(t, out[0]) != 1002 {
		t.Fatalf("reply %+v", out)
	}
}

func TestNewUpgraderChecksConfig(t *testing.T) {
	bad := []ServerConfig{
		{Path: "ws"},
		{Path: "/ws?x=1"},
		{Versions: []codec.Version{13}},
		{MaxRequest: 100},
		{MaxMessage: -1},
		{Header: http.Header{"Sec-WebSocket-Accept": {"x"}}},
		{Header: http.Header{"X-A": {"a\nb"}}},
	}
	for _, cfg := range bad {
		if _, err := NewUpgrader(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewUpgrader(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}
