package handlers

import (
	"context"

	"github.com/stampede-mq/stampede/codec"
)

// Acknowledger acknowledges messages on the connection they arrived on. The
// stampede connection implements it, choosing the ACK/NACK headers that the
// negotiated protocol version needs. Implementations must be safe for
// concurrent use: handlers running on a pool executor acknowledge from
// several goroutines at once.
type Acknowledger interface {
	Ack(ctx context.Context, m *Message) error
	Nack(ctx context.Context, m *Message) error
}

// Message is a MESSAGE frame as handlers see it, with the means to
// acknowledge it.
//
// A Message belongs to the handler it is given to for the duration of the
// call; keep it (or its Frame) longer only if nothing else modifies it.
type Message struct {
	// Frame is the MESSAGE frame, after the before-message listeners.
	Frame *codec.Frame
	// Subscription is the id of the subscription it arrived on (the
	// subscription header, or the id the client chose on STOMP 1.0).
	Subscription string
	// AckMode is the acknowledgement mode of that subscription: "auto",
	// "client" or "client-individual"; empty when the subscription is
	// unknown to the client.
	AckMode string
	// Acker acknowledges on the connection the message arrived on.
	Acker Acknowledger
}

// Destination returns the destination header.
func (m *Message) Destination() string { return m.Frame.Header.Get(codec.HdrDestination) }

// ID returns the message-id header.
func (m *Message) ID() string { return m.Frame.Header.Get(codec.HdrMessageID) }

// Body returns the body.
func (m *Message) Body() []byte { return m.Frame.Body }

// Header returns the value of the first header named key.
func (m *Message) Header(key string) string { return m.Frame.Header.Get(key) }

// Redelivered reports whether the broker marked the message as a
// redelivery (the redelivered header is "true").
func (m *Message) Redelivered() bool { return m.Frame.Header.Get(codec.HdrRedelivered) == "true" }

// NeedsAck reports whether the subscription expects the client to
// acknowledge the message (ack mode client or client-individual).
func (m *Message) NeedsAck() bool { return m.AckMode == "client" || m.AckMode == "client-individual" }

// Ack acknowledges the message. In client mode that acknowledges every
// earlier message of the subscription too.
func (m *Message) Ack(ctx context.Context) error {
	if m.Acker == nil {
		return ErrNoAcknowledger
	}
	return m.Acker.Ack(ctx, m)
}

// Nack rejects the message. It is an error on STOMP 1.0.
func (m *Message) Nack(ctx context.Context) error {
	if m.Acker == nil {
		return ErrNoAcknowledger
	}
	return m.Acker.Nack(ctx, m)
}
