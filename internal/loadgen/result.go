package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ResultVersion is the version of the JSON layout of [Result].
const ResultVersion = 1

// Result is everything a run measured. It is what --json writes; every
// duration is in nanoseconds and every size in bytes.
type Result struct {
	Version  int       `json:"version"`
	Started  time.Time `json:"started"`
	Target   string    `json:"target"`         // the address dialed, or "embedded"
	Server   string    `json:"server"`         // the server header of CONNECTED
	Protocol string    `json:"protocol"`       // the negotiated STOMP version
	Scenario Scenario  `json:"scenario"`       //
	Partial  bool      `json:"partial"`        // interrupted: the numbers cover what ran
	Note     string    `json:"note,omitempty"` // why the run ended early, if it did
	RunID    uint32    `json:"run_id"`

	// Measured is the length of the measured phase (after the warm-up,
	// until the producers stopped).
	Measured time.Duration `json:"measured_ns"`

	Connect  ConnectStats `json:"connect"`
	Sent     Throughput   `json:"sent"`     // measured phase
	Received Throughput   `json:"received"` // measured phase
	Delivery Delivery     `json:"delivery"` // whole run
	Latency  Latency      `json:"latency"`  // received from the end of the warm-up to the end of the drain
	Errors   Errors       `json:"errors"`
	Process  Process      `json:"process"`
	// Series holds one sample per second of the whole run, from the start
	// of the connect storm to the end of the drain.
	Series []Sample `json:"series"`
}

// Throughput is messages and bytes over the measured phase.
type Throughput struct {
	Messages   uint64  `json:"messages"`
	Bytes      uint64  `json:"bytes"`
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"` // 10^6 bytes
}

// Delivery compares what was sent with what arrived, over the whole run.
type Delivery struct {
	Sent      uint64 `json:"sent"`
	Expected  uint64 `json:"expected"` // sent × fan-out
	Received  uint64 `json:"received"` // every bench body of this run, duplicates included
	Unique    uint64 `json:"unique"`
	Lost      uint64 `json:"lost"` // expected − unique
	Dups      uint64 `json:"duplicates"`
	Reordered uint64 `json:"reordered"` // arrived behind the tracking window
	Foreign   uint64 `json:"foreign"`   // bench bodies of another run
	Checked   bool   `json:"checked"`   // false without consumers: nothing to compare
}

// LossRatio is Lost / Expected.
func (d Delivery) LossRatio() float64 {
	if d.Expected == 0 {
		return 0
	}
	return float64(d.Lost) / float64(d.Expected)
}

// Latency summarises an HDR histogram of nanoseconds.
type Latency struct {
	Count int64   `json:"count"`
	Min   int64   `json:"min_ns"`
	Mean  float64 `json:"mean_ns"`
	P50   int64   `json:"p50_ns"`
	P90   int64   `json:"p90_ns"`
	P99   int64   `json:"p99_ns"`
	P999  int64   `json:"p999_ns"`
	Max   int64   `json:"max_ns"`
	// Percentiles is the HDR percentile curve: the latency at percentiles
	// spaced evenly on the scale of 1/(1-p), up to the maximum.
	Percentiles []PercentilePoint `json:"percentiles"`
	// Buckets are counts per power-of-two range of latency, for the
	// terminal's distribution bars.
	Buckets []Bucket `json:"buckets"`
}

// PercentilePoint is one point of the percentile curve.
type PercentilePoint struct {
	Percentile float64 `json:"percentile"` // 0..100
	Value      int64   `json:"value_ns"`
}

// Bucket counts the latencies in [Low, High).
type Bucket struct {
	Low   int64 `json:"low_ns"`
	High  int64 `json:"high_ns"`
	Count int64 `json:"count"`
}

// ConnectStats describes the connect storm.
type ConnectStats struct {
	Connections int           `json:"connections"` // connected
	Failed      int           `json:"failed"`
	Took        time.Duration `json:"took_ns"` // the whole storm
	PerSec      float64       `json:"per_sec"`
	Latency     Latency       `json:"latency"` // of one connect (TCP + CONNECTED)
}

// Errors counts errors by kind.
type Errors struct {
	Total  uint64            `json:"total"`
	ByKind map[string]uint64 `json:"by_kind"`
	First  map[string]string `json:"first"` // the first message of each kind
}

// Process is what the run cost this process.
type Process struct {
	CPU        time.Duration `json:"cpu_ns"` // user + system over the measured phase
	CPUPercent float64       `json:"cpu_percent"`
	CPUPerMsg  time.Duration `json:"cpu_per_msg_ns"` // per message sent or received
	Memory     MemorySample  `json:"memory"`         // at the end of the measured phase
	Baseline   MemorySample  `json:"baseline"`       // before connecting
	Connected  MemorySample  `json:"connected"`      // every connection up
	// PerConn is (Connected − Baseline) / connections.
	PerConn MemorySample `json:"per_connection"`
	// Embedded says the broker ran in this process: its memory and CPU
	// are included.
	Embedded bool `json:"embedded_broker"`
}

// MemorySample is a reading of the process's memory.
type MemorySample struct {
	RSS        uint64 `json:"rss"`
	HeapStack  uint64 `json:"heap_stack"` // live Go heap + goroutine stacks
	Goroutines int    `json:"goroutines"`
}

// Sample is one second of the run (the last one may be shorter).
type Sample struct {
	T           float64 `json:"t"`     // seconds since the run started, at the end of the sample
	Dt          float64 `json:"dt"`    // the sample's length in seconds
	Phase       string  `json:"phase"` // connect, warmup, measure, drain
	Sent        uint64  `json:"sent"`  // messages sent during the sample
	Received    uint64  `json:"received"`
	SentRate    float64 `json:"sent_per_sec"` // Sent / Dt
	RecvRate    float64 `json:"received_per_sec"`
	SentBytes   uint64  `json:"sent_bytes"`
	RecvBytes   uint64  `json:"received_bytes"`
	P50         int64   `json:"p50_ns"` // latencies received during the sample; 0 without any
	P99         int64   `json:"p99_ns"`
	Max         int64   `json:"max_ns"`
	Connections int     `json:"connections"` // open or opening at the end of the sample
	Errors      uint64  `json:"errors"`      // errors during the sample
}

// summarize builds a Latency from h.
func summarize(h *hdr.Histogram) Latency {
	l := Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	l.Min, l.Max, l.Mean = h.Min(), h.Max(), h.Mean()
	l.P50 = h.ValueAtQuantile(50)
	l.P90 = h.ValueAtQuantile(90)
	l.P99 = h.ValueAtQuantile(99)
	l.P999 = h.ValueAtQuantile(99.9)
	l.Percentiles = percentileCurve(h)
	l.Buckets = buckets(h)
	return l
}

// percentileCurve samples h at percentiles 1 − 10^(−k/10): ten points
// per decade of 1/(1−p), from 0 up to where the histogram runs out.
func percentileCurve(h *hdr.Histogram) []PercentilePoint {
	var pts []PercentilePoint
	n := float64(h.TotalCount())
	for k := 0; k <= 60; k++ {
		p := 100 * (1 - math.Pow(10, -float64(k)/10))
		v := h.ValueAtQuantile(p)
		if k == 0 {
			v = h.Min()
		}
		pts = append(pts, PercentilePoint{Percentile: p, Value: v})
		if (100-p)/100*n < 1 { // past the last sample: the rest is the maximum
			break
		}
	}
	pts = append(pts, PercentilePoint{Percentile: 100, Value: h.Max()})
	return pts
}

// buckets folds h into power-of-two ranges from its minimum to its maximum.
func buckets(h *hdr.Histogram) []Bucket {
	lo := int64(1)
	for lo*2 <= h.Min() {
		lo *= 2
	}
	var out []Bucket
	for ; lo <= h.Max(); lo *= 2 {
		out = append(out, Bucket{Low: lo, High: lo * 2})
	}
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		for i := range out {
			if b.From >= out[i].Low && b.From < out[i].High {
				out[i].Count += b.Count
				break
			}
		}
	}
	return out
}

// WriteJSON writes r, indented.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// SaveJSON writes r to the file path.
func (r *Result) SaveJSON(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// LoadJSON reads a result written by [Result.SaveJSON].
func LoadJSON(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Version != ResultVersion {
		return nil, fmt.Errorf("%s: result version %d, want %d", path, r.Version, ResultVersion)
	}
	return &r, nil
}
