// Package reconnect holds the pure building blocks of stampede's automatic
// reconnection: retry policies, host-list ordering and an injectable clock.
//
// Nothing in this package opens a connection or sleeps on its own. The root
// package drives a loop of roughly this shape:
//
//	hosts := reconnect.Order(cfg.Hosts, reconnect.DefaultOrderOptions())
//	for attempt := 1; ; attempt++ {
//		for _, h := range hosts { // one round
//			if conn, err := dial(ctx, h); err == nil {
//				return conn, nil
//			}
//		}
//		delay, ok := policy.Next(attempt) // attempt = failed rounds so far
//		if !ok {
//			return nil, errGaveUp
//		}
//		if err := reconnect.Wait(ctx, clock, delay); err != nil {
//			return nil, err
//		}
//	}
//
// # Policies
//
// A [Policy] maps the number of failed rounds to the delay before the next
// round, or says to give up. [Backoff] reproduces the algorithm and the
// defaults of stomp.py (the reconnect_sleep_* and reconnect_attempts_max
// transport parameters); see [DefaultBackoff]. [Constant], [Exponential],
// [Never] and [PolicyFunc] cover the other common needs.
//
// # Hosts
//
// [ParseHost] and [ParseHostList] turn "host:port" strings (IPv6 in
// brackets) into [Host] values, and [Order] applies stomp.py's
// prefer_localhost and try_loopback_connect rules to a host list.
//
// # Time
//
// [Clock] abstracts time so that reconnection loops can be tested without
// sleeping; [SystemClock] is the real one and the subpackage reconnecttest
// provides a deterministic fake. [Wait] sleeps on a Clock while honouring a
// context.
//
// # Concurrency
//
// Policies are immutable values: they keep no state between calls, so one
// value may be shared by any number of goroutines and Next may be called
// concurrently, provided that an injected Rand function is itself safe for
// concurrent use (the default, math/rand/v2, is). Do not modify a policy's
// fields while it is in use. [Order], [ParseHost] and [ParseHostList] are
// pure functions; [SystemClock] and [Wait] are safe for concurrent use.
//
// # Errors
//
// Every error message starts with "reconnect: ". Configuration errors wrap
// [ErrInvalidPolicy] and parse errors wrap [ErrInvalidHost], so they can be
// tested with errors.Is.
package reconnect
