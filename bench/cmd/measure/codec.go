package main

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/bench/codecbench"
)

// codecBenchTime is how long testing.Benchmark aims to run each codec case.
const codecBenchTime = 400 * time.Millisecond

// codecScenario runs scenario 1's cases for one library with
// testing.Benchmark and reports, per case, ns/frame, MB/s and allocs/frame.
func codecScenario(f *childFlags) (metrics, error) {
	testing.Init()
	if err := flag.Set("test.benchtime", codecBenchTime.String()); err != nil {
		return nil, err
	}
	stop, err := f.profiling()
	if err != nil {
		return nil, err
	}
	defer stop()
	m := metrics{}
	for _, c := range codecbench.Cases(f.lib) {
		if f.codecCase != "" && c.Name() != f.codecCase {
			continue
		}
		// CPU time over every round testing.Benchmark runs (GC included)
		// complements its wall-clock ns/op on a machine shared with other
		// work.
		iters := 0
		u := readUsage()
		r := testing.Benchmark(func(b *testing.B) { iters += b.N; c.F(b) })
		_, cpu := u.since()
		if r.N == 0 {
			return m, fmt.Errorf("%s: benchmark failed", c.Name())
		}
		ns := float64(r.T.Nanoseconds()) / float64(r.N)
		m[c.Name()+".ns"] = ns
		m[c.Name()+".cpu_ns"] = float64(cpu.Nanoseconds()) / float64(iters)
		m[c.Name()+".mbs"] = float64(r.Bytes) / ns * 1e3 // bytes/ns → MB/s
		// allocs is exact (a fraction: allocations amortized over frames);
		// allocs_op is what `go test -benchmem` prints, rounded down.
		m[c.Name()+".allocs"] = float64(r.MemAllocs) / float64(r.N)
		m[c.Name()+".allocs_op"] = float64(r.AllocsPerOp())
		m[c.Name()+".bytes"] = float64(r.MemBytes) / float64(r.N)
	}
	return m, nil
}
