package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// freeGroup returns a group and port no other test uses.
func freeGroup(t *testing.T, n int) (string, string) {
	t.Helper()
	c, err := net.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return fmt.Sprintf("239.254.%d.%d", os.Getpid()%250, n), fmt.Sprint(c.LocalAddr().(*net.UDPAddr).Port)
}

// Three members on one group each learn the other two and exit 0.
func TestThreeMembersLearnEachOther(t *testing.T) {
	t.Parallel()
	group, port := freeGroup(t, 1)
	names := []string{"alice", "bob", "carol"}
	outs := make([]bytes.Buffer, len(names))
	errs := make([]bytes.Buffer, len(names))
	codes := make([]int, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			codes[i] = run(context.Background(), []string{
				"-group", group, "-port", port, "-iface", "lo",
				"-name", name, "-members", "3", "-timeout", "10s", "-interval", "50ms",
			}, &outs[i], &errs[i])
		})
	}
	wg.Wait()
	for i, name := range names {
		out := outs[i].String()
		if codes[i] != 0 {
			t.Errorf("%s exited %d: %s%s", name, codes[i], out, errs[i].String())
			continue
		}
		if !strings.Contains(out, name+" learned 2 others: ") {
			t.Errorf("%s printed %q", name, out)
		}
		for _, other := range names {
			if other != name && !strings.Contains(out, other+" at 127.0.0.1:") {
				t.Errorf("%s did not learn %s: %q", name, other, out)
			}
		}
		if strings.Contains(out, name+" at ") {
			t.Errorf("%s learned itself: %q", name, out)
		}
	}
}

// A member alone gives up after the timeout and exits 1.
func TestTimeout(t *testing.T) {
	t.Parallel()
	group, port := freeGroup(t, 2)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{
		"-group", group, "-port", port, "-name", "lonely", "-members", "2", "-timeout", "300ms", "-interval", "50ms",
	}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "lonely: gave up after 300ms, learned 0 of 1") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// Bad flags exit 2.
func TestBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-members", "1"}, {"-nope"}, {"-timeout", "0s"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut.String())
		}
	}
}
