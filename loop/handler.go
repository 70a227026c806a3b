package loop

import "github.com/stampede-mq/stampede/codec"

// Handler is the protocol that owns a connection's input. Its methods run on
// the connection's event loop, one at a time, and must not block: hand
// anything slow to an [Executor].
type Handler interface {
	// OnOpen: the connection is registered with its loop. Bytes written
	// here go out before anything the peer can answer.
	OnOpen(c *Conn)
	// OnFrame: a complete frame arrived. *f is valid only during the call,
	// but the memory it refers to (header strings, body) stays valid:
	// copy the Frame value to keep it.
	OnFrame(c *Conn, f *codec.Frame)
	// OnHeartBeat: a heart-beat (an EOL between frames) arrived.
	OnHeartBeat(c *Conn)
	// OnClose: the connection is closed. cause is the error given to
	// Close, or what ended it (EOF, a reset, a decoding error,
	// [ErrHeartbeatTimeout]); nil for a plain local Close.
	OnClose(c *Conn, cause error)
}

// DecodeErrorHandler is implemented by handlers that answer a frame the
// decoder refused before the connection closes (a server sends ERROR). It
// runs on the loop; writes must use Force. The connection then closes
// gracefully: what was written is flushed, within the linger.
type DecodeErrorHandler interface {
	OnDecodeError(c *Conn, err *codec.SyntaxError)
}
