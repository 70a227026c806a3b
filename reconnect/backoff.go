package reconnect

import (
	"math"
	"time"
)

// Backoff is stomp.py's reconnection delay algorithm. Each field names the
// stomp.py transport parameter it mirrors; [DefaultBackoff] returns
// stomp.py's defaults.
//
// The delay before retry round attempt+1 (attempt >= 1 failed rounds) is
//
//	base  = min(Max, Initial · (1+Increase)^(attempt-1))
//	delay = base · (1 + u·Jitter)    with u drawn from Rand, u ∈ [0, 1)
//
// which is stomp.py's
//
//	min(reconnect_sleep_max,
//	    reconnect_sleep_initial / (1+reconnect_sleep_increase)
//	        * (1+reconnect_sleep_increase) ** sleep_exp)
//	* (1 + random.random() * reconnect_sleep_jitter)
//
// with sleep_exp = attempt. The first delay is Initial, each later one is
// (1+Increase) times the previous one until Max is reached.
//
// Jitter bound: jitter is applied after the cap, so it only ever lengthens
// the delay: base ≤ delay < base·(1+Jitter). In particular a delay may exceed
// Max by up to Jitter·Max; with the defaults the longest wait is 66 s, not
// 60 s. (A custom Rand returning values ≥ 1 is clamped to 1, which yields the
// inclusive upper bound base·(1+Jitter).)
//
// Differences from stomp.py, all deliberate:
//   - stomp.py stops incrementing sleep_exp once a jittered delay reaches
//     reconnect_sleep_max, which can freeze the base just below the maximum
//     (at worst Max/(1+Jitter)) depending on an earlier random draw. Backoff
//     is stateless, so its base is exactly Max once the growth reaches it;
//     with Jitter 0 the two sequences are identical.
//   - attempts are counted per round, not per failed host, and Attempts
//     bounds the number of waits; see [Policy].
//   - the result is rounded to the nearest nanosecond and saturates at the
//     largest time.Duration instead of overflowing.
//
// The zero value never retries (Attempts 0). Max 0 is taken literally, as
// stomp.py's min() does: every delay is 0. A Backoff is an immutable value
// safe for concurrent use if Rand is.
type Backoff struct {
	// Initial is the first delay (stomp.py reconnect_sleep_initial, default
	// 0.1 s).
	Initial time.Duration

	// Increase is the fraction by which the delay grows after each failed
	// round (stomp.py reconnect_sleep_increase, default 0.5): 0.5 waits 50%
	// longer than the previous time, 1.0 twice as long, 0 keeps it constant.
	Increase float64

	// Jitter is the largest random extra delay, as a fraction of the capped
	// delay (stomp.py reconnect_sleep_jitter, default 0.1): 0.1 adds between
	// 0% and 10%.
	Jitter float64

	// Max caps the delay before jitter is applied (stomp.py
	// reconnect_sleep_max, default 60 s).
	Max time.Duration

	// Attempts is the number of retry rounds allowed (stomp.py
	// reconnect_attempts_max, default 3): Next reports ok for attempts 1
	// through Attempts. Forever (-1) retries without limit and 0 never
	// retries.
	Attempts int

	// Rand returns uniformly distributed numbers in [0, 1). It is called at
	// most once per Next, and not at all when Jitter is 0. Nil means
	// math/rand/v2's Float64. Inject a fixed function for deterministic
	// tests.
	Rand func() float64
}

// DefaultBackoff returns a Backoff with stomp.py's defaults: Initial 0.1 s,
// Increase 0.5, Jitter 0.1, Max 60 s, Attempts 3 and the default Rand.
// Before jitter its three delays are 0.1 s, 0.15 s and 0.225 s.
func DefaultBackoff() Backoff {
	return Backoff{
		Initial:  100 * time.Millisecond,
		Increase: 0.5,
		Jitter:   0.1,
		Max:      60 * time.Second,
		Attempts: 3,
	}
}

// Next implements [Policy] with the formula documented on [Backoff]. It
// does not validate b: negative durations and negative or non-finite
// factors are treated as 0.
func (b Backoff) Next(attempt int) (time.Duration, bool) {
	if !allowed(b.Attempts, attempt) {
		return 0, false
	}
	base := math.Min(float64(max(b.Max, 0)), grow(b.Initial, 1+sanitize(b.Increase), attempt))
	if j := sanitize(b.Jitter); j > 0 {
		base *= 1 + draw(b.Rand)*j
	}
	return toDuration(base), true
}

// Validate reports the first problem with b, as an error wrapping
// [ErrInvalidPolicy]: a negative Initial or Max, an Increase or Jitter that
// is negative or not finite, or Attempts below -1.
func (b Backoff) Validate() error {
	const kind = "Backoff"
	for _, err := range []error{
		validateDuration(kind, "Initial", b.Initial),
		validateFactor(kind, "Increase", b.Increase),
		validateFactor(kind, "Jitter", b.Jitter),
		validateDuration(kind, "Max", b.Max),
		validateAttempts(kind, b.Attempts),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
