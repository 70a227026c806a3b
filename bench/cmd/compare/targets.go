package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// results holds every run's metrics: scenario key → library → runs.
type results map[string]map[string][]metrics

func (r results) add(sc, lib string, m metrics) {
	if r[sc] == nil {
		r[sc] = map[string][]metrics{}
	}
	r[sc][lib] = append(r[sc][lib], m)
}

// median of one metric over the runs; NaN when there is none.
func (r results) median(sc, lib, key string) float64 {
	var vs []float64
	for _, m := range r[sc][lib] {
		if v, ok := m[key]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// runs is how many runs of a library produced a result.
func (r results) runs(sc, lib string) int { return len(r[sc][lib]) }

// ratio is how many times better stampede is than other on a metric:
// stampede/other when higher is better, other/stampede when lower is.
func (r results) ratio(sc, other, key string, higher bool) float64 {
	s, o := r.median(sc, "stampede", key), r.median(sc, other, key)
	if higher {
		return s / o
	}
	return o / s
}

// target is one line of the targets (or, with goal set, of
// PERFORMANCE.md's goals), checked on the medians.
type target struct {
	scenario string
	text     string
	goal     bool
	check    func(r results) (got string, met bool)
	profile  profileSpec // where to look when it is missed
	reading  string      // what the profile has shown so far (prose, no numbers)
}

// profileSpec says how to profile stampede on a missed target.
type profileSpec struct {
	kind  string   // "cpu" or "heap"
	extra []string // child flags
}

func ratioAtLeast(sc, key string, higher bool, min float64) func(results) (string, bool) {
	return func(r results) (string, bool) {
		x := r.ratio(sc, "go-stomp", key, higher)
		return fmt.Sprintf("%.2f×", x), x >= min
	}
}

func targets() []target {
	codecDecode := func(size string) func(results) (string, bool) {
		return func(r results) (string, bool) {
			k := "decode-" + size
			x := r.ratio("codec", "go-stomp", k+".mbs", true)
			a := r.median("codec", "stampede", k+".allocs")
			op := r.median("codec", "stampede", k+".allocs_op")
			return fmt.Sprintf("%.2f× MB/s, %.2f allocs/frame", x, a), x >= 3 && op <= 1
		}
	}
	return []target{
		{scenario: "codec", text: "decode 256 B: ≥ 3× go-stomp's MB/s, ≤ 1 alloc/frame", check: codecDecode("256B"),
			profile: profileSpec{"cpu", []string{"-case", "decode-256B"}}},
		{scenario: "codec", text: "decode 64 KiB: ≥ 3× go-stomp's MB/s, ≤ 1 alloc/frame", check: codecDecode("64KiB"),
			profile: profileSpec{"cpu", []string{"-case", "decode-64KiB"}},
			reading: "The time goes to the runtime, not the parser: every frame's body is a fresh 64 KiB allocation (codec/decode.go, stateBody: `append([]byte(nil), rest[:clen]...)`), a large object that takes the heap lock, and at this allocation rate the collector runs every few dozen frames (mallocgc, GC marking and sweeping, madvise in the profile). go-stomp pays the same allocation, so the two end up close. Copying into reused memory costs a few percent of that; the fix is to stop allocating per large body (a borrowed body, valid until the next Decode, or a pool released after the handler), not to parse faster."},
		{scenario: "codec", text: "encode: 0 allocs/frame (256 B and 64 KiB)", check: func(r results) (string, bool) {
			a, b := r.median("codec", "stampede", "encode-256B.allocs"), r.median("codec", "stampede", "encode-64KiB.allocs")
			opA, opB := r.median("codec", "stampede", "encode-256B.allocs_op"), r.median("codec", "stampede", "encode-64KiB.allocs_op")
			return fmt.Sprintf("%.4f and %.4f allocs/frame", a, b), opA == 0 && opB == 0
		}, profile: profileSpec{"heap", []string{"-case", "encode-256B"}}},
		{scenario: "publish", text: "publish on the embedded broker: ≥ 2× go-stomp msgs/s", check: ratioAtLeast("publish", "rate", true, 2),
			profile: profileSpec{kind: "cpu"}},
		{scenario: "roundtrip-embedded", text: "round trip on the embedded broker: ≥ 2× go-stomp msgs/s", check: ratioAtLeast("roundtrip-embedded", "rate", true, 2),
			profile: profileSpec{kind: "cpu"}},
		{scenario: "roundtrip-rabbitmq", text: "round trip on RabbitMQ: ≥ 1× go-stomp msgs/s", check: ratioAtLeast("roundtrip-rabbitmq", "rate", true, 1),
			profile: profileSpec{kind: "cpu"}},
		{scenario: "roundtrip-rabbitmq", text: "round trip on RabbitMQ: less client CPU per message than go-stomp", check: ratioAtLeast("roundtrip-rabbitmq", "cpu_us", false, 1.0000001),
			profile: profileSpec{kind: "cpu"}},
		{scenario: "fanout", text: "fan-out, 1,000 in flight per subscriber: ≥ 3× go-stomp delivered msgs/s", check: ratioAtLeast("fanout", "rate", true, 3),
			profile: profileSpec{kind: "cpu"}},
		{scenario: "fanout-shallow", text: "fan-out, 100 in flight per subscriber: ≥ 3× go-stomp delivered msgs/s", check: ratioAtLeast("fanout-shallow", "rate", true, 3),
			profile: profileSpec{kind: "cpu"},
			reading: "stampede's client still spends several times less CPU per delivered message than go-stomp's (table 4b); what it spends goes to reading (the syscalls), decoding heads (parseHead, fillHeader) and allocation: every MESSAGE takes arena memory for its header and body (Arena.bytes: fresh blocks the runtime zeroes, memclrNoHeapPointers) and a delivery object (Conn.deliver), which the collector then scans and sweeps. With few messages in flight each read carries a frame or two, so per-read and per-wake-up costs weigh more than in 4a, and the broker, in the same two cores, paces everyone. Decoding into memory reused once an inline handler has returned would remove the allocation and most of the collector's share."},
		{scenario: "idle", text: "idle: ≤ 2 KiB Go heap + stacks per connection", check: func(r results) (string, bool) {
			v := r.median("idle", "stampede", "heapstack_kib")
			return fmt.Sprintf("%.2f KiB", v), v <= 2
		}, profile: profileSpec{kind: "heap"},
			reading: "No single culprit: the bytes are spread over many small objects per connection: stampede.Conn with its private copy of the whole option config, its channels (upCh, done) and subscription map; the Subscription with its own done channel and header slice; the session with its ready channel and the retained CONNECTED frame; loop.Conn with its done channel and copies of both socket addresses; the decoder; gnet's conn; the heart-beat timers. Each of them is small; together they are about twice the target. The heap profile below (every allocation sampled) gives the split."},
		{scenario: "idle", text: "idle: goroutines independent of the connection count", check: func(r results) (string, bool) {
			g0, g1 := r.median("idle", "stampede", "goroutines_before"), r.median("idle", "stampede", "goroutines")
			return fmt.Sprintf("%.0f before, %.0f with %d connections", g0, g1, idleConns), g1-g0 <= 16
		}},
		{scenario: "publish", goal: true, text: "publish: ≥ 1 M msgs/s and ≤ 1 µs client CPU/msg", check: func(r results) (string, bool) {
			v, c := r.median("publish", "stampede", "rate"), r.median("publish", "stampede", "cpu_us")
			return fmt.Sprintf("%.0f msgs/s, %.2f µs/msg", v, c), v >= 1e6 && c <= 1
		}},
		{scenario: "roundtrip-rabbitmq", goal: true, text: "round trip on RabbitMQ: ≤ 5 µs client CPU/msg", check: func(r results) (string, bool) {
			c := r.median("roundtrip-rabbitmq", "stampede", "cpu_us")
			return fmt.Sprintf("%.2f µs/msg", c), c <= 5
		}},
		{scenario: "storm", goal: true, text: "connect storm: ≥ 10,000 sessions/s on the embedded broker", check: func(r results) (string, bool) {
			v := r.median("storm", "stampede", "rate")
			return fmt.Sprintf("%.0f sessions/s", v), v >= 10000
		}},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
