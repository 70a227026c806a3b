package multicast

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/stampede-mq/stampede/codec"
)

// The reader: one goroutine per connection that receives datagrams, turns
// each SEND into a MESSAGE for the subscriptions it matches, and queues it
// for the dispatcher without ever waiting for user code.

// Headers this package puts on the frames it sends. Receivers keep them on
// the MESSAGE frames they deliver.
const (
	// HdrSender carries the sending member's instance id
	// ([Conn.InstanceID]); a member with loopback off drops frames that
	// carry its own.
	HdrSender = "stampede-sender"
	// HdrSequence carries the sender's sequence number of the frame; with
	// HdrSender it makes the message-id.
	HdrSequence = "stampede-seq"
)

func (c *Conn) read() {
	defer close(c.readerDone)
	for {
		d, err := c.tr.Receive(context.Background())
		if err != nil {
			if errors.Is(err, ErrNotStarted) || !c.tr.IsConnected() {
				return
			}
			c.cfg.logger.Warn("multicast: receive", "err", err)
			c.offer(event{kind: evError, err: err})
			continue
		}
		c.stats.received.Add(1)
		c.receive(d)
	}
}

// receive handles one datagram on the reader goroutine.
func (c *Conn) receive(d Datagram) {
	if len(d.Data) > c.cfg.maxSize {
		c.malformed(d, ErrFrameTooLarge, tooLarge(len(d.Data), c.cfg.maxSize))
		return
	}
	f, err := codec.Unmarshal(d.Data, codec.V12, codec.WithLimits(c.limits))
	if err != nil {
		c.malformed(d, ErrMalformedDatagram, err)
		return
	}
	switch {
	case !f.Command.Known():
		c.malformed(d, ErrMalformedDatagram, fmt.Errorf("unknown command %.32q", f.Command))
		return
	case f.Command != codec.Send:
		// stomp.py members answer receipts into the group; nobody here
		// asked them to, so such frames are not ours to report.
		c.stats.ignored.Add(1)
		c.cfg.logger.Debug("multicast: ignoring a frame that is not SEND", "command", f.Command, "from", d.Source)
		return
	}
	dest := f.Header.Get(codec.HdrDestination)
	if dest == "" {
		c.malformed(d, ErrMalformedDatagram, errors.New("SEND frame without destination"))
		return
	}
	if !c.cfg.loopback && f.Header.Get(HdrSender) == c.instance {
		c.stats.own.Add(1)
		return
	}
	subs := c.matching(dest)
	if len(subs) == 0 {
		c.stats.unmatched.Add(1)
		return
	}
	c.offer(event{kind: evMessage, frame: c.toMessage(f, dest), subs: subs})
}

func (c *Conn) malformed(d Datagram, kind, err error) {
	c.stats.malformed.Add(1)
	e := &DatagramError{Source: d.Source, Size: len(d.Data), Kind: kind, Err: err}
	c.cfg.logger.Warn("multicast: unusable datagram", "err", e)
	c.offer(event{kind: evError, err: e})
}

// toMessage turns a received SEND into the MESSAGE subscribers see: the
// destination, a message-id and a subscription header (filled per
// subscription) first, then the sender's headers. The sender's message-id,
// subscription and receipt headers, if any, are not kept.
func (c *Conn) toMessage(f *codec.Frame, dest string) *codec.Frame {
	h := make(codec.Header, 0, len(f.Header)+3)
	h = append(h,
		codec.Field{Key: codec.HdrDestination, Value: dest},
		codec.Field{Key: codec.HdrMessageID, Value: c.messageID(f)},
		codec.Field{Key: codec.HdrSubscription},
	)
	for _, fl := range f.Header {
		switch fl.Key {
		case codec.HdrDestination, codec.HdrMessageID, codec.HdrSubscription, codec.HdrReceipt:
			continue
		}
		h = append(h, fl)
	}
	return &codec.Frame{Command: codec.Message, Header: h, Body: f.Body}
}

// messageID is the sender's instance id and sequence number, the same at
// every member. A frame from a sender that does not set them (stomp.py)
// gets an id from this member's own counter.
func (c *Conn) messageID(f *codec.Frame) string {
	sender, seq := f.Header.Get(HdrSender), f.Header.Get(HdrSequence)
	if sender != "" && seq != "" {
		return sender + "-" + seq
	}
	return c.instance + "-r" + strconv.FormatUint(c.ids.Add(1), 10)
}
