package multicast

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/stampede-mq/stampede/codec"
)

// Sentinel errors. Every error this package returns wraps one of them (or a
// context error), so callers can branch with errors.Is.
var (
	// ErrInvalidOption: an option was given a value it cannot take. The
	// error from Dial or NewTransport wraps it and names the option.
	ErrInvalidOption = errors.New("multicast: invalid option")

	// ErrFrameTooLarge: an encoded frame does not fit in one datagram of
	// the configured maximum size. Nothing was sent. Errors wrapping it
	// also wrap codec.ErrFrameTooLarge.
	ErrFrameTooLarge = errors.New("multicast: frame exceeds the datagram size")

	// ErrMalformedDatagram: a datagram from the group is not one STOMP
	// frame this package understands. It reaches the error listeners as a
	// [*DatagramError]; the member keeps working.
	ErrMalformedDatagram = errors.New("multicast: malformed datagram")

	// ErrQueueFull: the dispatch queue was full and received messages (or
	// error reports) were dropped. It reaches the error listeners once the
	// queue drains, with the number dropped.
	ErrQueueFull = errors.New("multicast: dispatch queue full, messages dropped")

	// ErrHandlerFailed: a subscription's handler returned an error. It
	// reaches the error listeners wrapping the handler's error.
	ErrHandlerFailed = errors.New("multicast: handler failed")

	// ErrNotConnected: the connection is disconnecting or closed.
	ErrNotConnected = errors.New("multicast: not connected")

	// ErrNotStarted: the transport has not been started, or has been
	// stopped.
	ErrNotStarted = errors.New("multicast: transport not started")

	// ErrAlreadyStarted: Start was called on a transport that was started
	// before. A transport is started once.
	ErrAlreadyStarted = errors.New("multicast: transport already started")

	// ErrEmptyDestination: Send or Subscribe was given no destination.
	ErrEmptyDestination = errors.New("multicast: empty destination")

	// ErrDuplicateSubscription: Subscribe was given an id that a live
	// subscription of the connection already has.
	ErrDuplicateSubscription = errors.New("multicast: subscription id already in use")

	// ErrUnknownSubscription: Unsubscribe on a subscription that is no
	// longer live.
	ErrUnknownSubscription = errors.New("multicast: unknown subscription")

	// ErrUnknownTransaction: a transaction id that was never begun, or
	// was already committed or aborted. It comes as a [*TransactionError].
	ErrUnknownTransaction = errors.New("multicast: unknown transaction")

	// ErrCalledFromHandler: Disconnect was called with the context of a
	// handler. It would wait for the goroutine running that very handler;
	// call it from another goroutine.
	ErrCalledFromHandler = errors.New("multicast: Disconnect called from a handler")
)

// DatagramError describes a datagram that was received from the group but
// could not be used. It wraps [ErrMalformedDatagram] (or [ErrFrameTooLarge]
// for a datagram larger than the configured maximum) and the decoding error,
// so errors.As finds a *codec.SyntaxError when there is one.
type DatagramError struct {
	// Source is the address the datagram came from.
	Source netip.AddrPort
	// Size is the datagram's length in bytes.
	Size int
	// Kind is ErrMalformedDatagram or ErrFrameTooLarge.
	Kind error
	// Err says what is wrong with it.
	Err error
}

// Error names the datagram's source, its size and what was wrong with it.
func (e *DatagramError) Error() string {
	return fmt.Sprintf("%v (%d bytes from %v): %v", e.Kind, e.Size, e.Source, e.Err)
}

// Unwrap returns the kind and the cause, for errors.Is and errors.As.
func (e *DatagramError) Unwrap() []error { return []error{e.Kind, e.Err} }

// TransactionError is returned when a transaction id is used that is not
// open: never begun, already committed or already aborted. It wraps
// [ErrUnknownTransaction]. (stomp.py raises a KeyError on an abort of an
// unknown transaction; here it is a value.)
type TransactionError struct {
	// ID is the transaction id that was used.
	ID string
	// Op is what was attempted: "send", "commit" or "abort".
	Op string
}

// Error names the transaction and what failed.
func (e *TransactionError) Error() string {
	return fmt.Sprintf("%v: %s on transaction %q", ErrUnknownTransaction, e.Op, e.ID)
}

// Unwrap returns [ErrUnknownTransaction].
func (e *TransactionError) Unwrap() error { return ErrUnknownTransaction }

// tooLarge builds the error for a frame of n bytes over the limit max: it
// wraps both this package's and the codec's ErrFrameTooLarge.
func tooLarge(n, max int) error {
	return fmt.Errorf("%w: %d bytes, at most %d fit in one datagram (%w)", ErrFrameTooLarge, n, max, codec.ErrFrameTooLarge)
}

func invalidOption(name string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidOption, name, fmt.Sprintf(format, args...))
}
