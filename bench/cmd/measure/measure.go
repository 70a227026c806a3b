package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage is a point-in-time reading of the process: wall clock and the CPU
// time (user + system) it has used so far.
type usage struct {
	wall time.Time
	cpu  time.Duration
}

func readUsage() usage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return usage{wall: time.Now(), cpu: cpu}
}

// since returns the wall and CPU time elapsed since u.
func (u usage) since() (wall, cpu time.Duration) {
	now := readUsage()
	return now.wall.Sub(u.wall), now.cpu - u.cpu
}

// procStatus reads kilobyte and count fields of /proc/self/status: VmRSS,
// VmHWM (peak RSS), Threads.
func procStatus() map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(fs[0], 10, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

// goMemory is the live Go heap plus goroutine stacks, in bytes, after a
// full collection.
func goMemory() (heap, stacks uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.StackInuse
}
