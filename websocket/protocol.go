package websocket

import (
	"slices"

	"github.com/stampede-mq/stampede/codec"
)

// The WebSocket subprotocols of STOMP, one per protocol version, as
// stomp.js, stomp.py and RabbitMQ Web-STOMP name them.
const (
	ProtocolV10 = "v10.stomp"
	ProtocolV11 = "v11.stomp"
	ProtocolV12 = "v12.stomp"
)

// Protocols returns the subprotocols that offer versions, highest version
// first (the order of preference a client sends); unknown versions are
// left out, duplicates once. Safe for concurrent use.
func Protocols(versions []codec.Version) []string {
	vs := slices.Clone(versions)
	slices.Sort(vs)
	vs = slices.Compact(vs)
	out := make([]string, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		if p := protocolOf(vs[i]); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// VersionOf returns the STOMP version a subprotocol names, or 0 for a
// subprotocol that is not one of STOMP's. Safe for concurrent use.
func VersionOf(protocol string) codec.Version {
	switch protocol {
	case ProtocolV10:
		return codec.V10
	case ProtocolV11:
		return codec.V11
	case ProtocolV12:
		return codec.V12
	}
	return 0
}

func protocolOf(v codec.Version) string {
	switch v {
	case codec.V10:
		return ProtocolV10
	case codec.V11:
		return ProtocolV11
	case codec.V12:
		return ProtocolV12
	}
	return ""
}

// Negotiated is implemented by every layer this package makes. The STOMP
// session above a layer uses it to keep CONNECT's accept-version (client)
// or the version it answers (server) consistent with the subprotocol.
type Negotiated interface {
	// Protocol returns the subprotocol the handshake settled on, "" when
	// the server chose none. Stable once the handshake is over; on the
	// server side the handshake ends on the event loop, so read it there.
	Protocol() string
	// Version returns the STOMP version the subprotocol names, or 0.
	Version() codec.Version
}
