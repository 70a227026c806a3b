package main

import (
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestEveryMiddlewareDoesItsPart(t *testing.T) {
	r := exampletest.Run(t, run, "-timeout-per-job", "200ms")
	r.Expect(t, 0,
		"pipeline: report > metrics > log > recover > retry > timeout > handler",
		"job 1 (ok): handled",
		"job 2 (flaky): attempt 1 failed (flaky: the first attempt fails), retrying",
		"job 2 (flaky): handled on attempt 2",
		`job 3 (panic): panic recovered: "nil map write, say"`,
		"job 4 (poison): permanent failure, not retried: malformed job",
		"job 5 (slow): timed out after 200ms, not retried",
		"metrics: handled 5, failed 3, in flight 0",
	)
	// Log writes its records to stderr.
	if n := strings.Count(r.Stderr, `msg="stomp message handling failed"`); n != 3 {
		t.Errorf("%d failures logged, want 3:\n%s", n, r.Stderr)
	}
}

func TestRounds(t *testing.T) {
	r := exampletest.Run(t, run, "-rounds", "3", "-timeout-per-job", "200ms")
	lines := r.Lines()
	if r.Code != 0 || lines[len(lines)-1] != "metrics: handled 15, failed 9, in flight 0" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-rounds", "0"}, {"-timeout-per-job", "0s"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
