package stampede

// wsHandshake returns the WebSocket upgrade for ws:// and wss:// endpoints.
func (c *Conn) wsHandshake(ep endpoint) (handshakeFunc, error) {
	return nil, invalidOption("%s: the WebSocket transport is not available yet", ep)
}
