package main

import (
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestEveryJobDoneOnceDespiteFailures(t *testing.T) {
	r := exampletest.Run(t, run, "-jobs", "40", "-workers", "2", "-prefetch", "5", "-fail-every", "5")
	lines := r.Lines()
	if r.Code != 0 || len(lines) != 5 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	want := []string{
		"2 workers on /queue/stampede.work, client-individual acks, prefetch 5",
		"queued 40 jobs",
		"done 40/40 jobs, each acknowledged once",
		"failed 8 times, NACKed and redelivered 8 times",
	}
	if got := strings.Join(lines[:4], "\n"); got != strings.Join(want, "\n") {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.Stdout, strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(lines[4], "jobs per worker: ") {
		t.Errorf("last line %q", lines[4])
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-workers", "0"}, {"-fail-every", "-1"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
