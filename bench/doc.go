// Package bench measures stampede side by side with go-stomp and stomp.py
// on the same machine and the same peer. It is its own module so that
// go-stomp never enters stampede's dependencies.
//
// `make bench` at the repository root (scripts/bench.sh) runs every
// scenario and writes RESULTS.md and charts/*.svg; nothing in them is
// edited by hand. The pieces:
//
//   - cmd/compare orchestrates: it builds the embedded broker
//     (cmd/stampede) and cmd/measure, runs each measurement in a child
//     process against a fresh peer, library after library, five times,
//     and writes the medians, ratios, targets, charts and, for a missed
//     target, a profile. For the TLS scenarios it makes a CA and a
//     certificate for 127.0.0.1 once per run and gives the broker a TLS
//     listener; the clients verify the certificate against that CA.
//   - cmd/measure runs one scenario with one library and prints a JSON
//     line; run it by hand to look at one case (-cpuprofile, -memprofile).
//   - drivers puts stampede and go-stomp behind one interface (dial, send,
//     subscribe with a counter, close), over TCP or TLS, so every scenario
//     is the same code for both; python/stomppy.py is stomp.py's side.
//   - codecbench holds scenario 1 (codec), which `go test -bench .` in
//     this directory also runs.
//
// Benchmarks here are benchmarks: nothing in this module asserts a time.
package bench
