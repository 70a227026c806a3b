package reconnect

import "time"

// Constant waits the same Delay before every retry round. It is an
// immutable value safe for concurrent use.
type Constant struct {
	// Delay is the wait before each retry round.
	Delay time.Duration

	// Attempts is the number of retry rounds allowed: Next reports ok for
	// attempts 1 through Attempts. Forever (-1) retries without limit and 0
	// never retries.
	Attempts int
}

// Next implements [Policy]. A negative Delay is treated as 0.
func (c Constant) Next(attempt int) (time.Duration, bool) {
	if !allowed(c.Attempts, attempt) {
		return 0, false
	}
	return max(c.Delay, 0), true
}

// Validate reports the first problem with c, as an error wrapping
// [ErrInvalidPolicy]: a negative Delay or Attempts below -1.
func (c Constant) Validate() error {
	if err := validateDuration("Constant", "Delay", c.Delay); err != nil {
		return err
	}
	return validateAttempts("Constant", c.Attempts)
}
