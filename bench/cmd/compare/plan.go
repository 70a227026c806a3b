package main

import (
	"slices"
	"time"
)

// Durations of the measurements; -quick shortens them for a smoke run.
type durations struct {
	traffic time.Duration // measured interval of publish, round trip, fan-out
	idle    time.Duration // idle interval of scenario 6
	tlsIdle time.Duration // idle interval of scenario 7b
}

// metricSpec says how a table shows one metric.
type metricSpec struct {
	key, label string
	higher     bool   // higher is better (else lower)
	format     string // fmt verb for the values
}

// scenario is one table of RESULTS.md: a child scenario against one peer.
type scenario struct {
	key, title string
	child      string   // child scenario name
	peer       string   // "embedded", "rabbitmq", or "" (no peer)
	libs       []string // in table order
	args       []string // child flags, every library
	pyArgs     []string // child flags added for stomp.py
	broker     []string // embedded broker flags
	tls        bool     // the broker listens on TLS too, and the libraries connect over it (all but stampedeTCP)
	metrics    []metricSpec
	method     string // how it is measured, for RESULTS.md
}

var (
	rateMetric   = metricSpec{"rate", "msgs/s", true, "%.0f"}
	cpuMetric    = metricSpec{"cpu_us", "client CPU µs/msg", false, "%.2f"}
	coresMetric  = metricSpec{"cpu", "client CPU (cores busy)", false, "%.2f"}
	stormMetrics = []metricSpec{
		{"seconds", "time for 10,000 sessions (s)", false, "%.2f"},
		{"rate", "sessions/s", true, "%.0f"},
		{"cpu_us", "client CPU µs/session", false, "%.0f"},
		{"peak_rss_mib", "peak RSS (MiB)", false, "%.1f"},
		{"rss_per_conn_kib", "peak RSS per session (KiB)", false, "%.1f"},
	}
	idleMetrics = []metricSpec{
		{"conns", "connections measured", true, "%.0f"},
		{"heapstack_kib", "Go heap + stacks per connection (KiB)", false, "%.2f"},
		{"heap_kib", "  of which heap (KiB)", false, "%.2f"},
		{"stack_kib", "  of which stacks (KiB)", false, "%.2f"},
		{"rss_kib", "RSS per connection (KiB)", false, "%.2f"},
		{"goroutines_before", "goroutines before connecting", false, "%.0f"},
		{"goroutines", "goroutines with the connections", false, "%.0f"},
		{"threads", "OS threads with the connections", false, "%.0f"},
		{"cpu_ms_s", "CPU while idle (ms per s)", false, "%.1f"},
		{"cpu_us_conn_s", "CPU while idle per connection (µs per s)", false, "%.2f"},
		{"alive", "connections that got a message after idling", true, "%.0f"},
		{"hb_timeouts", "heart-beat timeouts the library reported", false, "%.0f"},
	}
)

// tlsIdleMetrics are scenario 6's metrics without the CPU while idle and
// the heart-beat timeouts (which only stomp.py reports).
var tlsIdleMetrics = slices.DeleteFunc(slices.Clone(idleMetrics), func(m metricSpec) bool {
	return m.key == "cpu_ms_s" || m.key == "cpu_us_conn_s" || m.key == "hb_timeouts"
})

// Connection counts of the many-connection scenarios.
const (
	fanOutSubscribers = 1000
	stormSessions     = 10000
	idleConns         = 10000
	idleConnsPython   = 1000
	idleConnsTLS      = 2000
)

func plan(d durations) []*scenario {
	traffic := []string{"-seconds", secs(d.traffic)}
	go3 := []string{"stampede", "go-stomp", "stomp.py"}
	return []*scenario{
		{
			key: "codec", title: "1. Codec: decode and encode a MESSAGE", child: "codec",
			libs:   []string{"stampede", "go-stomp"},
			method: "In-process `testing.Benchmark` of stampede's `codec.Decoder`/`codec.Encoder` and go-stomp's `frame.Reader`/`frame.Writer` on a MESSAGE with 8 headers and a 256 B or 64 KiB body (`bench/codecbench`, also `go test -bench . ./bench`). Decoding reads a 256 KiB buffer of back-to-back frames; encoding appends into a reused buffer. ns/frame and MB/s are wall-clock, as `go test` reports them; CPU ns/frame is the process's CPU time over every round of the benchmark, the garbage collector's included, which moves less when other work shares the machine. allocs/frame is exact (allocations amortized over the frames); the targets count allocations as `go test -benchmem` does, whole allocations per frame, rounded down.",
		},
		{
			key: "publish", title: "2. Publish throughput, one connection, 256 B, no receipts", child: "publish", peer: "embedded",
			libs: []string{"stampede", "go-stomp"}, args: traffic,
			metrics: []metricSpec{rateMetric, cpuMetric, coresMetric},
			method:  "One connection sends 256-byte SENDs to a topic without subscribers on the embedded broker (its own process) as fast as `Send` returns; a last SEND with a receipt closes the interval, so every message counted reached the broker.",
		},
		{
			key: "roundtrip-embedded", title: "3a. Round trip 1 producer → 1 consumer, queue, auto ack — embedded broker", child: "roundtrip", peer: "embedded",
			libs: go3, args: traffic,
			metrics: []metricSpec{rateMetric, cpuMetric, coresMetric},
			method:  "A consumer connection (auto ack) and a producer connection on one queue, in one client process. The producer keeps at most 1,000 messages in flight (sent, not yet delivered), so the rate is what the pair sustains end to end; CPU is the whole client process's (both ends) per delivered message.",
		},
		{
			key: "roundtrip-rabbitmq", title: "3b. Round trip 1 producer → 1 consumer, queue, auto ack — RabbitMQ", child: "roundtrip", peer: "rabbitmq",
			libs: go3, args: traffic,
			metrics: []metricSpec{rateMetric, cpuMetric, coresMetric},
			method:  "As 3a against RabbitMQ on the same machine. RabbitMQ is the bottleneck here (it shares the 2 cores), so the interesting number is the client CPU per message.",
		},
		{
			key: "fanout", title: "4a. Fan-out: 1 producer → 1,000 subscribers on 1,000 connections (topic), deep pipeline", child: "fanout", peer: "embedded",
			libs: []string{"stampede", "go-stomp"}, args: append([]string{"-conns", itoa(fanOutSubscribers), "-window", "1000"}, traffic...),
			metrics: []metricSpec{{"rate", "delivered msgs/s", true, "%.0f"}, {"cpu_us", "client CPU µs/delivered msg", false, "%.2f"}, coresMetric},
			method:  "1,000 subscriber connections and a producer connection in one client process, on one topic of the embedded broker. The producer keeps at most 1,000 messages per subscriber in flight (a tenth of the broker's slow-subscriber limit); the rate counts deliveries over all subscribers. The client CPU per delivered message is the steadier comparison: the broker shares the cores, and the machine's other work moves the rates.",
		},
		{
			key: "fanout-shallow", title: "4b. Fan-out as 4a, shallow pipeline", child: "fanout", peer: "embedded",
			libs: []string{"stampede", "go-stomp"}, args: append([]string{"-conns", itoa(fanOutSubscribers), "-window", "100"}, traffic...),
			metrics: []metricSpec{{"rate", "delivered msgs/s", true, "%.0f"}, {"cpu_us", "client CPU µs/delivered msg", false, "%.2f"}, coresMetric},
			method:  "As 4a with at most 100 messages per subscriber in flight. The window changes the picture: a deeper pipeline lets stampede's loops and the broker batch reads and writes, while go-stomp slows down with it; both are shown so that neither operating point is picked for its ratio.",
		},
		{
			key: "storm", title: "5. Connect storm: 10,000 STOMP sessions", child: "storm", peer: "embedded",
			libs: []string{"stampede", "go-stomp"}, args: []string{"-conns", itoa(stormSessions)},
			metrics: stormMetrics,
			method:  "10,000 sessions established (TCP connect, CONNECT → CONNECTED) by 64 dialers at once, each `Dial` blocking until CONNECTED; time from the first dial to the last CONNECTED; peak memory is the process's peak RSS (VmHWM).",
		},
		{
			key: "idle", title: "6. Idle: 10,000 connections, heart-beats 5 s, one subscription each", child: "idle", peer: "embedded",
			libs: go3, args: []string{"-conns", itoa(idleConns), "-heartbeat", "5s", "-seconds", secs(d.idle)},
			pyArgs:  []string{"-conns", itoa(idleConnsPython)},
			broker:  []string{"--heartbeat", "5s"},
			metrics: idleMetrics,
			method:  "Connections with heart-beats of 5 s both ways (the broker offers 5 s too) and one topic subscription each, then idle for " + secs(d.idle) + " s. Memory per connection is the growth of live Go heap + goroutine stacks (after GC) and of RSS over the process before connecting, divided by the connection count; CPU is the process's during the idle interval. go-stomp includes the one goroutine per subscription that reads its channel, as an application must. stomp.py runs 1,000 connections (two OS threads each; 10,000 would need 20,000 threads): its numbers are per connection at that count.",
		},
		{
			key: "tls-roundtrip", title: "7a. TLS round trip 1 producer → 1 consumer, queue, auto ack — embedded broker over TLS 1.3", child: "roundtrip", peer: "embedded", tls: true,
			libs: []string{"stampede", stampedeTCP, "go-stomp"}, args: traffic,
			metrics: []metricSpec{rateMetric, cpuMetric, coresMetric},
			method:  "As 3a over TLS 1.3. For the run, a CA and a certificate for 127.0.0.1 signed by it are made; the embedded broker serves that certificate on a TLS listener next to its TCP one, and both libraries verify it against the CA (stampede: an `ssl://` address with `WithTLS`; go-stomp: `tls.Dialer.DialContext`, then `stomp.ConnectWithContext` over the TLS connection). " + tlsColumnNote,
		},
		{
			key: "tls-idle", title: "7b. TLS idle: 2,000 connections, heart-beats 5 s, one subscription each", child: "idle", peer: "embedded", tls: true,
			libs: []string{"stampede", stampedeTCP, "go-stomp"}, args: []string{"-conns", itoa(idleConnsTLS), "-heartbeat", "5s", "-seconds", secs(d.tlsIdle)},
			broker:  []string{"--heartbeat", "5s"},
			metrics: tlsIdleMetrics,
			method:  "As 6 over TLS 1.3 (certificates as in 7a), with 2,000 connections (the TLS handshakes of 10,000, client and broker on the same two cores, would take most of a minute per run), idle for " + secs(d.tlsIdle) + " s. The CPU while idle is not reported here: a fair reading needs a whole heart-beat period per run, and at this count the process's fixed background work weighs about as much as the connections (scenario 6 has it at 10,000 over TCP). Memory per connection includes what TLS keeps per connection (the record layer's buffers and state); the goroutine rows show whether a TLS connection costs goroutines (stampede hands the socket to its event loops once the handshake is done). " + tlsColumnNote,
		},
	}
}

// tlsColumnNote explains the stampede (TCP) column of the TLS scenarios.
const tlsColumnNote = "The column stampede (TCP) is stampede over the same broker's plain TCP listener, measured in the same runs (the order of the three alternates from run to run), so that TLS's cost reads along a row; its ratio column is stampede over TLS against stampede over TCP (below 1× is what TLS costs)."
