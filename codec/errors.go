package codec

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns wraps one of them, so
// callers can branch with errors.Is; decoding errors are also a
// [*SyntaxError] that says where the frame broke.
var (
	// Limits (CONF-18).
	ErrFrameTooLarge     = errors.New("codec: frame exceeds the size limit")
	ErrBodyTooLarge      = errors.New("codec: body exceeds the size limit")
	ErrTooManyHeaders    = errors.New("codec: too many header lines")
	ErrHeaderLineTooLong = errors.New("codec: header line exceeds the length limit")

	// Framing.
	ErrEmptyCommand       = errors.New("codec: empty command line")
	ErrMalformedHeader    = errors.New("codec: header line has no ':'")           // CONF-4
	ErrEmptyHeaderName    = errors.New("codec: header line has an empty name")    // CONF-4
	ErrBadEscape          = errors.New("codec: undefined escape sequence")        // CONF-12
	ErrBadContentLength   = errors.New("codec: content-length is not a number")   // CONF-13
	ErrMissingNUL         = errors.New("codec: body not followed by NUL")         // CONF-13
	ErrUnexpectedBody     = errors.New("codec: frame of this command has a body") // CONF-16
	ErrUnencodable        = errors.New("codec: header cannot be encoded in this version")
	ErrBadHeartBeat       = errors.New("codec: malformed heart-beat header") // CONF-27
	ErrUnsupportedVersion = errors.New("codec: unsupported STOMP version")
)

// SyntaxError is a decoding error: the rule that broke (Err, one of the
// sentinels above), the command of the frame being read when it is known,
// the header involved if any, and the stream offset of the frame.
type SyntaxError struct {
	Err     error
	Command Command
	Header  string
	Offset  int64 // bytes consumed by the decoder before the broken frame began
	Detail  string
}

// Error says which rule broke and where.
func (e *SyntaxError) Error() string {
	msg := e.Err.Error()
	if e.Command != "" {
		msg += fmt.Sprintf(" (in %s frame", e.Command)
		if e.Header != "" {
			msg += fmt.Sprintf(", header %q", e.Header)
		}
		msg += ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return fmt.Sprintf("%s at stream offset %d", msg, e.Offset)
}

// Unwrap returns the sentinel, for errors.Is.
func (e *SyntaxError) Unwrap() error { return e.Err }
