package stampede

import (
	"errors"
	"fmt"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// Sentinel errors. Every error stampede returns wraps one of these, a
// [*ServerError], a codec error or a context error, so callers can branch
// with errors.Is and errors.As.
var (
	// ErrClosed: the connection was closed (by Close, Disconnect, or for
	// good after a failure).
	ErrClosed = loop.ErrClosed
	// ErrEngineClosed: the engine is closed: it dials no more.
	ErrEngineClosed = loop.ErrEngineClosed
	// ErrNotConnected: the connection is not connected (yet, or any more)
	// and the call was asked not to wait.
	ErrNotConnected = errors.New("stampede: not connected")
	// ErrAlreadyConnected: Connect on a connection that is connecting or
	// connected.
	ErrAlreadyConnected = errors.New("stampede: already connected")
	// ErrConnectTimeout: the server did not answer CONNECT in time.
	ErrConnectTimeout = errors.New("stampede: no answer to CONNECT in time")
	// ErrVersion: the server chose a protocol version that was not offered,
	// or a feature needs a version the connection did not negotiate.
	ErrVersion = errors.New("stampede: protocol version")
	// ErrProtocol: the server sent something the protocol does not allow.
	ErrProtocol = errors.New("stampede: protocol error")
	// ErrReceiptTimeout: a receipt did not arrive in time.
	ErrReceiptTimeout = errors.New("stampede: receipt timeout")
	// ErrReceiptLost: the connection dropped before a receipt arrived; the
	// frame may or may not have been processed by the server.
	ErrReceiptLost = errors.New("stampede: connection lost before the receipt")
	// ErrHeartbeatTimeout: nothing arrived from the server within the
	// negotiated heart-beat interval times the receive scale.
	ErrHeartbeatTimeout = loop.ErrHeartbeatTimeout
	// ErrBackpressure: the outbound buffer is full and the call was asked
	// not to wait.
	ErrBackpressure = loop.ErrBackpressure
	// ErrSlowConsumer: handlers fell so far behind that the connection's
	// queue of inbound messages filled up.
	ErrSlowConsumer = errors.New("stampede: slow consumer: inbound queue full")
	// ErrNoDestination: a SEND or SUBSCRIBE without a destination.
	ErrNoDestination = errors.New("stampede: destination required")
	// ErrUnsupported: the operation does not exist in the negotiated
	// version (NACK and client-individual on STOMP 1.0).
	ErrUnsupported = errors.New("stampede: not supported by the negotiated STOMP version")
	// ErrTransactionDone: the transaction was committed or aborted.
	ErrTransactionDone = errors.New("stampede: transaction already finished")
	// ErrTransactionDead: the connection dropped while the transaction was
	// open; the server discarded it.
	ErrTransactionDead = errors.New("stampede: transaction lost with its connection")
	// ErrNotAcknowledgeable: the message's subscription does not use
	// client acknowledgement, or the message lacks the headers an ACK needs.
	ErrNotAcknowledgeable = errors.New("stampede: message cannot be acknowledged")
	// ErrSubscriptionExists: a subscription with that id exists.
	ErrSubscriptionExists = errors.New("stampede: subscription id in use")
	// ErrInvalidOption wraps every error an option or address reports.
	ErrInvalidOption = errors.New("stampede: invalid option")
	// ErrReplyLost: the connection dropped while a Request waited for its
	// reply; its reply queue went with it. The request may or may not have
	// been served.
	ErrReplyLost = errors.New("stampede: connection lost before the reply")
	// ErrNoReplyTo: Reply to a message without a reply-to header.
	ErrNoReplyTo = errors.New("stampede: the request has no reply-to")
	// ErrReconnectFailed: automatic reconnection gave up; it wraps the
	// last cause.
	ErrReconnectFailed = errors.New("stampede: reconnection failed")
)

// ServerError is an ERROR frame from the server, as an error. Calls waiting
// for a receipt that the ERROR names, the connect that it answers, and every
// call pending when it arrives fail with it (CONF-47, CONF-48).
type ServerError struct {
	// Frame is the ERROR frame.
	Frame *codec.Frame
}

// Message returns the message header, the short description.
func (e *ServerError) Message() string { return e.Frame.Header.Get(codec.HdrMessage) }

// ReceiptID returns the receipt-id header: the receipt of the frame that
// caused the error, or "" for a connection-level error (CONF-49).
func (e *ServerError) ReceiptID() string { return e.Frame.Header.Get(codec.HdrReceiptID) }

// Body returns the body, the long description (read by content-length).
func (e *ServerError) Body() []byte { return e.Frame.Body }

// Error returns the server's message header and the first 200 bytes of
// the body, when there is one.
func (e *ServerError) Error() string {
	msg := e.Message()
	if msg == "" {
		msg = "(no message)"
	}
	if body := e.Frame.Body; len(body) > 0 {
		if len(body) > 200 {
			body = body[:200]
		}
		return fmt.Sprintf("stampede: server error: %s: %s", msg, body)
	}
	return "stampede: server error: " + msg
}

// ProtocolError describes something the server sent that the protocol does
// not allow (an unknown command, a second CONNECTED). It wraps ErrProtocol.
type ProtocolError struct {
	Detail string
	Frame  *codec.Frame // the offending frame, when there is one
}

// Error describes the protocol violation.
func (e *ProtocolError) Error() string { return "stampede: protocol error: " + e.Detail }

// Unwrap returns ErrProtocol.
func (e *ProtocolError) Unwrap() error { return ErrProtocol }

func invalidOption(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// errStaleAck: the message arrived on a session that is gone.
var errStaleAck = fmt.Errorf("%w: the message arrived on an earlier session; the broker redelivers it", ErrNotAcknowledgeable)
