package handlers

import (
	"math"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	prevHi := int64(0)
	for i := range histBuckets - 1 {
		lo, hi := bucketBounds(i)
		if lo != prevHi {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		if i >= histSub && float64(hi-lo) > float64(lo)/histSub {
			t.Fatalf("bucket %d [%d, %d) is wider than 1/%d of its start", i, lo, hi, histSub)
		}
		for _, v := range []int64{lo, hi - 1, (lo + hi) / 2} {
			if got := bucketOf(v); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d [%d, %d)", v, got, i, lo, hi)
			}
		}
		prevHi = hi
	}
	if got := bucketOf(prevHi); got != histBuckets-1 {
		t.Errorf("bucketOf(%d) = %d, want the last bucket", prevHi, got)
	}
	for _, v := range []int64{-5, 0, math.MaxInt64} {
		if got := bucketOf(v); got < 0 || got >= histBuckets {
			t.Errorf("bucketOf(%d) = %d: out of range", v, got)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	if s := h.snapshot(); s.quantile(0.5) != 0 || s.mean() != 0 {
		t.Errorf("empty histogram: quantile %v mean %v", s.quantile(0.5), s.mean())
	}
	for _, d := range []time.Duration{-time.Second, 3, 5, 7} { // small values are exact
		h.record(d)
	}
	s := h.snapshot()
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0, 0}, {0.25, 0}, {0.5, 3}, {0.75, 5}, {1, 7}, {2, 7}, {math.NaN(), 0}} {
		if got := s.quantile(tc.q); got != tc.want {
			t.Errorf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	// Beyond the range only the maximum is known.
	var big histogram
	big.record(time.Hour)
	big.record(2 * time.Hour)
	if got := big.snapshot().quantile(0.5); got != 2*time.Hour {
		t.Errorf("quantile of overflowing values = %v, want the maximum", got)
	}
}
