package websocket

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Errors of the websocket package. Every error it returns wraps one of
// these, a [*CloseError] or a [*HandshakeError], so callers can branch with
// errors.Is and errors.As.
var (
	// ErrInvalidConfig: a [Config] or [ServerConfig] cannot be used.
	ErrInvalidConfig = errors.New("websocket: invalid configuration")
	// ErrHandshake: the HTTP upgrade failed. A [*HandshakeError] carries
	// the details.
	ErrHandshake = errors.New("websocket: handshake failed")
	// ErrNoProtocol: the client offered WebSocket subprotocols and none
	// names a STOMP version the server speaks, or offered none to a
	// server that requires one.
	ErrNoProtocol = errors.New("websocket: no STOMP subprotocol in common")
	// ErrProtocol: the peer broke RFC 6455 (reserved bits or opcodes, a
	// fragmented or oversized control frame, a continuation without a
	// message, a masked frame from a server or an unmasked one from a
	// client, a malformed close frame). The connection is closed with
	// status 1002.
	ErrProtocol = errors.New("websocket: protocol error")
	// ErrTooLarge: a message grew past the configured limit. The
	// connection is closed with status 1009.
	ErrTooLarge = errors.New("websocket: message too large")
	// ErrPeerClosed: the peer sent a close frame. A [*CloseError] carries
	// its status code and reason.
	ErrPeerClosed = errors.New("websocket: closed by the peer")
	// ErrCloseSent: application bytes were written after this side sent
	// its close frame; they are dropped.
	ErrCloseSent = errors.New("websocket: close frame already sent")
)

// CloseError is the close frame a peer sent: its status code (0 when the
// frame carried none, which RFC 6455 reports as 1005) and its reason.
//
// It wraps [ErrPeerClosed], and also io.EOF when the close is a clean end
// of the stream (1000 normal closure, 1001 going away, or no status): a
// STOMP client then treats it like a TCP FIN, e.g. as the end of a
// DISCONNECT that got no RECEIPT.
type CloseError struct {
	Code   int
	Reason string
}

// Clean reports whether the status code says the peer ended the
// connection on purpose and without trouble.
func (e *CloseError) Clean() bool {
	return e.Code == 0 || e.Code == statusNormal || e.Code == statusGoingAway
}

// Error gives the close code and reason.
func (e *CloseError) Error() string {
	s := "websocket: closed by the peer"
	if e.Code != 0 {
		s += " with status " + strconv.Itoa(e.Code)
	} else {
		s += " without a status"
	}
	if e.Reason != "" {
		s += ": " + strconv.Quote(e.Reason)
	}
	return s
}

// Unwrap returns [ErrPeerClosed], and io.EOF for a clean close.
func (e *CloseError) Unwrap() []error {
	if e.Clean() {
		return []error{ErrPeerClosed, io.EOF}
	}
	return []error{ErrPeerClosed}
}

// HandshakeError says why an HTTP upgrade failed. Status is the HTTP status
// the server answered (client side) or sent (server side), 0 when the
// exchange did not get that far. It wraps [ErrHandshake] and the cause.
type HandshakeError struct {
	Status int
	Err    error
}

// Error describes why the upgrade failed.
func (e *HandshakeError) Error() string {
	s := "websocket: handshake failed"
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns [ErrHandshake] and the cause.
func (e *HandshakeError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrHandshake}
	}
	return []error{ErrHandshake, e.Err}
}

func invalidConfig(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

func protocolError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// Status codes of RFC 6455 section 7.4 that this package sends or checks.
const (
	statusNormal        = 1000
	statusGoingAway     = 1001
	statusProtocolError = 1002
	statusTooBig        = 1009
)

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
}

func isProtocolError(err error) bool { return errors.Is(err, ErrProtocol) }

func isTooLarge(err error) bool { return errors.Is(err, ErrTooLarge) }
