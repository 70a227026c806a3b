package reconnect

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// ErrInvalidPolicy is wrapped by every error returned by the Validate
// methods of the policies in this package.
var ErrInvalidPolicy = errors.New("reconnect: invalid policy")

// Policy decides whether a reconnection loop makes another round of
// connection attempts, and how long it waits before doing so.
//
// A round is one pass over the whole (ordered) host list, trying each host
// once. The first round is not governed by the policy: it always happens.
// After a round in which every host failed, the loop calls Next with attempt
// set to the number of failed rounds so far: 1 before the first wait, 2
// before the second, and so on. If ok is true the loop waits delay and then
// runs another round; if ok is false it gives up at once, without waiting.
// Implementations must treat an attempt below 1 as 1.
//
// Counting rounds rather than hosts keeps a policy independent of the length
// of the host list. stomp.py differs here: its attempt_connection increments
// connect_count once per failed host, compares it with
// reconnect_attempts_max only before starting a round, and sleeps after every
// failed round, including the last one before it gives up. With a single host
// and reconnect_attempts_max=3 stomp.py therefore makes 3 rounds and 3
// sleeps, whereas a policy here with Attempts 3 allows 3 waits, each followed
// by a retry round: 4 rounds in all, and no useless final sleep.
//
// Implementations should be immutable values that are safe for concurrent
// use, like every Policy in this package.
type Policy interface {
	// Next reports the delay before retry round attempt+1, or ok=false to
	// give up after attempt failed rounds.
	Next(attempt int) (delay time.Duration, ok bool)
}

// PolicyFunc adapts an ordinary function to the [Policy] interface. It is
// safe for concurrent use if the function is.
type PolicyFunc func(attempt int) (delay time.Duration, ok bool)

// Next calls f(attempt).
func (f PolicyFunc) Next(attempt int) (time.Duration, bool) { return f(attempt) }

// Never is the policy that never retries: only the initial round is made.
// Its zero value is ready to use.
type Never struct{}

// Next always reports ok=false.
func (Never) Next(int) (time.Duration, bool) { return 0, false }

// Forever is the value of an Attempts field that means "retry without
// limit", as reconnect_attempts_max=-1 does in stomp.py.
const Forever = -1

// allowed reports whether a policy with the given Attempts limit permits a
// wait after the attempt-th failed round. limit is Forever (-1) for no
// limit; values below -1 are invalid and, like stomp.py's comparison
// connect_count < reconnect_attempts_max would, allow nothing.
func allowed(limit, attempt int) bool {
	if limit == Forever {
		return true
	}
	return max(attempt, 1) <= limit
}

// validateAttempts checks an Attempts field.
func validateAttempts(kind string, limit int) error {
	if limit < Forever {
		return invalid("%s.Attempts must be -1 (forever) or >= 0, got %d", kind, limit)
	}
	return nil
}

// validateDuration checks that a duration field is not negative.
func validateDuration(kind, field string, d time.Duration) error {
	if d < 0 {
		return invalid("%s.%s must not be negative, got %v", kind, field, d)
	}
	return nil
}

// validateFactor checks that a float field is finite and not negative.
func validateFactor(kind, field string, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return invalid("%s.%s must be a finite number >= 0, got %v", kind, field, f)
	}
	return nil
}

// invalid returns an error wrapping ErrInvalidPolicy.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidPolicy}, args...)...)
}

// sanitize turns NaN, infinities and negative numbers into 0, so that Next
// never misbehaves on a configuration that Validate would reject.
func sanitize(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0
	}
	return f
}

// draw returns a number in [0, 1] from r, or from math/rand/v2 if r is nil.
// Values returned by r outside that range are clamped to it, NaN to 0.
func draw(r func() float64) float64 {
	var u float64
	if r == nil {
		u = rand.Float64()
	} else {
		u = r()
	}
	switch {
	case math.IsNaN(u) || u < 0:
		return 0
	case u > 1:
		return 1
	}
	return u
}

// maxDuration is the largest time.Duration.
const maxDuration = time.Duration(math.MaxInt64)

// toDuration converts a number of nanoseconds to a Duration, rounding to the
// nearest nanosecond and saturating at the Duration range.
func toDuration(ns float64) time.Duration {
	switch {
	case math.IsNaN(ns) || ns <= 0:
		return 0
	case ns >= float64(maxDuration):
		return maxDuration
	}
	return time.Duration(math.Round(ns))
}

// grow returns initial·factor^(attempt-1) in nanoseconds. It is 0 when
// initial is 0 (even if the power overflows to +Inf) and may be +Inf.
func grow(initial time.Duration, factor float64, attempt int) float64 {
	if initial <= 0 {
		return 0
	}
	return float64(initial) * math.Pow(factor, float64(max(attempt, 1)-1))
}
