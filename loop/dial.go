package loop

import (
	"context"
	"fmt"
	"net"
	"time"
)

// DialConfig says how to open a client socket.
type DialConfig struct {
	// LocalAddr binds the socket to a local address before connecting
	// (stomp.py bind_host_port). A load generator uses many 127.0.0.x
	// source addresses to get past the ephemeral port range of one.
	LocalAddr *net.TCPAddr
	// KeepAlive configures TCP keepalive probes (stomp.py keepalive and
	// set_keepalive_options). The zero value keeps the system default.
	KeepAlive KeepAlive
	// NoDelay is TCP_NODELAY; gnet sets it on every enrolled socket, so
	// this field exists to turn it off (Nagle on) with NoDelayOff.
	NoDelay NoDelay
	// Handshake, when set, runs on the dialing goroutine over the open
	// socket before it is enrolled (TLS, WebSocket). It returns the layer
	// that continues on the loop and any application bytes it read past
	// the handshake.
	Handshake func(ctx context.Context, nc net.Conn) (Layer, []byte, error)
}

// KeepAlive configures TCP keepalive. Zero fields keep the system default;
// Disable turns probes off.
type KeepAlive struct {
	Disable  bool
	Idle     time.Duration
	Interval time.Duration
	Count    int
}

// NoDelay says whether to set TCP_NODELAY.
type NoDelay uint8

const (
	// NoDelayOn sets TCP_NODELAY (the default): frames go out at once.
	NoDelayOn NoDelay = iota
	// NoDelayOff leaves Nagle's algorithm on.
	NoDelayOff
)

func (d DialConfig) dial(ctx context.Context, address string) (net.Conn, error) {
	nd := net.Dialer{}
	if d.LocalAddr != nil {
		nd.LocalAddr = d.LocalAddr
	}
	switch {
	case d.KeepAlive.Disable:
		nd.KeepAliveConfig = net.KeepAliveConfig{Enable: false}
		nd.KeepAlive = -1
	case d.KeepAlive != (KeepAlive{}):
		nd.KeepAliveConfig = net.KeepAliveConfig{
			Enable:   true,
			Idle:     d.KeepAlive.Idle,
			Interval: d.KeepAlive.Interval,
			Count:    d.KeepAlive.Count,
		}
	}
	nc, err := nd.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, fmt.Errorf("stampede: dial %s: %w", address, err)
	}
	return nc, nil
}
