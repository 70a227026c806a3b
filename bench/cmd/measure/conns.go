package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/bench/drivers"
)

// dialers is how many connections are being set up at once in the
// many-connection scenarios, for every library.
const dialers = 64

// dialMany opens n connections, dialers at a time, and runs setup (a
// subscription, say) on each. On failure it returns the connections made
// so far with the first error.
func dialMany(ctx context.Context, lib drivers.Library, p drivers.Peer, o drivers.DialOptions, n int, setup func(i int, c drivers.Client) error) ([]drivers.Client, error) {
	clients := make([]drivers.Client, n)
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(dialers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || failed.Load() > 0 {
					return
				}
				c, err := lib.Dial(ctx, p, o)
				if err == nil {
					clients[i] = c
					if setup != nil {
						err = setup(i, c)
					}
				}
				if err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = fmt.Errorf("connection %d: %w", i, err) })
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return clients, firstErr
	}
	return clients, nil
}

// closeMany closes the connections, dialers at a time.
func closeMany(clients []drivers.Client) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range dialers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(clients) {
					return
				}
				if clients[i] != nil {
					_ = clients[i].Close()
				}
			}
		})
	}
	wg.Wait()
}

// storm is scenario 5: establish f.conns STOMP sessions (CONNECT →
// CONNECTED), dialers at a time; report the time it took, the sessions per
// second, the client CPU per session and the peak memory.
func storm(ctx context.Context, lib drivers.Library, f *childFlags) (metrics, error) {
	base := procStatus()
	stop, err := f.profiling()
	if err != nil {
		return nil, err
	}
	u := readUsage()
	clients, err := dialMany(ctx, lib, f.peer, drivers.DialOptions{}, f.conns, nil)
	wall, cpu := u.since()
	stop()
	defer closeMany(clients)
	if err != nil {
		return nil, err
	}
	st := procStatus()
	n := float64(f.conns)
	return metrics{
		"seconds":          wall.Seconds(),
		"rate":             n / wall.Seconds(),
		"cpu_us":           float64(cpu.Microseconds()) / n,
		"peak_rss_mib":     float64(st["VmHWM"]) / 1024,
		"rss_per_conn_kib": float64(st["VmHWM"]-base["VmRSS"]) / n,
	}, nil
}

// idle is scenario 6: f.conns connections with heart-beats and one
// subscription each, left idle for f.seconds; report what each costs in Go
// heap and stacks and in RSS, the goroutines and threads of the process,
// and the CPU spent idling. A message to the topic at the end checks that
// every connection is still alive.
func idle(ctx context.Context, lib drivers.Library, f *childFlags) (metrics, error) {
	const dest = "/topic/stampede-bench.idle"
	g0 := runtime.NumGoroutine()
	heap0, stack0 := goMemory()
	rss0 := procStatus()["VmRSS"]
	var delivered atomic.Int64
	clients, err := dialMany(ctx, lib, f.peer, drivers.DialOptions{HeartBeat: f.heartBeat}, f.conns, func(_ int, c drivers.Client) error {
		return c.Subscribe(dest, func() { delivered.Add(1) })
	})
	defer closeMany(clients)
	if err != nil {
		return nil, err
	}
	time.Sleep(time.Second) // subscriptions reach the broker, buffers settle
	heap1, stack1 := goMemory()
	st := procStatus()
	g1 := runtime.NumGoroutine()
	stop, err := f.profiling()
	if err != nil {
		return nil, err
	}
	u := readUsage()
	time.Sleep(seconds(f))
	wall, cpu := u.since()
	stop()
	n := float64(f.conns)
	m := metrics{
		"conns":             n,
		"heapstack_kib":     (float64(heap1+stack1) - float64(heap0+stack0)) / n / 1024,
		"heap_kib":          (float64(heap1) - float64(heap0)) / n / 1024,
		"stack_kib":         (float64(stack1) - float64(stack0)) / n / 1024,
		"rss_kib":           float64(st["VmRSS"]-rss0) / n,
		"goroutines_before": float64(g0),
		"goroutines":        float64(g1),
		"threads":           float64(st["Threads"]),
		"cpu_ms_s":          float64(cpu.Microseconds()) / 1e3 / wall.Seconds(),
		"cpu_us_conn_s":     float64(cpu.Microseconds()) / wall.Seconds() / n,
	}
	// Still alive after the idle period: every subscriber gets a message.
	if err := clients[0].Send(dest, body); err != nil {
		return m, err
	}
	for end := time.Now().Add(20 * time.Second); delivered.Load() < int64(f.conns) && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	m["alive"] = float64(delivered.Load())
	return m, nil
}
