package loop

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/testcert"
)

// lockedBuffer collects a process's output for concurrent reading.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) contains(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Contains(b.buf.Bytes(), []byte(s))
}

// TestTLS13KeyUpdateOnTheLoop: a TLS 1.3 peer that updates its keys in the
// middle of the stream, and asks us to update ours. Go's crypto/tls cannot
// send a KeyUpdate, so the peer is OpenSSL's s_server (scripts/deps.sh
// installs openssl), whose "K" command sends one with update_requested.
// Frames must keep arriving after it, and what we send afterwards (under
// our new keys) must decrypt on the other side.
func TestTLS13KeyUpdateOnTheLoop(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is needed for this test (scripts/deps.sh installs it): %v", err)
	}
	ca := testcert.NewCA("test CA")
	leaf := ca.Issue(testcert.Options{})
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, leaf.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, leaf.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	var out lockedBuffer
	// stdbuf: s_server's own messages ("SSL_do_handshake -> 1" after a
	// key update) go through stdio,
	// which buffers them when stdout is not a terminal.
	srv := exec.Command("stdbuf", "-o0", openssl, "s_server", "-accept", "127.0.0.1:"+strconv.Itoa(port),
		"-cert", certFile, "-key", keyFile, "-tls1_3", "-naccept", "1")
	srv.Stdout, srv.Stderr = &out, &out
	stdin, err := srv.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	}()
	waitFor(t, "s_server accepting", func() bool { return out.contains("ACCEPT") })

	e := newEngine(t)
	rec := newRecorder()
	d := DialConfig{Handshake: func(ctx context.Context, nc net.Conn) (Layer, []byte, error) {
		l, err := ClientTLS(ctx, nc, &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13})
		return l, nil, err
	}}
	c, err := e.Dial(context.Background(), "127.0.0.1:"+strconv.Itoa(port), d, ConnConfig{Handler: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(nil)
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(stdin, s); err != nil {
			t.Fatal(err)
		}
	}
	frame := func(body string) string { return "MESSAGE\ndestination:/q\n\n" + body + "\x00" }

	send(frame("before"))
	waitFor(t, "the frame before the key update", func() bool { return rec.count() == 1 })
	send("K\n") // KeyUpdate, update_requested: we must answer with our own
	waitFor(t, "s_server's key update", func() bool { return out.contains("SSL_do_handshake -> 1") })
	send(frame("after"))
	waitFor(t, "the frame after the key update", func() bool { return rec.count() == 2 })
	if got := string(rec.frames[1].Body); got != "after" {
		t.Fatalf("second frame %q", got)
	}
	// Sent under our updated keys: s_server prints what it decrypts.
	f := &codec.Frame{Command: codec.Send, Header: codec.Header{{Key: "destination", Value: "/q"}}, Body: []byte("new-keys-reply")}
	if err := c.WriteFrame(context.Background(), Wait, codec.Encoder{Version: codec.V12}, f); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "s_server decrypting our frame", func() bool { return out.contains("new-keys-reply") })
	select {
	case err := <-rec.closed:
		t.Fatalf("the connection closed: %v\n%s", err, out.buf.String())
	default:
	}
}
