package main

import (
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestEveryConnectionReceivesEveryMessage(t *testing.T) {
	exampletest.Run(t, run, "-conns", "200", "-messages", "5", "-parallel", "16").Expect(t, 0,
		"connections: 200",
		"connected 200/200, each subscribed to /topic/stampede.fanout",
		"published 5 messages",
		"received 1000/1000 (5 messages x 200 connections), every connection all 5",
		"disconnected 200/200",
	)
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-conns", "0"}, {"-parallel", "0"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
