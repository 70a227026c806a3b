// Package leaktest holds the goroutine-leak checks shared by stampede's
// tests: goleak with the few process-wide goroutines of its dependencies
// ignored.
package leaktest

import "go.uber.org/goleak"

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
