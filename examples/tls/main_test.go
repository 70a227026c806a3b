package main

import (
	"testing"

	"github.com/stampede-mq/stampede/examples/internal/exampletest"
)

func TestMain(m *testing.M) { exampletest.Main(m) }

func TestVerifiedAgainstTheBrokersCertificate(t *testing.T) {
	exampletest.Run(t, run, "-count", "5").Expect(t, 0,
		"without the broker's certificate authority: refused (certificate signed by unknown authority)",
		`connected over TLS 1.3, certificate of "stampede embedded broker" verified`,
		"received 5/5",
	)
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-count", "0"}, {"-nope"}} {
		if r := exampletest.Run(t, run, args...); r.Code != 2 || r.Stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", args, r.Code, r.Stderr)
		}
	}
}
