package broker_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/broker"
)

// The benchmark clients are plain sockets with a goroutine each, as cheap
// as a client can be, so that the broker is what is measured. A reader
// counts frames by their NUL terminators: bodies hold no NUL, heart-beats
// are off.

// benchBody is a typical small payload.
var benchBody = strings.Repeat("m", 128)

// counter is a subscriber that counts the frames it reads.
type counter struct {
	nc   net.Conn
	got  atomic.Int64 // frames after CONNECTED and the SUBSCRIBE receipt
	done chan struct{}
}

func dialBench(tb testing.TB, b *broker.Broker) net.Conn {
	tb.Helper()
	nc, err := net.Dial("tcp", b.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	return nc
}

// subscribeCounter connects, subscribes and starts counting.
func subscribeCounter(tb testing.TB, b *broker.Broker, dest string) *counter {
	tb.Helper()
	c := &counter{nc: dialBench(tb, b), done: make(chan struct{})}
	fmt.Fprintf(c.nc, "CONNECT\naccept-version:1.2\nhost:/\n\n\x00SUBSCRIBE\ndestination:%s\nid:0\nreceipt:r\n\n\x00", dest)
	ready := make(chan struct{})
	go func() {
		defer close(c.done)
		buf := make([]byte, 64<<10)
		seen := int64(-2) // CONNECTED and RECEIPT
		for {
			n, err := c.nc.Read(buf)
			if n > 0 {
				before := seen
				seen += int64(bytes.Count(buf[:n], []byte{0}))
				if before < 0 && seen >= 0 {
					close(ready)
				}
				if seen > 0 {
					c.got.Store(seen)
				}
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		tb.Fatal("subscriber not ready")
	}
	return c
}

func (c *counter) close() {
	_ = c.nc.Close()
	<-c.done
}

// publisher writes SEND frames in batches through a buffered writer.
type publisher struct {
	nc net.Conn
	w  *bufio.Writer
	f  []byte
}

func newPublisher(tb testing.TB, b *broker.Broker, dest string) *publisher {
	tb.Helper()
	nc := dialBench(tb, b)
	fmt.Fprint(nc, "CONNECT\naccept-version:1.2\nhost:/\n\n\x00")
	r := bufio.NewReader(nc)
	if _, err := r.ReadString(0); err != nil { // CONNECTED
		tb.Fatal(err)
	}
	f := fmt.Appendf(nil, "SEND\ndestination:%s\ncontent-type:text/plain\ncontent-length:%d\n\n%s\x00", dest, len(benchBody), benchBody)
	return &publisher{nc: nc, w: bufio.NewWriterSize(nc, 64<<10), f: f}
}

func (p *publisher) send(tb testing.TB, n int) {
	for range n {
		if _, err := p.w.Write(p.f); err != nil {
			tb.Fatal(err)
		}
	}
	if err := p.w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

func startBench(tb testing.TB, opts ...broker.Option) *broker.Broker {
	tb.Helper()
	b, err := broker.Start(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	return b
}

// waitFor spins until cond holds.
func waitFor(tb testing.TB, what string, cond func() bool) {
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(50 * time.Microsecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			tb.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// BenchmarkQueueOneToOne: one publisher, one subscriber, one queue. The
// publisher runs at most window messages ahead of the subscriber.
func BenchmarkQueueOneToOne(b *testing.B) {
	br := startBench(b)
	sub := subscribeCounter(b, br, "/queue/bench")
	defer sub.close()
	pub := newPublisher(b, br, "/queue/bench")
	defer pub.nc.Close()
	const batch, window = 256, 32 << 10
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; {
		n := min(batch, b.N-sent)
		pub.send(b, n)
		sent += n
		waitFor(b, "the subscriber", func() bool { return sub.got.Load() >= int64(sent-window) })
	}
	waitFor(b, "every message", func() bool { return sub.got.Load() >= int64(b.N) })
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkTopicFanOut1000: one publisher, a thousand subscribers of one
// topic. msgs/s counts published messages, deliveries/s the MESSAGE frames
// written (a thousand per message).
func BenchmarkTopicFanOut1000(b *testing.B) {
	const subscribers = 1000
	br := startBench(b)
	subs := make([]*counter, subscribers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := subscribeCounter(b, br, "/topic/bench")
			mu.Lock()
			subs[i] = c
			mu.Unlock()
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range subs {
			c.close()
		}
	}()
	pub := newPublisher(b, br, "/topic/bench")
	defer pub.nc.Close()
	slowest := func() int64 {
		least := int64(1 << 62)
		for _, c := range subs {
			least = min(least, c.got.Load())
		}
		return least
	}
	const batch, window = 64, 1024
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; {
		n := min(batch, b.N-sent)
		pub.send(b, n)
		sent += n
		waitFor(b, "the slowest subscriber", func() bool { return slowest() >= int64(sent-window) })
	}
	waitFor(b, "every delivery", func() bool { return slowest() >= int64(b.N) })
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N)*subscribers/elapsed.Seconds(), "deliveries/s")
	if st := br.Stats(); st.Connections != subscribers+1 {
		b.Fatalf("%d connections left: a subscriber was closed as slow", st.Connections)
	}
}
