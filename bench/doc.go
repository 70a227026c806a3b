// Package bench measures stampede side by side with go-stomp (and, through
// the bench command, stomp.py) on the same machine and the same peer. It is
// its own module so that go-stomp never enters stampede's dependencies.
//
// `make bench` at the repository root runs everything and writes
// RESULTS.md.
package bench
