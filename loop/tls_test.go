package loop

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// closer runs, from OnClose, what a Close posted just before the peer went
// away runs once gnet has closed the socket: the graceful close and a
// last write.
type closer struct{ echo }

func (closer) OnClose(c *Conn, _ error) {
	c.closeOnLoop(true)
	c.writeRaw([]byte("late"))
	c.flush()
}

// watchLayer passes bytes through and counts the calls that would write
// after the connection was closed (after Detach).
type watchLayer struct {
	detached bool
	late     *atomic.Int32
}

func (w *watchLayer) Attach(*Conn) {}
func (w *watchLayer) Detach()      { w.detached = true }
func (w *watchLayer) Inbound(in []byte, _ RawWriter, deliver func([]byte) error) error {
	if len(in) == 0 {
		return nil
	}
	return deliver(in)
}
func (w *watchLayer) Outbound(p []byte, rw RawWriter) error {
	if w.detached {
		w.late.Add(1)
		return nil
	}
	_, err := rw.Write(p)
	return err
}
func (w *watchLayer) Close(RawWriter) {
	if w.detached {
		w.late.Add(1)
	}
}

// TestNothingIsWrittenAfterTheConnectionClosed: a Close that runs after the
// peer closed must not write (a TLS close_notify, a last frame): gnet has
// released the descriptor, whose number may already be a new connection's,
// and such bytes corrupted the next TLS handshake on the same loop.
func TestNothingIsWrittenAfterTheConnectionClosed(t *testing.T) {
	var late atomic.Int32
	s, err := Listen("127.0.0.1:0", func(local, remote net.Addr) (ConnConfig, error) {
		return ConnConfig{Handler: closer{}, Layer: &watchLayer{late: &late}, Linger: time.Second}, nil
	}, nil, WithLoops(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 50 {
		nc, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		nc.Write([]byte("SEND\ndestination:/q\n\nx\x00"))
		buf := make([]byte, 64)
		nc.Read(buf) // the echo: the connection is open on both ends
		nc.Close()
	}
	waitFor(t, "every connection closed", func() bool { return s.Conns() == 0 })
	if n := late.Load(); n != 0 {
		t.Fatalf("%d writes after a connection was closed", n)
	}
}
