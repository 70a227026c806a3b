// Package codec is the STOMP wire format: the frame model ([Frame], [Header],
// [Command], [Version], [HeartBeat]), an incremental [Decoder] that fits an
// event loop, and encoders that append to a caller's buffer.
//
// The package knows STOMP 1.0, 1.1 and 1.2 and their differences:
//
//   - 1.2 escapes backslash, CR, LF and colon in header names and values; 1.1
//     escapes all but CR; 1.0 escapes nothing and cannot carry a CR or LF in a
//     header value. CONNECT and CONNECTED frames are never escaped, so a
//     passcode containing ':' or '\' travels verbatim.
//   - Lines may end in LF or CRLF; a CRLF from any peer is accepted.
//   - A content-length header is authoritative: the body is exactly that many
//     octets, NULs included, and must be followed by NUL.
//
// Decoding is incremental: a [Decoder] is fed whatever bytes arrived (half a
// frame, many frames, one byte at a time), consumes what it can and keeps its
// state for the next call. It never blocks and never reads from a socket.
// Every size limit ([Limits]) is checked before memory is allocated, so a
// frame announcing a 4 GiB body costs nothing but an error.
//
// The package uses only the standard library and imports nothing else of
// stampede.
package codec
