package handlers

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The latency histogram of [Metrics] has fixed log-linear buckets, as HDR
// histograms do: every power of two of nanoseconds is split into
// histSub equal buckets, so a bucket is at most 1/histSub (12.5%) wider
// than its lower bound, from 1 ns up to 2^histMaxExp ns (about 18 minutes;
// longer latencies share the last bucket). Recording is three atomic adds
// and a compare-and-swap loop for the maximum, with no lock and no
// allocation; 304 counters take 2.4 KiB.
const (
	histSubBits = 3
	histSub     = 1 << histSubBits
	histMaxExp  = 40
	histBuckets = (histMaxExp - histSubBits + 1) * histSub
)

// histogram records durations. Its zero value is empty and ready to use;
// all methods are safe for concurrent use.
type histogram struct {
	counts [histBuckets]atomic.Uint64
	sum    atomic.Int64 // nanoseconds
	max    atomic.Int64 // nanoseconds
}

// bucketOf returns the bucket index of ns nanoseconds (ns >= 0). Values
// below histSub have a bucket each; above, the index is the position of the
// leading bit (which power of two) followed by the next histSubBits bits
// (which slice of it).
func bucketOf(ns int64) int {
	if ns < histSub {
		return int(max(ns, 0))
	}
	e := bits.Len64(uint64(ns)) - 1 // ns is in [2^e, 2^(e+1))
	sub := int(ns>>(e-histSubBits)) & (histSub - 1)
	i := (e-histSubBits+1)*histSub + sub
	return min(i, histBuckets-1)
}

// bucketBounds returns the smallest value of bucket i and the smallest
// value of the next one.
func bucketBounds(i int) (lo, hi int64) {
	if i < histSub {
		return int64(i), int64(i) + 1
	}
	g, sub := i/histSub, int64(i%histSub)
	width := int64(1) << (g - 1)
	lo = (histSub + sub) * width
	return lo, lo + width
}

// record adds one duration; negative durations count as 0.
func (h *histogram) record(d time.Duration) {
	ns := max(int64(d), 0)
	h.counts[bucketOf(ns)].Add(1)
	h.sum.Add(ns)
	for {
		cur := h.max.Load()
		if ns <= cur || h.max.CompareAndSwap(cur, ns) {
			return
		}
	}
}

// histogramSnapshot is a copy of the counters. Counters are read one by one
// while recording goes on, so the copy is consistent per counter, not
// across them: good enough for quantiles.
type histogramSnapshot struct {
	counts [histBuckets]uint64
	total  uint64
	sum    int64
	max    int64
}

// snapshot copies the counters.
func (h *histogram) snapshot() *histogramSnapshot {
	s := &histogramSnapshot{sum: h.sum.Load(), max: h.max.Load()}
	for i := range h.counts {
		c := h.counts[i].Load()
		s.counts[i] = c
		s.total += c
	}
	return s
}

// quantile estimates the q-quantile (0 < q <= 1): the largest value of the
// bucket holding the ceil(q·n)-th smallest duration, capped at the maximum.
// The estimate is never below the true quantile and at most 12.5% above
// it. It is 0 for an empty histogram.
func (s *histogramSnapshot) quantile(q float64) time.Duration {
	if s.total == 0 || math.IsNaN(q) {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := max(uint64(math.Ceil(q*float64(s.total))), 1)
	var cum uint64
	for i, c := range s.counts {
		cum += c
		if cum >= rank {
			if i == histBuckets-1 {
				break // the open-ended last bucket: only the maximum is known
			}
			_, hi := bucketBounds(i)
			return time.Duration(min(hi-1, s.max))
		}
	}
	return time.Duration(s.max)
}

// mean returns the average duration, 0 for an empty histogram.
func (s *histogramSnapshot) mean() time.Duration {
	if s.total == 0 {
		return 0
	}
	return time.Duration(s.sum / int64(s.total))
}
