package loop

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/testcert"
)

func tlsEchoServer(t *testing.T, cfg *tls.Config) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", func(local, remote net.Addr) (ConnConfig, error) {
		return ConnConfig{Handler: echo{}, Layer: ServerTLS(cfg)}, nil
	}, nil, WithLoops(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestTLSRoundTrip(t *testing.T) {
	ca := testcert.NewCA("test CA")
	leaf := ca.Issue(testcert.Options{})
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		s := tlsEchoServer(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: version, MaxVersion: version})
		e := newEngine(t)
		rec := newRecorder()
		var state tls.ConnectionState
		d := DialConfig{Handshake: func(ctx context.Context, nc net.Conn) (Layer, []byte, error) {
			l, err := ClientTLS(ctx, nc, &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"})
			if err == nil {
				state = l.ConnectionState()
			}
			return l, nil, err
		}}
		c, err := e.Dial(context.Background(), s.Addr().String(), d, ConnConfig{Handler: rec})
		if err != nil {
			t.Fatal(err)
		}
		if state.Version != version {
			t.Fatalf("negotiated %x, want %x", state.Version, version)
		}
		body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: many records
		for i := range 20 {
			f := &codec.Frame{Command: codec.Send, Header: codec.Header{{Key: "n", Value: strings.Repeat("x", i)}}, Body: body[:len(body)-i]}
			if err := c.WriteFrame(context.Background(), Wait, codec.Encoder{Version: codec.V12}, f); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "20 echoes of 1 MiB", func() bool { return rec.count() == 20 })
		for i, f := range rec.frames {
			if !bytes.Equal(f.Body, body[:len(body)-i]) {
				t.Fatalf("echo %d differs", i)
			}
		}
		c.Close(nil)
		<-c.Done()
		if err := <-rec.closed; err != nil {
			t.Fatalf("close: %v", err)
		}
	}
}

func TestTLSHandshakeFailures(t *testing.T) {
	ca := testcert.NewCA("test CA")
	other := testcert.NewCA("another CA")
	leaf := ca.Issue(testcert.Options{})
	s := tlsEchoServer(t, &tls.Config{Certificates: []tls.Certificate{leaf.TLS}})
	e := newEngine(t)
	for name, cfg := range map[string]*tls.Config{
		"unknown authority": {RootCAs: other.Pool(), ServerName: "localhost"},
		"hostname mismatch": {RootCAs: ca.Pool(), ServerName: "example.org"},
	} {
		d := DialConfig{Handshake: func(ctx context.Context, nc net.Conn) (Layer, []byte, error) {
			l, err := ClientTLS(ctx, nc, cfg)
			return l, nil, err
		}}
		_, err := e.Dial(context.Background(), s.Addr().String(), d, ConnConfig{Handler: newRecorder()})
		if err == nil {
			t.Fatalf("%s: connected", name)
		}
		t.Logf("%s: %v", name, err)
	}
	waitFor(t, "the server to drop failed handshakes", func() bool { return s.Conns() == 0 })
}
