package loop

// Layer sits between a connection's socket and the STOMP codec: TLS
// encryption, WebSocket framing. Its methods run on the connection's event
// loop, one at a time, and must not block.
type Layer interface {
	// Inbound takes bytes read from the socket and returns the application
	// bytes they complete, which may be none. The returned slice is valid
	// until the next call. Inbound may write protocol replies (a pong, a
	// TLS key update) through w.
	Inbound(in []byte, w RawWriter) ([]byte, error)
	// Outbound writes application bytes to the socket through w, framing or
	// encrypting them. p may be modified (masked in place) and is not used
	// after the call returns.
	Outbound(p []byte, w RawWriter) error
	// Close is called once, on the loop, when the connection is closing
	// gracefully; it may write a goodbye (close_notify, a close frame).
	Close(w RawWriter)
}

// RawWriter writes bytes to a connection's socket from its event loop.
// gnet.Conn satisfies it. What the socket does not take at once is buffered
// by the loop and counts against the connection's high-water mark.
type RawWriter interface {
	Write(p []byte) (int, error)
	Writev(bs [][]byte) (int, error)
}
