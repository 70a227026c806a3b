package loadgen

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Headline is one number that sums a run up, as compare and the reports
// show it.
type Headline struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"`
	Text         string  `json:"text"`          // Value, formatted
	HigherBetter bool    `json:"higher_better"` // throughput: yes; latency, cost: no
}

// Headlines returns the headline numbers of r, always in the same order.
func Headlines(r *Result) []Headline {
	dur := func(name string, ns int64) Headline {
		return Headline{Name: name, Value: float64(ns), Text: FormatDuration(ns)}
	}
	rate := func(name string, f float64) Headline {
		return Headline{Name: name, Value: f, Text: FormatRate(f), HigherBetter: true}
	}
	mb := func(name string, f float64) Headline {
		return Headline{Name: name, Value: f, Text: fmt.Sprintf("%.2f", f), HigherBetter: true}
	}
	bytes := func(name string, n uint64) Headline {
		return Headline{Name: name, Value: float64(n), Text: FormatBytes(n)}
	}
	count := func(name string, n uint64) Headline {
		return Headline{Name: name, Value: float64(n), Text: FormatCount(n)}
	}
	return []Headline{
		rate("sent msg/s", r.Sent.MsgsPerSec),
		rate("received msg/s", r.Received.MsgsPerSec),
		mb("sent MB/s", r.Sent.MBPerSec),
		mb("received MB/s", r.Received.MBPerSec),
		dur("latency p50", r.Latency.P50),
		dur("latency p90", r.Latency.P90),
		dur("latency p99", r.Latency.P99),
		dur("latency p99.9", r.Latency.P999),
		dur("latency max", r.Latency.Max),
		rate("connects/s", r.Connect.PerSec),
		dur("connect p99", r.Connect.Latency.P99),
		dur("CPU per message", int64(r.Process.CPUPerMsg)),
		bytes("RSS per connection", r.Process.PerConn.RSS),
		bytes("heap+stack per connection", r.Process.PerConn.HeapStack),
		count("lost", r.Delivery.Lost),
		count("duplicates", r.Delivery.Dups),
		count("errors", r.Errors.Total),
	}
}

// FormatRatio prints b / a: "=" when both are 0, "-" when only a is.
func FormatRatio(a, b float64) string {
	if a == 0 {
		if b == 0 {
			return "="
		}
		return "-"
	}
	return fmt.Sprintf("%.2f×", b/a)
}

// WriteComparison prints two results side by side with the ratio B/A of
// each headline number.
func WriteComparison(w io.Writer, a, b *Result, nameA, nameB string) error {
	ew := &errWriter{w: w}
	ew.printf("A: %s — %s against %s\n", nameA, a.Scenario.describe(), a.Target)
	ew.printf("B: %s — %s against %s\n\n", nameB, b.Scenario.describe(), b.Target)
	if a.Partial || b.Partial {
		ew.printf("(a partial result is compared)\n\n")
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tA\tB\tB/A\t\n")
	ha, hb := Headlines(a), Headlines(b)
	for i := range ha {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", ha[i].Name, ha[i].Text, hb[i].Text, FormatRatio(ha[i].Value, hb[i].Value))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return ew.err
}
