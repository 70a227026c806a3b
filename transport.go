package stampede

import (
	"context"
	"net"

	"github.com/stampede-mq/stampede/loop"
)

// transportConfig holds the settings of the TLS and WebSocket transports.
type transportConfig struct{}

// handshake returns what runs on the dialing goroutine before the socket
// goes to the event loops: nothing for plain TCP.
func (c *Conn) handshake(ep endpoint) (func(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error), error) {
	switch ep.scheme {
	case "tcp":
		return nil, nil
	}
	return nil, invalidOption("%s: the %s transport is not available yet", ep, ep.scheme)
}
