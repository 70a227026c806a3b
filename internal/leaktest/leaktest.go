// Package leaktest holds the goroutine-leak checks shared by stampede's
// tests: goleak with the few process-wide goroutines of its dependencies
// ignored.
package leaktest

import (
	"time"

	"go.uber.org/goleak"
)

// Options returns the goleak options every test uses. gnet starts a
// process-wide worker pool (panjf2000/ants) when it is imported; its two
// housekeeping goroutines live as long as the process and belong to no
// connection.
func Options(extra ...goleak.Option) []goleak.Option {
	return append([]goleak.Option{
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
	}, extra...)
}

// TB is the part of testing.TB that VerifyNone needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// VerifyNone is goleak.VerifyNone with patience: goroutines that are on
// their way out get up to ten seconds to finish (goleak alone gives them
// about half a second, short on a loaded machine under -race). It reports
// the goroutines still there after that.
func VerifyNone(t TB, opts ...goleak.Option) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := goleak.Find(opts...)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("leaked goroutines: %v", err)
			return
		}
	}
}
