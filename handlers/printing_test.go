package handlers_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

func TestPrintingLines(t *testing.T) {
	var buf bytes.Buffer
	p := handlers.NewPrinting(&buf)
	drivePrinting(p)
	want := `>>> on_connecting localhost:61613
>>> on_send CONNECT {accept-version:1.2, login:guest, passcode:********}
<<< on_connected CONNECTED {version:1.2, heart-beat:0,0}
>>> on_send SEND {destination:/queue/a, content-type:text/plain} hello\nworld
<<< on_message MESSAGE {destination:/queue/a, message-id:1} hi
<<< on_message MESSAGE {destination:/queue/b, message-id:2, content-type:application/octet-stream} <binary, 3 bytes>
<<< on_message
<<< on_receipt RECEIPT {receipt-id:r-1}
<<< on_error ERROR {message:bad\r\nforged: line} details
<<< on_error error=read: connection reset
<<< on_heartbeat
<<< on_heartbeat_timeout
<<< on_disconnected cause=heart-beat timeout
<<< on_reconnected CONNECTED {version:1.2}
>>> on_disconnecting
<<< on_disconnected
<<< on_closed
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// drivePrinting sends one of every event to p.
func drivePrinting(p *handlers.Printing) {
	p.OnConnecting("localhost:61613")
	p.OnSend(codec.New(codec.Connect, "accept-version", "1.2", "login", "guest", "passcode", "s3cret"))
	p.OnConnected(codec.New(codec.Connected, "version", "1.2", "heart-beat", "0,0"))
	send := codec.New(codec.Send, "destination", "/queue/a", "content-type", "text/plain")
	send.Body = []byte("hello\nworld")
	p.OnSend(send)
	if f := p.OnBeforeMessage(send); f != send {
		panic("OnBeforeMessage changed the frame")
	}
	m := newMessage("/queue/a", "1")
	m.Frame.Body = []byte("hi")
	p.OnMessage(m)
	bin := newMessage("/queue/b", "2", "content-type", "application/octet-stream")
	bin.Frame.Body = []byte{0, 1, 2}
	p.OnMessage(bin)
	p.OnMessage(nil)
	p.OnReceipt(codec.New(codec.Receipt, "receipt-id", "r-1"))
	errFrame := codec.New(codec.Error, "message", "bad\r\nforged: line")
	errFrame.Body = []byte("details")
	p.OnError(errFrame, errors.New("server error"))
	p.OnError(nil, errors.New("read: connection reset"))
	p.OnHeartbeat()
	p.OnHeartbeatTimeout()
	p.OnDisconnected(errors.New("heart-beat timeout"))
	p.OnReconnected(codec.New(codec.Connected, "version", "1.2"))
	p.OnDisconnecting()
	p.OnDisconnected(nil)
	p.OnClosed()
}

func TestPrintingBodiesAndMasking(t *testing.T) {
	long := strings.Repeat("x", handlers.DefaultPrintBodyLimit+10)
	for _, tc := range []struct {
		name string
		opts []handlers.PrintingOption
		body string
		want string
	}{
		{"default limit", nil, long, " " + strings.Repeat("x", handlers.DefaultPrintBodyLimit) + "…(+10 bytes)\n"},
		{"own limit", []handlers.PrintingOption{handlers.PrintBodyLimit(3)}, "hello", " hel…(+2 bytes)\n"},
		{"no body", []handlers.PrintingOption{handlers.PrintBodyLimit(0)}, "hello", "\n"},
		{"whole body", []handlers.PrintingOption{handlers.PrintBodyLimit(-1)}, long, " " + long + "\n"},
		{"sensitive", []handlers.PrintingOption{handlers.PrintSensitiveHeaders("Authorization")}, "", "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := handlers.NewPrinting(&buf, append(tc.opts, nil)...)
			f := codec.New(codec.Send, "authorization", "Bearer t0ken", "passcode", "pw")
			f.Body = []byte(tc.body)
			p.OnSend(f)
			got := buf.String()
			if strings.Contains(got, "pw}") {
				t.Errorf("passcode shown: %s", got)
			}
			masked := strings.Contains(got, "authorization:"+handlers.Masked)
			if masked != (tc.name == "sensitive") {
				t.Errorf("authorization masked = %v: %s", masked, got)
			}
			if !strings.HasSuffix(got, "}"+tc.want) {
				t.Errorf("output %q, want it to end with %q", got, tc.want)
			}
		})
	}
}

func TestPrintingToLogger(t *testing.T) {
	var j jsonLog
	p := handlers.NewPrintingLogger(j.logger(slog.LevelDebug), handlers.PrintLevel(slog.LevelDebug), handlers.PrintBodyLimit(4))
	send := codec.New(codec.Send, "destination", "/queue/a", "passcode", "s3cret")
	send.Body = []byte("hello")
	p.OnSend(send)
	p.OnDisconnected(io.EOF)
	p.OnHeartbeat()
	recs := j.records(t)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3: %s", len(recs), j.buf.String())
	}
	r := recs[0]
	hdrs, _ := r["headers"].(map[string]any)
	if r["msg"] != "on_send" || r["level"] != "DEBUG" || r["direction"] != ">>>" || r["command"] != "SEND" ||
		hdrs["destination"] != "/queue/a" || hdrs["passcode"] != handlers.Masked || r["body"] != "hell…(+1 bytes)" {
		t.Errorf("record %v", r)
	}
	if r := recs[1]; r["msg"] != "on_disconnected" || r["cause"] != "EOF" || r["direction"] != "<<<" {
		t.Errorf("record %v", r)
	}
	if _, has := recs[2]["cause"]; has || recs[2]["msg"] != "on_heartbeat" {
		t.Errorf("record %v", recs[2])
	}
	if strings.Contains(j.buf.String(), "s3cret") {
		t.Errorf("passcode logged: %s", j.buf.String())
	}

	// Below the logger's level nothing is logged.
	j.buf.Reset()
	handlers.NewPrintingLogger(j.logger(slog.LevelWarn)).OnHeartbeat()
	if j.buf.Len() != 0 {
		t.Errorf("logged below the level: %s", j.buf.String())
	}
}

func TestPrintingDefaults(t *testing.T) {
	var j jsonLog
	old := slog.Default()
	slog.SetDefault(j.logger(slog.LevelInfo))
	t.Cleanup(func() { slog.SetDefault(old) })
	handlers.NewPrintingLogger(nil).OnClosed()
	if recs := j.records(t); len(recs) != 1 || recs[0]["msg"] != "on_closed" || recs[0]["level"] != "INFO" {
		t.Errorf("default logger got %v", recs)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	p := handlers.NewPrinting(nil)
	os.Stdout = stdout
	p.OnHeartbeat()
	w.Close()
	out, _ := io.ReadAll(r)
	if string(out) != "<<< on_heartbeat\n" {
		t.Errorf("stdout got %q", out)
	}
}

// Lines from concurrent events never interleave.
func TestPrintingConcurrentLines(t *testing.T) {
	var buf bytes.Buffer
	p := handlers.NewPrinting(&buf)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				p.OnSend(codec.New(codec.Send, "destination", "/queue/a"))
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, l := range lines {
		if l != ">>> on_send SEND {destination:/queue/a}" {
			t.Fatalf("garbled line %q", l)
		}
	}
}
