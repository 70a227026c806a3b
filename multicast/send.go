package multicast

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/stampede-mq/stampede/codec"
)

// Send sends body to destination as one datagram: every member of the
// group whose subscriptions match destination receives it as a MESSAGE.
// The frame is a STOMP 1.2 SEND with content-length; see [SendOption] for
// headers, receipts and transactions. A frame that does not fit in one
// datagram fails with [ErrFrameTooLarge] and nothing is sent.
//
// Send runs the OnSend listeners and then the send hooks on the calling
// goroutine, and returns once the datagram is written (UDP: written is not
// received; members may lose it) or, with [WithReceipt], once the local
// receipt is queued for the OnReceipt listeners. body may be reused when
// Send returns. Safe for concurrent use.
func (c *Conn) Send(ctx context.Context, destination string, body []byte, opts ...SendOption) error {
	if err := c.connected(); err != nil {
		return err
	}
	if destination == "" {
		return ErrEmptyDestination
	}
	var s sendSettings
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return err
		}
	}
	f := &codec.Frame{Command: codec.Send, Header: make(codec.Header, 0, len(s.header)+4), Body: body}
	f.Header = append(f.Header, codec.Field{Key: codec.HdrDestination, Value: destination})
	if s.contentType != "" {
		f.Header = append(f.Header, codec.Field{Key: codec.HdrContentType, Value: s.contentType})
	}
	f.Header = append(f.Header, s.header...)
	if s.tx != "" {
		f.Header.Set(codec.HdrTransaction, s.tx)
	}
	if s.receipt && !f.Header.Has(codec.HdrReceipt) {
		f.Header = append(f.Header, codec.Field{Key: codec.HdrReceipt, Value: "receipt-" + strconv.FormatUint(c.ids.Add(1), 10)})
	}
	for _, nl := range *c.listeners.Load() {
		nl.l.OnSend(f)
	}
	return c.send(ctx, f)
}

// pending is an encoded frame waiting in a transaction.
type pending struct {
	data    []byte
	receipt string
}

// sendFrame is the innermost send function, under the send hooks: it
// encodes f for the wire and writes it, or buffers it in its transaction.
func (c *Conn) sendFrame(ctx context.Context, f *codec.Frame) error {
	if f.Command != codec.Send {
		return fmt.Errorf("multicast: only SEND frames can be sent, not %q", f.Command)
	}
	if f.Header.Get(codec.HdrDestination) == "" {
		return ErrEmptyDestination
	}
	receipt, tx := f.Header.Get(codec.HdrReceipt), f.Header.Get(codec.HdrTransaction)
	data, err := c.encode(f)
	if err != nil {
		return err
	}
	if tx != "" {
		return c.buffer(tx, pending{data: data, receipt: receipt})
	}
	return c.write(ctx, data, receipt)
}

// encode returns the datagram for f: its headers without those that only
// mean something to this member (receipt, transaction), plus the sender's
// instance id and the next sequence number.
func (c *Conn) encode(f *codec.Frame) ([]byte, error) {
	wire := codec.Frame{Command: codec.Send, Header: make(codec.Header, 0, len(f.Header)+2), Body: f.Body}
	for _, fl := range f.Header {
		switch fl.Key {
		case codec.HdrReceipt, codec.HdrTransaction, codec.HdrContentLength, HdrSender, HdrSequence:
			continue
		}
		wire.Header = append(wire.Header, fl)
	}
	wire.Header = append(wire.Header,
		codec.Field{Key: HdrSender, Value: c.instance},
		codec.Field{Key: HdrSequence, Value: strconv.FormatUint(c.seq.Add(1), 10)},
	)
	data, err := codec.Encoder{Version: codec.V12}.Append(make([]byte, 0, len(f.Body)+256), &wire)
	if err != nil {
		return nil, fmt.Errorf("multicast: encode: %w", err)
	}
	if len(data) > c.cfg.maxSize {
		return nil, tooLarge(len(data), c.cfg.maxSize)
	}
	return data, nil
}

// write sends one datagram and, when a receipt was asked for, produces it
// locally: nobody else in the group answers receipts.
func (c *Conn) write(ctx context.Context, data []byte, receipt string) error {
	if err := c.tr.Send(ctx, data); err != nil {
		if errors.Is(err, ErrNotStarted) {
			return fmt.Errorf("%w: %w", ErrNotConnected, err)
		}
		return err
	}
	c.stats.sent.Add(1)
	if receipt == "" {
		return nil
	}
	return c.post(ctx, event{kind: evReceipt, frame: codec.New(codec.Receipt, codec.HdrReceiptID, receipt)})
}
