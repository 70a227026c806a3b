package main

import (
	"fmt"
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func want(n int) []string {
	lines := []string{"responder serves /queue/stampede.rpc.upper"}
	for i := 1; i <= n; i++ {
		lines = append(lines, fmt.Sprintf("request %d: \"hello %d\" -> \"HELLO %d\"", i, i, i))
	}
	return append(lines, fmt.Sprintf("replies %d/%d, each matched to its request by correlation-id", n, n))
}

// Replies on the temp queue arrive on a subscription the client never
// made, and reach the correlator through WithUnhandled.
func TestRepliesThroughTheUnhandledRoute(t *testing.T) {
	exampletest.Run(t, run, "-requests", "20").Expect(t, 0, want(20)...)
}

// ActiveMQ's way: the requester subscribes to its temp queue.
func TestRepliesOnAnExplicitSubscription(t *testing.T) {
	exampletest.Run(t, run, "-requests", "5", "-subscribe-reply").Expect(t, 0, want(5)...)
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-requests", "0"}, {"-reply-to", ""}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
