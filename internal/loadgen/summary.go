package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteSummary prints the plain-text summary of a run: what ran, rates,
// latency percentiles and their distribution, delivery, errors, and what
// it cost the process.
func WriteSummary(w io.Writer, r *Result) error {
	ew := &errWriter{w: w}
	if r.Partial {
		ew.printf("PARTIAL RESULT (%s)\n", r.Note)
	}
	s := &r.Scenario
	server := r.Server
	if server == "" {
		server = "unknown server"
	}
	ew.printf("stampede bench against %s (%s, STOMP %s)\n", r.Target, server, r.Protocol)
	ew.printf("  %s\n\n", s.describe())

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tmessages\tmsg/s\tMB/s\t\n")
	fmt.Fprintf(tw, "sent\t%s\t%s\t%.2f\t\n", FormatCount(r.Sent.Messages), FormatRate(r.Sent.MsgsPerSec), r.Sent.MBPerSec)
	fmt.Fprintf(tw, "received\t%s\t%s\t%.2f\t\n", FormatCount(r.Received.Messages), FormatRate(r.Received.MsgsPerSec), r.Received.MBPerSec)
	_ = tw.Flush()
	ew.printf("  over %s measured\n\n", seconds(r.Measured))

	l := r.Latency
	if l.Count == 0 {
		ew.printf("latency         no message received while measuring\n")
	} else {
		ew.printf("latency         p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%s messages)\n",
			FormatDuration(l.P50), FormatDuration(l.P90), FormatDuration(l.P99), FormatDuration(l.P999),
			FormatDuration(l.Max), FormatCount(uint64(l.Count)))
		if s.Rate > 0 {
			ew.printf("                from the time each message was due (open loop)\n")
		} else {
			ew.printf("                from the time each message was sent\n")
		}
		ew.printf("%s", DistributionBars(l.Buckets, 40))
	}
	ew.printf("\n")

	d := r.Delivery
	if d.Checked {
		ew.printf("delivery        sent %s  expected %s  received %s  lost %s (%.4f%%)  duplicates %s",
			FormatCount(d.Sent), FormatCount(d.Expected), FormatCount(d.Received), FormatCount(d.Lost),
			100*d.LossRatio(), FormatCount(d.Dups))
		if d.Lost > 0 {
			ew.printf("\n                lost = not received %v after the producers stopped (--drain)", s.Drain)
		}
		if d.Reordered > 0 {
			ew.printf("  reordered %s", FormatCount(d.Reordered))
		}
		if d.Foreign > 0 {
			ew.printf("  foreign %s", FormatCount(d.Foreign))
		}
		ew.printf("\n")
	} else {
		ew.printf("delivery        sent %s (no consumer: not checked)\n", FormatCount(d.Sent))
	}

	c := r.Connect
	ew.printf("connect         %s connection%s in %s (%s/s), each p50 %s p99 %s max %s; %d failed\n",
		FormatCount(uint64(c.Connections)), plural(c.Connections), seconds(c.Took), FormatRate(c.PerSec),
		FormatDuration(c.Latency.P50), FormatDuration(c.Latency.P99), FormatDuration(c.Latency.Max), c.Failed)

	if r.Errors.Total == 0 {
		ew.printf("errors          none\n")
	} else {
		ew.printf("errors          %s:", FormatCount(r.Errors.Total))
		for _, k := range slices.Sorted(maps.Keys(r.Errors.ByKind)) {
			ew.printf(" %s %s", k, FormatCount(r.Errors.ByKind[k]))
		}
		ew.printf("\n")
		for _, k := range slices.Sorted(maps.Keys(r.Errors.First)) {
			ew.printf("                first %s: %s\n", k, r.Errors.First[k])
		}
	}

	p := r.Process
	ew.printf("process         CPU %s (%.0f%%), %s per message; RSS %s; heap+stack %s; goroutines %d\n",
		seconds(p.CPU), p.CPUPercent, FormatDuration(int64(p.CPUPerMsg)), FormatBytes(p.Memory.RSS),
		FormatBytes(p.Memory.HeapStack), p.Memory.Goroutines)
	ew.printf("per connection  RSS %s, heap+stack %s; goroutines %d before connecting, %d connected",
		FormatBytes(p.PerConn.RSS), FormatBytes(p.PerConn.HeapStack), p.Baseline.Goroutines, p.Connected.Goroutines)
	if p.Embedded {
		ew.printf(" (the embedded broker's side included)")
	}
	ew.printf("\n")
	return ew.err
}

// DistributionBars draws the latency buckets as horizontal bars at most
// width characters long, one line per power-of-two range.
func DistributionBars(bs []Bucket, width int) string {
	var most int64
	for _, b := range bs {
		most = max(most, b.Count)
	}
	if most == 0 {
		return ""
	}
	eighths := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	var sb strings.Builder
	for _, b := range bs {
		n := int(b.Count * int64(width) * 8 / most)
		if b.Count > 0 && n == 0 {
			n = 1
		}
		bar := strings.Repeat("█", n/8) + eighths[n%8]
		fmt.Fprintf(&sb, "  %8s-%-8s %-*s %s\n", FormatDuration(b.Low), FormatDuration(b.High),
			width, bar, FormatCount(uint64(b.Count)))
	}
	return sb.String()
}

// errWriter keeps the first write error so that printing code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
