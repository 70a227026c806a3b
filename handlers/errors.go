package handlers

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns either is one of them or
// wraps one, so callers can branch with errors.Is. Messages start with
// "handlers: ".
var (
	// ErrNoAcknowledger is returned by [Message.Ack] and [Message.Nack] on
	// a message that has no connection to acknowledge on.
	ErrNoAcknowledger = errors.New("handlers: message cannot be acknowledged")

	// ErrNoRoute is matched (errors.Is) by the error a [Mux] returns for a
	// destination that no pattern matches; errors.As with a
	// *[NoRouteError] gives the destination.
	ErrNoRoute = errors.New("handlers: no route for destination")

	// ErrInvalidPattern is wrapped by [Mux.Handle] for a pattern it cannot
	// use (empty, or a multi-segment wildcard that is not last) and for a
	// nil handler.
	ErrInvalidPattern = errors.New("handlers: invalid destination pattern")

	// ErrDuplicatePattern is wrapped by [Mux.Handle] when the pattern (or
	// an equivalent one: "#" and ">" are the same wildcard) is already
	// registered.
	ErrDuplicatePattern = errors.New("handlers: destination pattern already registered")

	// ErrTimeout is wrapped, together with context.DeadlineExceeded, by the
	// error [Timeout] returns for a handler that returned after its
	// deadline. It is also the context cause (context.Cause) the handler
	// sees when its deadline passes.
	ErrTimeout = errors.New("handlers: handler exceeded its timeout")

	// ErrClosed is returned by [Waiting]'s and [Recorder]'s wait methods
	// once the connection they observe has closed for good (OnClosed ran)
	// and what they wait for can no longer happen.
	ErrClosed = errors.New("handlers: connection closed")
)

// PanicError is the error [Recover] returns for a handler that panicked. It
// keeps the value given to panic and the stack of the panicking goroutine.
// When the value is itself an error, Unwrap returns it, so errors.Is and
// errors.As see through the panic.
type PanicError struct {
	// Value is what the handler passed to panic (a *runtime.PanicNilError
	// for panic(nil)).
	Value any
	// Stack is the formatted stack trace of the goroutine at the panic
	// (runtime/debug.Stack).
	Stack []byte
}

// Error describes the panic value; the stack is left out.
func (e *PanicError) Error() string { return fmt.Sprintf("handlers: handler panicked: %v", e.Value) }

// Unwrap returns Value when it is an error, else nil.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// NoRouteError is the error a [Mux] returns by default for a destination no
// pattern matches. It matches [ErrNoRoute] with errors.Is and is permanent
// ([IsPermanent]): routing the same message again gives the same answer, so
// [Retry] does not retry it.
type NoRouteError struct {
	// Destination is the destination header of the message.
	Destination string
}

// Error names the destination.
func (e *NoRouteError) Error() string {
	return fmt.Sprintf("%s %q", ErrNoRoute.Error(), e.Destination)
}

// Is reports whether target is [ErrNoRoute].
func (e *NoRouteError) Is(target error) bool { return target == ErrNoRoute }

// Permanent reports true: see [IsPermanent].
func (e *NoRouteError) Permanent() bool { return true }

// Permanent marks err as not worth retrying: [Retry]'s default rule gives up
// at once on it, and [IsPermanent] reports true. errors.Is and errors.As see
// err through the mark. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or any error it wraps, is marked
// permanent: made by [Permanent], or of a type with a method
// Permanent() bool that returns true (such as [NoRouteError]), which lets
// other packages mark their own error types. The outermost error in the
// chain that has such a method decides.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// permanentError is the mark added by Permanent.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) Permanent() bool { return true }
