package main

import (
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestEverySubscriberReceivesEveryMessageInOrder(t *testing.T) {
	exampletest.Run(t, run, "-count", "50", "-subscribers", "2").Expect(t, 0,
		"published 50 messages to /topic/stampede.pubsub",
		"subscriber 1 received 50/50 in order",
		"subscriber 2 received 50/50 in order",
	)
}

func TestLoginAndVirtualHost(t *testing.T) {
	exampletest.Run(t, run, "-count", "1", "-subscribers", "1", "-login", "u", "-passcode", "p", "-vhost", "/").Expect(t, 0,
		"published 1 messages to /topic/stampede.pubsub",
		"subscriber 1 received 1/1 in order",
	)
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-count", "0"}, {"-nope"}, {"-timeout", "0s"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
