package reconnect

import (
	"math"
	"time"
)

// Exponential is a conventional exponential backoff with proportional
// downward jitter. The delay before retry round attempt+1 is
//
//	base  = min(Max, Initial · Multiplier^(attempt-1))   (no cap if Max is 0)
//	delay = base · (1 - u·Jitter)                         with u ∈ [0, 1)
//
// so delay lies in (base·(1-Jitter), base] and never exceeds Max. Jitter 1
// is "full jitter" (uniform over (0, base]), 0.5 is "equal jitter" and 0
// disables randomness. Unlike [Backoff], jitter here shortens delays, which
// keeps Max a hard ceiling.
//
// The zero value is not valid (Multiplier must be at least 1); build one
// explicitly. An Exponential is an immutable value safe for concurrent use if
// Rand is.
type Exponential struct {
	// Initial is the first delay, before jitter.
	Initial time.Duration

	// Multiplier is the growth factor between consecutive delays; it must
	// be at least 1 (1 keeps the delay constant, 2 doubles it).
	Multiplier float64

	// Max caps the delay; 0 means no cap other than the largest
	// time.Duration.
	Max time.Duration

	// Jitter is the fraction of the delay, in [0, 1], that may be randomly
	// removed.
	Jitter float64

	// Attempts is the number of retry rounds allowed: Next reports ok for
	// attempts 1 through Attempts. Forever (-1) retries without limit and 0
	// never retries.
	Attempts int

	// Rand returns uniformly distributed numbers in [0, 1). It is called at
	// most once per Next, and not at all when Jitter is 0. Nil means
	// math/rand/v2's Float64.
	Rand func() float64
}

// Next implements [Policy] with the formula documented on [Exponential].
// It does not validate e: a Multiplier below 1 (or not finite) is treated as
// 1, negative durations as 0 and Jitter is clamped to [0, 1].
func (e Exponential) Next(attempt int) (time.Duration, bool) {
	if !allowed(e.Attempts, attempt) {
		return 0, false
	}
	m := e.Multiplier
	if !(m >= 1) || math.IsInf(m, 0) { // !(m >= 1) also catches NaN
		m = 1
	}
	base := grow(e.Initial, m, attempt)
	if e.Max > 0 {
		base = math.Min(base, float64(e.Max))
	}
	if j := min(sanitize(e.Jitter), 1); j > 0 {
		base *= 1 - draw(e.Rand)*j
	}
	return toDuration(base), true
}

// Validate reports the first problem with e, as an error wrapping
// [ErrInvalidPolicy]: a negative Initial or Max, a Multiplier below 1 or not
// finite, a Jitter outside [0, 1], or Attempts below -1.
func (e Exponential) Validate() error {
	const kind = "Exponential"
	if err := validateDuration(kind, "Initial", e.Initial); err != nil {
		return err
	}
	if !(e.Multiplier >= 1) || math.IsInf(e.Multiplier, 0) {
		return invalid("%s.Multiplier must be a finite number >= 1, got %v", kind, e.Multiplier)
	}
	if err := validateDuration(kind, "Max", e.Max); err != nil {
		return err
	}
	if !(e.Jitter >= 0 && e.Jitter <= 1) {
		return invalid("%s.Jitter must be in [0, 1], got %v", kind, e.Jitter)
	}
	return validateAttempts(kind, e.Attempts)
}
