package loop

// Layer sits between a connection's socket and the STOMP codec: TLS
// encryption, WebSocket framing. Its methods run on the connection's event
// loop, one at a time, and must not block.
type Layer interface {
	// Inbound takes bytes read from the socket (nil right after the
	// connection opened, to let the layer hand over what it buffered during
	// its handshake) and passes the application bytes they complete to
	// deliver, in order, possibly in several pieces or none. deliver does
	// not keep the slice. Inbound may write protocol replies (a pong, a TLS
	// alert) through w. An error closes the connection; io.EOF means the
	// peer ended the stream cleanly at this layer (a WebSocket close frame,
	// a TLS close_notify).
	Inbound(in []byte, w RawWriter, deliver func(p []byte) error) error
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
