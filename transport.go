package stampede

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"

	"github.com/stampede-mq/stampede/loop"
)

// transportConfig holds the settings of the TLS and WebSocket transports.
type transportConfig struct {
	tls      *tls.Config            // for every ssl:// and wss:// host without its own
	tlsFor   map[string]*tls.Config // per host name (stomp.py set_ssl for_hosts)
	wsHeader http.Header            // extra handshake headers (stomp.py header)
	wsBinary bool                   // binary WebSocket frames (stomp.py binary_mode)

	// finished caches, per host, the configuration a handshake uses, so
	// that the connections of one Dialer share it instead of each holding
	// a clone (crypto/tls never modifies a Config it is given).
	finished *tlsCache
}

type tlsCache struct {
	mu sync.Mutex
	m  map[string]*tls.Config
}

// handshakeFunc runs on the dialing goroutine over the open socket, before
// the socket goes to the event loops.
type handshakeFunc = func(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error)

// handshake returns the transport's handshake for ep: nothing for plain
// TCP, TLS for ssl://, the WebSocket upgrade (over TLS for wss://).
func (c *Conn) handshake(ep *endpoint) (handshakeFunc, error) {
	switch ep.scheme {
	case "ssl":
		cfg, err := c.tlsConfig(ep)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error) {
			l, err := loop.ClientTLS(ctx, nc, cfg)
			if err != nil {
				return nil, nil, err
			}
			return l, nil, nil
		}, nil
	case "ws", "wss":
		return c.wsHandshake(ep)
	}
	return nil, nil
}
