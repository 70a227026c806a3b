package stampede

import (
	"net/http"
	"strings"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
)

// WithWebSocketHeader adds a header to the HTTP upgrade request of ws://
// and wss:// addresses (stomp.py's header option): a cookie, an
// authorization, an origin. Repeated calls add values; "Host" replaces the
// Host header (default: the dialed host:port). The headers the handshake
// writes itself (Upgrade, Connection, Sec-WebSocket-*) are refused.
func WithWebSocketHeader(key, value string) Option {
	return func(c *config) error {
		host := strings.EqualFold(key, "Host")
		switch {
		case host && (value == "" || strings.ContainsAny(value, " /\r\n\x00")):
			return invalidOption("WebSocket Host header %q", value)
		case !host:
			if err := websocket.CheckHeader(key, value); err != nil {
				return invalidOption("WebSocket header: %v", err)
			}
		}
		t := &c.transports
		if t.wsHeader == nil {
			t.wsHeader = make(http.Header)
		}
		if host {
			t.wsHeader.Set("Host", value)
		} else {
			t.wsHeader.Add(key, value)
		}
		return nil
	}
}

// WithWebSocketBinary sends every STOMP frame in a binary WebSocket message
// (stomp.py binary_mode, stompjs forceBinaryWSFrames). Without it frames go
// in text messages, and in binary ones when they are not valid UTF-8 (a
// body of arbitrary bytes), which a text message must be.
func WithWebSocketBinary() Option {
	return func(c *config) error {
		c.transports.wsBinary = true
		return nil
	}
}

// wsHandshake returns the WebSocket upgrade for ws:// and wss:// endpoints:
// the subprotocols name the offered versions, highest first; wss:// runs
// TLS first with the endpoint's TLS configuration.
func (c *Conn) wsHandshake(ep *endpoint) (handshakeFunc, error) {
	t := &c.cfg.transports
	wc := websocket.Config{
		Host:     ep.hostPort(),
		Path:     ep.path,
		Versions: c.cfg.versions,
		Binary:   t.wsBinary,
	}
	if len(t.wsHeader) > 0 {
		wc.Header = t.wsHeader.Clone()
		if h := wc.Header.Get("Host"); h != "" {
			wc.Host = h
			wc.Header.Del("Host")
		}
	}
	if ep.scheme == "wss" {
		tc, err := c.tlsConfig(ep)
		if err != nil {
			return nil, err
		}
		wc.TLS = tc
	}
	cl, err := websocket.NewClient(wc)
	if err != nil {
		return nil, invalidOption("%s: %v", ep, err)
	}
	return cl.Handshake, nil
}

// wsVersions returns the versions CONNECT should offer over layer: only the
// one its WebSocket subprotocol names when the server chose one (RabbitMQ
// answers accept-version alone, so a server that picked v11.stomp would
// otherwise still be offered 1.2), else offered unchanged.
func wsVersions(l loop.Layer, offered []codec.Version) []codec.Version {
	n, ok := l.(websocket.Negotiated)
	if !ok || n.Version() == 0 {
		return offered
	}
	for _, v := range offered {
		if v == n.Version() {
			return []codec.Version{v}
		}
	}
	return offered
}
