// Command idleconns measures the embedded broker's memory per idle
// connection. It starts the broker in a child process (itself, with
// -role=broker), opens -conns raw connections from this process, each with
// heart-beats and one subscription, lets them idle, and reports the
// broker's Go heap and resident set per connection, against a baseline
// taken before the first connection.
//
//	go run ./broker/internal/idleconns -conns 10000
//
// Broker and clients are separate processes because each side needs one
// descriptor per connection.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/broker"
)

func main() {
	role := flag.String("role", "client", "client (measures) or broker (the child it measures)")
	conns := flag.Int("conns", 10000, "idle connections to open")
	hb := flag.Duration("heartbeat", 10*time.Second, "heart-beat interval, both ways")
	perConn := flag.Bool("queue-per-conn", false, "subscribe each connection to a queue of its own (default: all to one topic)")
	settle := flag.Duration("settle", 3*time.Second, "idle time before measuring")
	profile := flag.String("heapprofile", "", "write the broker's heap profile here when measuring")
	flag.Parse()
	var err error
	if *role == "broker" {
		err = runBroker(*hb, *profile)
	} else {
		err = runClient(*conns, *hb, *perConn, *settle, *profile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "idleconns:", err)
		os.Exit(1)
	}
}

// runBroker serves until stdin closes, answering "stats" lines with a
// line of numbers after a garbage collection.
func runBroker(hb time.Duration, profile string) error {
	if profile != "" {
		runtime.MemProfileRate = 1 // every allocation, for an exact profile
	}
	b, err := broker.Start(broker.WithListen("127.0.0.1:0"), broker.WithHeartBeat(hb, hb))
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Printf("addr %s\n", b.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "stats" {
			continue
		}
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := b.Stats()
		if profile != "" && st.Connections > 0 {
			if f, err := os.Create(profile); err == nil {
				_ = pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		fmt.Printf("stats %d %d %d %d %d %d %d\n", ms.HeapAlloc, ms.HeapInuse, ms.StackInuse, ms.Sys, rss(), runtime.NumGoroutine(), st.Connections)
	}
	return nil
}

// rss reads the resident set size from /proc.
func rss() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

type sample struct {
	heapAlloc, heapInuse, stack, sys, rss uint64
	goroutines, conns                     int
}

type child struct {
	cmd *exec.Cmd
	in  *os.File
	out *bufio.Scanner
}

func (c *child) stats() (sample, error) {
	if _, err := fmt.Fprintln(c.in, "stats"); err != nil {
		return sample{}, err
	}
	if !c.out.Scan() {
		return sample{}, fmt.Errorf("broker gone: %v", c.out.Err())
	}
	var s sample
	_, err := fmt.Sscanf(c.out.Text(), "stats %d %d %d %d %d %d %d", &s.heapAlloc, &s.heapInuse, &s.stack, &s.sys, &s.rss, &s.goroutines, &s.conns)
	return s, err
}

func startChild(hb time.Duration, profile string) (*child, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(self, "-role=broker", "-heartbeat="+hb.String(), "-heapprofile="+profile)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	c := &child{cmd: cmd, in: stdin.(*os.File), out: bufio.NewScanner(stdout)}
	if !c.out.Scan() {
		return nil, "", fmt.Errorf("broker did not start")
	}
	addr, _ := strings.CutPrefix(c.out.Text(), "addr ")
	return c, addr, nil
}

// dialIdle connects, subscribes and waits for CONNECTED and the receipt.
func dialIdle(addr string, i int, hb time.Duration, perConn bool) (net.Conn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	ms := hb.Milliseconds()
	dest := "/topic/idle"
	if perConn {
		dest = "/queue/idle." + strconv.Itoa(i)
	}
	fmt.Fprintf(nc, "CONNECT\naccept-version:1.2\nhost:/\nheart-beat:%d,%d\n\n\x00SUBSCRIBE\nid:0\ndestination:%s\nreceipt:r\n\n\x00", ms, ms, dest)
	_ = nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 512)
	nuls := 0
	for nuls < 2 {
		n, err := nc.Read(buf)
		if err != nil {
			nc.Close()
			return nil, err
		}
		for _, c := range buf[:n] {
			if c == 0 {
				nuls++
			}
		}
	}
	_ = nc.SetReadDeadline(time.Time{})
	return nc, nil
}

func runClient(n int, hb time.Duration, perConn bool, settle time.Duration, profile string) error {
	c, addr, err := startChild(hb, profile)
	if err != nil {
		return err
	}
	defer func() { c.in.Close(); _ = c.cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	before, err := c.stats()
	if err != nil {
		return err
	}
	conns := make([]net.Conn, n)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				nc, err := dialIdle(addr, i, hb, perConn)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				conns[i] = nc
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	fmt.Printf("%d connections subscribed in %v\n", n, time.Since(start).Round(time.Millisecond))
	stop := make(chan struct{})
	beats := make(chan struct{})
	go func() { // the clients' heart-beats, twice per interval
		defer close(beats)
		t := time.NewTicker(hb / 2)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				for _, nc := range conns {
					_, _ = nc.Write([]byte{'\n'})
				}
			}
		}
	}()
	time.Sleep(settle)
	after, err := c.stats()
	close(stop)
	<-beats
	for _, nc := range conns {
		nc.Close()
	}
	if err != nil {
		return err
	}
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	fmt.Printf("broker: %d connections, %d goroutines (%d before)\n", after.conns, after.goroutines, before.goroutines)
	fmt.Printf("  Go heap in use: %7.1f MiB -> %7.1f MiB  = %6.0f B/connection\n", mib(before.heapInuse), mib(after.heapInuse), per(after.heapInuse, before.heapInuse))
	fmt.Printf("  Go heap alloc:  %7.1f MiB -> %7.1f MiB  = %6.0f B/connection\n", mib(before.heapAlloc), mib(after.heapAlloc), per(after.heapAlloc, before.heapAlloc))
	fmt.Printf("  RSS:            %7.1f MiB -> %7.1f MiB  = %6.0f B/connection\n", mib(before.rss), mib(after.rss), per(after.rss, before.rss))
	fmt.Printf("  Go sys:         %7.1f MiB -> %7.1f MiB\n", mib(before.sys), mib(after.sys))
	return nil
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
