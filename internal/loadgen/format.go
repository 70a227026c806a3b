package loadgen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatDuration prints nanoseconds with three significant digits:
// "812ns", "23.4µs", "1.25ms", "3.10s".
func FormatDuration(ns int64) string {
	d := float64(ns)
	switch {
	case ns < 1000:
		return strconv.FormatInt(ns, 10) + "ns"
	case ns < 1_000_000:
		return sig3(d/1e3) + "µs"
	case ns < 1_000_000_000:
		return sig3(d/1e6) + "ms"
	}
	return sig3(d/1e9) + "s"
}

// sig3 prints f (≥ 1) with three significant digits.
func sig3(f float64) string {
	switch {
	case f >= 100:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// FormatCount prints n with thousands separators: 1,234,567.
func FormatCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// FormatRate prints a rate per second with thousands separators.
func FormatRate(f float64) string {
	if f < 0 {
		f = 0
	}
	return FormatCount(uint64(f + 0.5))
}

// FormatBytes prints a size in binary units: "812 B", "1.2 KiB", "45.3 MiB".
func FormatBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1<<10:
		return strconv.FormatUint(n, 10) + " B"
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", f/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", f/(1<<30))
}

// describe says in one line what the scenario did.
func (s *Scenario) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d producer%s, %d consumer%s", s.Producers, plural(s.Producers), s.Consumers, plural(s.Consumers))
	if s.Idle > 0 {
		fmt.Fprintf(&b, ", %d idle", s.Idle)
	}
	fmt.Fprintf(&b, "; %s ×%d", s.Kind, s.Destinations)
	if s.MinSize == s.MaxSize {
		fmt.Fprintf(&b, "; %d B", s.MinSize)
	} else {
		fmt.Fprintf(&b, "; %d-%d B", s.MinSize, s.MaxSize)
	}
	if s.Rate > 0 {
		fmt.Fprintf(&b, "; %s msg/s per producer", FormatRate(s.Rate))
	} else {
		b.WriteString("; unthrottled")
	}
	if s.Messages > 0 {
		fmt.Fprintf(&b, "; %d messages each", s.Messages)
	} else {
		fmt.Fprintf(&b, "; %v", s.Duration)
	}
	if s.Warmup > 0 {
		fmt.Fprintf(&b, " after %v warm-up", s.Warmup)
	}
	if s.Ack != AckAuto {
		fmt.Fprintf(&b, "; ack %s", s.Ack)
	}
	if s.Receipts {
		b.WriteString("; receipts")
	}
	if s.Transaction > 0 {
		fmt.Fprintf(&b, "; transactions of %d", s.Transaction)
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// FormatProgress prints a progress report as one line.
func FormatProgress(p Progress) string {
	line := fmt.Sprintf("%6.1fs %-7s sent %s/s  recv %s/s  conns %s  errors %s",
		p.Elapsed.Seconds(), p.Phase, FormatRate(p.SentRate), FormatRate(p.RecvRate),
		FormatCount(uint64(p.Connections)), FormatCount(p.Errors))
	if p.P99 > 0 {
		line += "  p99 " + FormatDuration(p.P99)
	}
	return line
}

// seconds prints a duration in seconds with two decimals.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
