package main

import (
	"regexp"
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestEachExecutor(t *testing.T) {
	for executor, what := range map[string]string{
		"pool": "executor: loop.Pool, 4 workers, queue of 32 tasks",
		"own":  "executor: the program's own pool, 4 workers, queue of 32 tasks",
		"func": "executor: loop.ExecutorFunc, a goroutine per message",
	} {
		t.Run(executor, func(t *testing.T) {
			r := exampletest.Run(t, run, "-executor", executor, "-messages", "60", "-workers", "4", "-prefetch", "16", "-work", "2ms")
			lines := r.Lines()
			if r.Code != 0 || len(lines) != 3 || lines[0] != what || lines[1] != "handled 60/60, each acknowledged" {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			if !regexp.MustCompile(`^handlers in parallel: up to \d+ at once \(limit \d+\)$`).MatchString(lines[2]) {
				t.Errorf("last line %q", lines[2])
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-executor", "threads"}, {"-workers", "0"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
