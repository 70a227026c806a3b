package main

import (
	"math"
	"testing"
)

func TestMedianAndRatio(t *testing.T) {
	r := results{}
	for _, v := range []float64{5, 1, 3} {
		r.add("s", "stampede", metrics{"rate": v, "cpu_us": v})
	}
	for _, v := range []float64{1, 2} {
		r.add("s", "go-stomp", metrics{"rate": v, "cpu_us": v * 2})
	}
	if got := r.median("s", "stampede", "rate"); got != 3 {
		t.Errorf("odd median = %v, want 3", got)
	}
	if got := r.median("s", "go-stomp", "rate"); got != 1.5 {
		t.Errorf("even median = %v, want 1.5", got)
	}
	if got := r.median("s", "stomp.py", "rate"); !math.IsNaN(got) {
		t.Errorf("median without runs = %v, want NaN", got)
	}
	if got := r.ratio("s", "go-stomp", "rate", true); got != 2 {
		t.Errorf("higher-is-better ratio = %v, want 2", got)
	}
	if got := r.ratio("s", "go-stomp", "cpu_us", false); got != 1 {
		t.Errorf("lower-is-better ratio = %v, want 1", got)
	}
}

func TestFmtValue(t *testing.T) {
	for _, c := range []struct {
		format string
		v      float64
		want   string
	}{
		{"%.0f", 1234, "1234"},
		{"%.0f", 123456, "123,456"},
		{"%.0f", 1234567, "1,234,567"},
		{"%.0f", -98765, "-98,765"},
		{"%.2f", 123456.789, "123456.79"},
		{"%.0f", math.NaN(), "—"},
	} {
		if got := fmtValue(c.format, c.v); got != c.want {
			t.Errorf("fmtValue(%q, %v) = %q, want %q", c.format, c.v, got, c.want)
		}
	}
	if got := short(1.5e6); got != "1.5M" {
		t.Errorf("short(1.5e6) = %q", got)
	}
	if got := short(250000); got != "250k" {
		t.Errorf("short(250000) = %q", got)
	}
}
