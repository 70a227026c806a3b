package main

import (
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestRoundTripOverWebSocket(t *testing.T) {
	for _, mode := range [][]string{nil, {"-binary"}} {
		exampletest.Run(t, run, append([]string{"-count", "25"}, mode...)...).Expect(t, 0,
			"connected over WebSocket, STOMP 1.2",
			"sent 25 messages to /queue/stampede.websocket",
			"received 25/25 in order",
		)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-count", "0"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
