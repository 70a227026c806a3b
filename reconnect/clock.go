package reconnect

import (
	"context"
	"time"
)

// Clock is the source of time for reconnection loops. Tests substitute a
// fake (see the reconnecttest package) so that waits are instantaneous and
// deterministic. Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that delivers the current time on its
	// channel once, after at least d has elapsed. A d <= 0 fires at once.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer created by a [Clock], the counterpart of
// *time.Timer.
type Timer interface {
	// C returns the channel on which the timer delivers its time. It
	// returns the same channel on every call.
	C() <-chan time.Time
	// Stop prevents the timer from firing. It returns true if the call
	// stopped the timer, false if it had already fired or been stopped.
	Stop() bool
}

// SystemClock is the [Clock] of the time package. Its zero value is ready to
// use and it is safe for concurrent use.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer(d).
func (SystemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

// systemTimer adapts *time.Timer to Timer.
type systemTimer struct{ t *time.Timer }

// C returns the channel of the underlying *time.Timer.
func (s systemTimer) C() <-chan time.Time { return s.t.C }

// Stop stops the underlying *time.Timer.
func (s systemTimer) Stop() bool { return s.t.Stop() }

// Wait blocks until d has elapsed on clock or ctx is done, whichever comes
// first, and stops the timer it created before returning. It returns nil
// after a full wait and ctx.Err() otherwise; a ctx that is already done
// yields ctx.Err() even if d <= 0. A d <= 0 returns without creating a
// timer, and a nil clock means [SystemClock].
func Wait(ctx context.Context, clock Clock, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	if clock == nil {
		clock = SystemClock{}
	}
	t := clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}
