package loadgen

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/loop"
)

// role is what a connection does.
type role uint8

const (
	roleConsumer role = iota
	roleIdle
	roleProducer
)

// member is one connection of the run.
type member struct {
	conn *stampede.Conn
	role role
	idx  int  // index among the members of its role
	lost bool // its close during the run was counted as an error
}

// storm is the outcome of connecting.
type storm struct {
	took    time.Duration
	failed  int
	latency *hdr.Histogram
}

// roleOf maps a connection index to its role: consumers first, so that
// their subscriptions are in place before any producer exists, then idle
// connections, then producers.
func (s *Scenario) roleOf(i int) (role, int) {
	switch {
	case i < s.Consumers:
		return roleConsumer, i
	case i < s.Consumers+s.Idle:
		return roleIdle, i - s.Consumers
	}
	return roleProducer, i - s.Consumers - s.Idle
}

// connectAll dials every connection of the scenario, at most
// s.Concurrency at a time, subscribes the consumers (waiting for their
// receipts) and fills r.members. It returns early, with what it has, when
// ctx ends.
func (r *runner) connectAll(ctx context.Context) storm {
	n := r.s.Connections()
	r.members = make([]member, n)
	st := storm{latency: newHistogram()}
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range min(r.s.Concurrency, n) {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				err := r.connectOne(ctx, i)
				mu.Lock()
				if err != nil {
					st.failed++
				} else {
					recordClamped(st.latency, int64(time.Since(t0)))
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		select {
		case next <- i:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(next)
	wg.Wait()
	st.took = time.Since(start)
	return st
}

// connectOne dials connection i and, for a consumer, subscribes it.
func (r *runner) connectOne(ctx context.Context, i int) error {
	ro, idx := r.s.roleOf(i)
	d, err := r.dialer(ro, i)
	if err != nil {
		r.rec.fail(ErrConnect, err)
		return err
	}
	c, err := d.Dial(ctx, r.address)
	if err != nil {
		if ctx.Err() == nil {
			r.rec.fail(ErrConnect, err)
		}
		return err
	}
	r.members[i] = member{conn: c, role: ro, idx: idx}
	if ro != roleConsumer {
		return nil
	}
	sopts := []stampede.SubscribeOption{stampede.WithAck(stampede.AckMode(r.s.Ack)), stampede.WithSubscribeReceipt()}
	if r.s.Prefetch > 0 {
		sopts = append(sopts, stampede.WithPrefetch(r.s.Prefetch))
	}
	h := &consumer{r: r, idx: idx, ack: r.s.Ack != AckAuto}
	if _, err := c.Subscribe(ctx, r.s.Destination(idx%r.s.Destinations), h, sopts...); err != nil {
		if ctx.Err() == nil {
			r.rec.fail(ErrSubscribe, err)
		}
		return err
	}
	return nil
}

// connected returns how many members are connected.
func (r *runner) connected() int {
	n := 0
	for i := range r.members {
		if r.members[i].conn != nil {
			n++
		}
	}
	return n
}

// checkLost counts, once each, the connections that closed by themselves
// since the last call: as server errors when an ERROR frame closed them.
// Sampler goroutine only.
func (r *runner) checkLost() {
	for i := range r.members {
		m := &r.members[i]
		if m.conn == nil || m.lost {
			continue
		}
		select {
		case <-m.conn.Done():
		default:
			continue
		}
		m.lost = true
		err := m.conn.Err()
		var se *stampede.ServerError
		if errors.As(err, &se) {
			r.rec.fail(ErrServer, err)
		} else {
			r.rec.fail(ErrDropped, err)
		}
	}
}

// disconnectAll says goodbye on every connection, a few at a time, each
// bounded by timeout.
func (r *runner) disconnectAll(timeout time.Duration) {
	next := make(chan *stampede.Conn)
	var wg sync.WaitGroup
	for range min(r.s.Concurrency, max(len(r.members), 1)) {
		wg.Go(func() {
			for c := range next {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				_ = c.Disconnect(ctx)
				cancel()
			}
		})
	}
	for i := range r.members {
		if c := r.members[i].conn; c != nil {
			next <- c
		}
	}
	close(next)
	wg.Wait()
}

// dialerKey names the options a connection gets: its role and its source
// address.
type dialerKey struct {
	role role
	ip   int // index in SourceIPs, -1 for none
}

// dialer returns the Dialer of connection i's options, made on first use:
// thousands of connections share one configuration.
func (r *runner) dialer(ro role, i int) (*stampede.Dialer, error) {
	key := dialerKey{role: ro, ip: -1}
	if len(r.s.SourceIPs) > 0 {
		key.ip = i % len(r.s.SourceIPs)
	}
	r.dialersMu.Lock()
	defer r.dialersMu.Unlock()
	if d := r.dialers[key]; d != nil {
		return d, nil
	}
	opts := slices.Clip(r.opts)
	if key.ip >= 0 {
		opts = append(opts, stampede.WithBindAddress(net.JoinHostPort(r.s.SourceIPs[key.ip], "0")))
	}
	if ro == roleConsumer {
		if r.s.consumerExecutor() == ExecInline {
			opts = append(opts, stampede.WithExecutor(loop.Inline{}))
		} else {
			// A consumer that falls behind slows the broker down through
			// TCP instead of being closed: a load generator measures, it
			// does not shed load.
			opts = append(opts, stampede.WithSlowConsumer(stampede.SlowConsumerBlock))
		}
	}
	d, err := stampede.NewDialer(opts...)
	if err != nil {
		return nil, err
	}
	if r.dialers == nil {
		r.dialers = make(map[dialerKey]*stampede.Dialer)
	}
	r.dialers[key] = d
	return d, nil
}
