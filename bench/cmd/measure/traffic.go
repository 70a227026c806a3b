package main

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/bench/drivers"
)

// bodySize is the body of every message the traffic scenarios send.
const bodySize = 256

// warmUp runs before each measured interval.
const warmUp = 500 * time.Millisecond

var body = bytes.Repeat([]byte("x"), bodySize)

func seconds(f *childFlags) time.Duration { return time.Duration(f.seconds * float64(time.Second)) }

// rateMetrics turns a count over an interval into msgs/s and CPU per message.
func rateMetrics(n int64, wall, cpu time.Duration) metrics {
	if n <= 0 {
		return metrics{"rate": 0}
	}
	return metrics{
		"rate":   float64(n) / wall.Seconds(),
		"cpu_us": float64(cpu.Microseconds()) / float64(n),
		"cpu":    cpu.Seconds() / wall.Seconds(), // cores busy
	}
}

// publish is scenario 2: one connection sends 256-byte messages without
// receipts as fast as it can to a topic nobody subscribes to. A final SEND
// with a receipt closes the interval, so every message counted has reached
// the broker, not just the client's buffers.
func publish(ctx context.Context, lib drivers.Library, f *childFlags) (metrics, error) {
	c, err := lib.Dial(ctx, f.peer, drivers.DialOptions{})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	const dest = "/topic/stampede-bench.publish"
	send := func(d time.Duration) (int64, error) {
		var n int64
		for end := time.Now().Add(d); time.Now().Before(end); {
			for range 128 {
				if err := c.Send(dest, body); err != nil {
					return n, err
				}
			}
			n += 128
		}
		return n + 1, c.SendReceipt(dest, body)
	}
	if _, err := send(warmUp); err != nil {
		return nil, err
	}
	stop, err := f.profiling()
	if err != nil {
		return nil, err
	}
	u := readUsage()
	n, err := send(seconds(f))
	wall, cpu := u.since()
	stop()
	return rateMetrics(n, wall, cpu), err
}

// producer sends to dest while the messages in flight (sent but not yet
// delivered, per consumer) stay under a window; past it, it sleeps until
// the consumers have taken half of it. A producer that ran ahead would only
// fill the broker's memory, or get a slow consumer cut off. The consumers
// call delivered, which wakes the producer: no polling.
type producer struct {
	c         drivers.Client
	dest      string
	consumers int64
	window    int64
	count     atomic.Int64 // deliveries over all consumers
	sent      atomic.Int64
	base      atomic.Int64 // count when sent was last reset
	waiting   atomic.Bool
	wake      chan struct{}
}

func newProducer(dest string, consumers, window int) *producer {
	return &producer{dest: dest, consumers: int64(consumers), window: int64(window), wake: make(chan struct{}, 1)}
}

// delivered counts one delivery; consumers call it.
func (p *producer) delivered() {
	p.count.Add(1)
	if p.waiting.Load() && p.lag() <= p.window*p.consumers/2 && p.waiting.CompareAndSwap(true, false) {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

func (p *producer) reset() {
	p.sent.Store(0)
	p.base.Store(p.count.Load())
}

func (p *producer) lag() int64 {
	return p.sent.Load()*p.consumers - (p.count.Load() - p.base.Load())
}

func (p *producer) run(d time.Duration) error {
	end := time.Now().Add(d)
	timer := time.NewTimer(d)
	defer timer.Stop()
	for time.Now().Before(end) {
		if p.lag() >= p.window*p.consumers {
			p.waiting.Store(true)
			if p.lag() >= p.window*p.consumers/2 { // else a delivery came in between
				select {
				case <-p.wake:
				case <-timer.C:
					return nil
				}
			}
			p.waiting.Store(false)
			continue
		}
		for range 16 {
			if err := p.c.Send(p.dest, body); err != nil {
				return err
			}
			p.sent.Add(1)
		}
	}
	return nil
}

// drain waits until every message sent has been delivered.
func (p *producer) drain(timeout time.Duration) error {
	for end := time.Now().Add(timeout); p.lag() > 0; {
		if time.Now().After(end) {
			return fmt.Errorf("%d messages not delivered after %v", p.lag(), timeout)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// measure warms up, then runs the producer for the measured interval
// (profiled when asked) and returns the delivery rate and CPU of it.
func (p *producer) measure(f *childFlags) (metrics, error) {
	if err := p.run(warmUp); err != nil {
		return nil, err
	}
	stop, err := f.profiling()
	if err != nil {
		return nil, err
	}
	d0, u := p.count.Load(), readUsage()
	err = p.run(seconds(f))
	n := p.count.Load() - d0
	wall, cpu := u.since()
	stop()
	if err != nil {
		return nil, err
	}
	return rateMetrics(n, wall, cpu), nil
}

// roundTrip is scenario 3: a producer connection and a consumer connection
// (auto ack) on one queue, in the same process; the rate is messages
// delivered per second and the CPU is the whole client's, both ends.
func roundTrip(ctx context.Context, lib drivers.Library, f *childFlags) (metrics, error) {
	const dest = "/queue/stampede-bench.roundtrip"
	p := newProducer(dest, 1, f.window)
	cons, err := lib.Dial(ctx, f.peer, drivers.DialOptions{})
	if err != nil {
		return nil, err
	}
	defer cons.Close()
	if err := cons.Subscribe(dest, p.delivered); err != nil {
		return nil, err
	}
	prod, err := lib.Dial(ctx, f.peer, drivers.DialOptions{})
	if err != nil {
		return nil, err
	}
	defer prod.Close()
	p.c = prod
	m, err := p.measure(f)
	if err != nil {
		return nil, err
	}
	return m, p.drain(30 * time.Second) // leave the queue empty for the next run
}

// fanOut is scenario 4: f.conns subscribers, each on a connection of its
// own, on one topic, and a producer on another connection; the rate is
// messages delivered per second over all subscribers.
func fanOut(ctx context.Context, lib drivers.Library, f *childFlags) (metrics, error) {
	const dest = "/topic/stampede-bench.fanout"
	n := f.conns
	p := newProducer(dest, n, f.window)
	var ready atomic.Int64
	got := make([]atomic.Bool, n)
	subs, err := dialMany(ctx, lib, f.peer, drivers.DialOptions{}, n, func(i int, c drivers.Client) error {
		return c.Subscribe(dest, func() {
			p.delivered()
			if !got[i].Load() && got[i].CompareAndSwap(false, true) {
				ready.Add(1)
			}
		})
	})
	defer closeMany(subs)
	if err != nil {
		return nil, err
	}
	prod, err := lib.Dial(ctx, f.peer, drivers.DialOptions{})
	if err != nil {
		return nil, err
	}
	defer prod.Close()
	// Subscriptions are live once a message sent after them arrives.
	for end := time.Now().Add(60 * time.Second); ready.Load() < int64(n); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			return nil, fmt.Errorf("only %d of %d subscriptions live after 60 s", ready.Load(), n)
		}
		if err := prod.Send(dest, body); err != nil {
			return nil, err
		}
	}
	time.Sleep(100 * time.Millisecond) // let the probes arrive
	p.c = prod
	p.reset()
	return p.measure(f)
}
