package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

// The signal is a cancellation with a cause, as signal.NotifyContext's.
func TestShutsDownCleanlyWhenTold(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var stdout, stderr exampletest.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"-work", "20ms"}, &stdout, &stderr) }()

	stdout.WaitFor(t, "first job done", 10*time.Second)
	cancel(errors.New("terminated signal received"))
	if c := <-code; c != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", c, stdout.String(), stderr.String())
	}
	want := regexp.MustCompile(`(?s)ready: working on /queue/stampede.jobs \(pid \d+\); stop with SIGTERM or Ctrl-C
first job started
first job done
shutting down: terminated signal received
stopped taking jobs
in-flight jobs finished
disconnected cleanly
goodbye: \d+ jobs done
$`)
	if !want.MatchString(stdout.String()) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

// A job longer than the grace period makes the shutdown fail, with exit 1.
func TestGivesUpAfterTheGracePeriod(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var stdout, stderr exampletest.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"-work", "2s", "-grace", "50ms"}, &stdout, &stderr) }()
	stdout.WaitFor(t, "first job started", 10*time.Second)
	cancel(errors.New("terminated signal received"))
	if c := <-code; c != 1 || !strings.Contains(stderr.String(), "still in progress") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", c, stdout.String(), stderr.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-grace", "0s"}, {"-prefetch", "0"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
