package reconnecttest

import (
	"slices"
	"sync"
)

// FixedRand returns a Rand function, for [reconnect.Backoff] and
// [reconnect.Exponential], that always returns u.
func FixedRand(u float64) func() float64 {
	return func() float64 { return u }
}

// SequenceRand returns a Rand function that returns the values of us in
// turn, starting again from the first after the last. It is safe for
// concurrent use. It panics if us is empty.
func SequenceRand(us ...float64) func() float64 {
	if len(us) == 0 {
		panic("reconnecttest: SequenceRand needs at least one value")
	}
	vals := slices.Clone(us)
	var mu sync.Mutex
	i := 0
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		u := vals[i]
		i = (i + 1) % len(vals)
		return u
	}
}
