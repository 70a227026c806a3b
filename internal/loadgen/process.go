package loadgen

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// cpuTime returns the user + system CPU the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss returns the resident set size from /proc/self/status (VmRSS), or 0
// where there is no /proc.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest) // "123456", "kB"
		if len(f) == 0 {
			return 0
		}
		kb, err := strconv.ParseUint(string(f[0]), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}

// memory reads the process's memory; with settle it first lets
// short-lived goroutines (a dial's context watchers, say) end, for up to a
// second, and collects garbage, so that the sample holds only what lasts.
func memory(settle bool) MemorySample {
	if settle {
		quiesce(time.Second)
		runtime.GC()
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return MemorySample{
		RSS:        rss(),
		HeapStack:  ms.HeapAlloc + ms.StackInuse, // live bytes: new objects may fill holes in spans already in use
		Goroutines: runtime.NumGoroutine(),
	}
}

// perConn divides the growth from base to now by n connections; the
// goroutine counts are in Baseline and Connected.
func perConn(base, now MemorySample, n int) MemorySample {
	if n <= 0 {
		return MemorySample{}
	}
	growth := func(a, b uint64) uint64 {
		if b < a {
			return 0
		}
		return (b - a) / uint64(n)
	}
	return MemorySample{
		RSS:       growth(base.RSS, now.RSS),
		HeapStack: growth(base.HeapStack, now.HeapStack),
	}
}

// quiesce waits until the number of goroutines stopped falling for 50 ms,
// or for at most limit.
func quiesce(limit time.Duration) {
	deadline := time.Now().Add(limit)
	low, steady := runtime.NumGoroutine(), 0
	for steady < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if n := runtime.NumGoroutine(); n < low {
			low, steady = n, 0
		} else {
			steady++
		}
	}
}
