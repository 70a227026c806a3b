package loadgen

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/stampede-mq/stampede"
)

// consumer is the handler of one consumer's subscription. With the inline
// executor it runs on an event loop: it never blocks.
type consumer struct {
	r   *runner
	idx int
	ack bool
}

// HandleMessage decodes the bench header, checks the sequence number,
// records the latency and acknowledges when the mode asks for it.
func (c *consumer) HandleMessage(ctx context.Context, m *stampede.Message) error {
	now := time.Now().UnixNano()
	r := c.r
	body := m.Frame.Body
	var h payloadHeader
	if !h.parse(body) {
		r.rec.fail(ErrPayload, errors.New("a message without the bench header"))
	} else {
		switch r.track.record(c.idx, &h) {
		case garbage:
			r.rec.fail(ErrPayload, errors.New("a bench message from an unknown producer"))
		case fresh, duplicate:
			cs := &r.rec.received[c.idx]
			cs.msgs.Add(1)
			cs.bytes.Add(uint64(len(body)))
			r.rec.latency(c.idx, now-h.stamp)
		}
	}
	if c.ack {
		if err := m.Ack(ctx); err != nil && ctx.Err() == nil {
			r.rec.fail(ErrAck, err)
		}
	}
	return nil
}

// pacingQuantum is the shortest sleep of a rate-limited producer.
const pacingQuantum = time.Millisecond

// producer sends one producer's messages.
type producer struct {
	r    *runner
	idx  int
	conn *stampede.Conn
	dest string
}

// run sends until ctx ends or the scenario's message count is reached.
// With a rate, message i is due at start + i/rate (open loop: a late
// producer catches up, and latency counts from the due time).
func (p *producer) run(ctx context.Context, start time.Time) {
	s := &p.r.s
	buf := newPayload(s.MaxSize)
	rng := rand.New(rand.NewPCG(uint64(p.r.runID), uint64(p.idx)))
	cs := &p.r.rec.sent[p.idx]
	var interval float64
	if s.Rate > 0 {
		interval = float64(time.Second) / s.Rate
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var tx *stampede.Transaction
	var txMsgs, txBytes uint64
	h := payloadHeader{run: p.r.runID, producer: uint32(p.idx)}
	for i := 0; s.Messages == 0 || i < s.Messages; i++ {
		// Checked on every message: a producer behind its schedule never
		// waits below, and Send looks at ctx only when it has to wait.
		if ctx.Err() != nil {
			return
		}
		if interval > 0 {
			due := start.Add(time.Duration(float64(i) * interval))
			if d := time.Until(due); d > 0 {
				// Wake at most once per pacingQuantum and send every
				// message due by then: at high rates one wake-up (and one
				// write) carries several messages instead of one each.
				// A message never leaves before it is due; its latency
				// counts from the due time, so waiting for the quantum
				// shows in the percentiles.
				if d < pacingQuantum && interval < float64(pacingQuantum) {
					d = pacingQuantum
				}
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
			}
			h.stamp = due.UnixNano()
		} else {
			h.stamp = time.Now().UnixNano()
		}
		size := s.MinSize
		if s.MaxSize > s.MinSize {
			size += rng.IntN(s.MaxSize - s.MinSize + 1)
		}
		h.seq = uint64(i)
		body := buf[:size]
		h.put(body)
		switch {
		case s.Transaction > 0:
			if tx == nil {
				var err error
				if tx, err = p.conn.Begin(ctx); err != nil {
					p.failed(ctx, ErrTransaction, err)
					return
				}
			}
			if err := tx.Send(ctx, p.dest, body); err != nil {
				p.failed(ctx, ErrSend, err)
				return
			}
			txMsgs++
			txBytes += uint64(size)
			if txMsgs == uint64(s.Transaction) || i+1 == s.Messages {
				if err := tx.Commit(ctx); err != nil {
					p.failed(ctx, ErrTransaction, err)
					return
				}
				cs.msgs.Add(txMsgs)
				cs.bytes.Add(txBytes)
				tx, txMsgs, txBytes = nil, 0, 0
			}
			continue
		case s.Receipts:
			if err := p.conn.Send(ctx, p.dest, body, stampede.WithReceipt()); err != nil {
				kind := ErrSend
				if errors.Is(err, stampede.ErrReceiptTimeout) || errors.Is(err, stampede.ErrReceiptLost) {
					kind = ErrReceipt
				}
				p.failed(ctx, kind, err)
				return
			}
		default:
			if err := p.conn.Send(ctx, p.dest, body); err != nil {
				p.failed(ctx, ErrSend, err)
				return
			}
		}
		cs.msgs.Add(1)
		cs.bytes.Add(uint64(size))
	}
}

// failed counts err unless the producer is being stopped. A producer that
// failed stops: its connection is most likely gone.
func (p *producer) failed(ctx context.Context, kind string, err error) {
	if ctx.Err() != nil {
		return
	}
	p.r.rec.fail(kind, err)
}
