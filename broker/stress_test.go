package broker_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

// stressConsumer acknowledges every message it gets on its own goroutine
// and records the bodies; quitAfter > 0 makes it vanish (without ACKing
// its last messages) after that many.
type stressConsumer struct {
	nc        net.Conn
	quitAfter int
	mu        sync.Mutex
	acked     map[string]int
	done      chan struct{}
}

func startStressConsumer(t *testing.T, b *broker.Broker, prefetch, quitAfter int) *stressConsumer {
	t.Helper()
	nc, err := net.Dial("tcp", b.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := &stressConsumer{nc: nc, quitAfter: quitAfter, acked: map[string]int{}, done: make(chan struct{})}
	fmt.Fprintf(nc, "CONNECT\naccept-version:1.2\nhost:/\n\n\x00SUBSCRIBE\ndestination:/queue/stress\nid:0\nack:client-individual\nprefetch-count:%d\n\n\x00", prefetch)
	go c.run()
	return c
}

func (c *stressConsumer) run() {
	defer close(c.done)
	dec := codec.NewDecoder()
	w := bufio.NewWriter(c.nc)
	buf := make([]byte, 32<<10)
	enc := codec.Encoder{Version: codec.V12}
	seen := 0
	for {
		n, err := c.nc.Read(buf)
		if err != nil {
			return
		}
		p := buf[:n]
		for len(p) > 0 {
			var f codec.Frame
			k, kind, err := dec.Decode(p, &f)
			if err != nil {
				return
			}
			p = p[k:]
			if kind != codec.GotFrame || f.Command != codec.Message {
				continue
			}
			if dec.Version() == 0 {
				dec.SetVersion(codec.V12)
			}
			seen++
			if c.quitAfter > 0 && seen > c.quitAfter {
				_ = c.nc.Close() // vanish with unacknowledged messages
				return
			}
			c.mu.Lock()
			c.acked[string(f.Body)]++
			c.mu.Unlock()
			b, _ := enc.Append(nil, codec.New(codec.Ack, codec.HdrID, f.Header.Get(codec.HdrAck)))
			_, _ = w.Write(b)
		}
		if w.Flush() != nil {
			return
		}
	}
}

// TestNoMessageIsLostWhenConsumersVanish: publishers and acknowledging
// consumers on one queue, with a prefetch window; one consumer vanishes
// with messages unacknowledged. Every message is acknowledged at least
// once and the queue ends empty.
func TestNoMessageIsLostWhenConsumersVanish(t *testing.T) {
	b, err := broker.Start(broker.WithLoops(2))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	}()
	consumers := []*stressConsumer{
		startStressConsumer(t, b, 10, 0),
		startStressConsumer(t, b, 3, 0),
		startStressConsumer(t, b, 10, 20), // vanishes
		startStressConsumer(t, b, 5, 0),
	}
	const publishers, each = 4, 500
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", b.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			w := bufio.NewWriter(nc)
			fmt.Fprint(w, "CONNECT\naccept-version:1.2\nhost:/\n\n\x00")
			for i := range each {
				body := fmt.Sprintf("p%d-%d", p, i)
				fmt.Fprintf(w, "SEND\ndestination:/queue/stress\ncontent-length:%d\n\n%s\x00", len(body), body)
			}
			fmt.Fprint(w, "DISCONNECT\nreceipt:bye\n\n\x00")
			if err := w.Flush(); err != nil {
				t.Error(err)
				return
			}
			r := bufio.NewReader(nc)
			_, _ = r.ReadString(0) // CONNECTED
			_, _ = r.ReadString(0) // the receipt: everything was routed
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		total := map[string]bool{}
		for _, c := range consumers {
			c.mu.Lock()
			for k := range c.acked {
				total[k] = true
			}
			c.mu.Unlock()
		}
		d, _ := b.Destination("/queue/stress")
		if len(total) == publishers*each && d.Depth == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages acknowledged, %d held", len(total), publishers*each, d.Depth)
		}
		<-poll.C
	}
	for _, c := range consumers {
		_ = c.nc.Close()
		<-c.done
	}
	st := b.Stats()
	if st.MessagesIn != publishers*each {
		t.Fatalf("%d messages in", st.MessagesIn)
	}
	if st.MessagesOut <= st.MessagesIn {
		t.Fatalf("%d out for %d in: the vanished consumer's messages were not redelivered", st.MessagesOut, st.MessagesIn)
	}
}
