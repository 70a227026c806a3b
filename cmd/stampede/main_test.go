package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit code %d: %s", args, code, errOut.String())
		}
		for _, c := range commands() {
			if !strings.Contains(out.String(), "  "+c.name+" ") {
				t.Errorf("%v does not list %s:\n%s", args, c.name, out.String())
			}
		}
	}
	for _, c := range commands() {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"help", c.name}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "usage:") {
			t.Errorf("help %s: %d %q %q", c.name, code, out.String(), errOut.String())
		}
	}
}

func TestRunUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Fatal(errOut.String())
	}
}

func TestBrokerRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "127.0.0.1:0", "--ws", "http://127.0.0.1:0/ws"},
		{"--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem", "--tls", "127.0.0.1:0"},
		{"--passcode", "p"},
		{"--listen", "ssl://127.0.0.1:0"},
		{"--heartbeat", "-1s"},
		{"--nope"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"broker"}, args...), &out, &errOut)
		if code == 0 {
			t.Errorf("%v: exit code 0", args)
		}
		if errOut.Len() == 0 {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
}

func TestBrokerRunsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		defer outW.Close()
		done <- run(ctx, []string{"broker", "--listen", "tcp://127.0.0.1:0", "--login", "u", "--passcode", "p", "--heartbeat", "1s"}, outW, io.Discard)
	}()
	lines := bufio.NewScanner(outR)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	url, ok := strings.CutPrefix(lines.Text(), "stampede broker listening on tcp://")
	if !ok {
		t.Fatalf("first line %q", lines.Text())
	}
	nc, err := net.Dial("tcp", url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("CONNECT\naccept-version:1.2\nlogin:u\npasscode:p\nheart-beat:0,0\n\n\x00"))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := bufio.NewReader(nc).ReadString('\n')
	if got != "CONNECTED\n" {
		t.Fatalf("answer %q", got)
	}
	cancel()
	go io.Copy(io.Discard, outR)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the broker did not stop")
	}
}
