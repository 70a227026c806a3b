package broker

import "errors"

// Errors of the broker package. Every error an exported function returns
// wraps one of them, so callers can branch with errors.Is.
var (
	// ErrInvalidOption wraps every error an [Option] returns.
	ErrInvalidOption = errors.New("broker: invalid option")
	// ErrClosed: the broker was shut down or closed.
	ErrClosed = errors.New("broker: closed")
	// ErrUnknownSession: a fault was aimed at a session id that names no
	// open connection.
	ErrUnknownSession = errors.New("broker: no open connection with that session id")
	// ErrDropped is the cause recorded for a connection a fault dropped.
	ErrDropped = errors.New("broker: connection dropped by fault injection")
	// ErrSlowConsumer is the cause recorded for a connection closed because
	// it did not read fast enough (its backlog passed the pending limit).
	ErrSlowConsumer = errors.New("broker: slow consumer")
)
