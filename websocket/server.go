package websocket

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/gobwas/ws"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// DefaultMaxRequest bounds the HTTP upgrade request a server accepts.
const DefaultMaxRequest = 16 << 10

// AnyPath in ServerConfig.Path accepts every request path.
const AnyPath = "*"

// ServerConfig says how a server accepts STOMP over WebSocket.
type ServerConfig struct {
	// Path is the request path served (default "/ws"; [AnyPath] for
	// any). The query is ignored. Other paths get 404.
	Path string
	// Versions are the STOMP versions the server speaks (default all).
	// Of the subprotocols a client offers, the server picks the one of
	// the highest version it speaks.
	Versions []codec.Version
	// RequireProtocol refuses (400) clients that offer no subprotocol.
	// By default they are served, with no subprotocol, and STOMP's
	// accept-version alone decides the version.
	RequireProtocol bool
	// Header holds extra response headers.
	Header http.Header
	// Binary sends every message as a binary frame; otherwise text frames,
	// binary ones for bytes that are not valid UTF-8.
	Binary bool
	// FragmentSize, when positive, splits outbound messages into frames of
	// at most that many payload bytes.
	FragmentSize int
	// MaxMessage bounds an inbound message (default [DefaultMaxMessage]).
	MaxMessage int64
	// MaxRequest bounds the HTTP upgrade request (default
	// [DefaultMaxRequest]); past it the client gets 431.
	MaxRequest int
	// TLS, when set, serves wss: the TLS handshake (loop.ServerTLS's, on
	// a short-lived goroutine), then the upgrade over TLS, then frames,
	// all on the loop. Bytes that arrive as the handshake ends go through
	// this layer first.
	TLS *tls.Config
	// OnPong, when set, is called with the payload of every pong frame a
	// client sends, on the connection's event loop; it must not block.
	OnPong func(payload []byte)
}

// Upgrader makes the layers of accepted connections. It is immutable and
// safe for concurrent use.
//
// A listener (the embedded broker's WebSocket listener, a test server)
// adds WebSocket to loop.Listen with one call per accepted connection:
//
//	up, err := websocket.NewUpgrader(websocket.ServerConfig{Path: "/ws"})
//	srv, err := loop.Listen(addr, func(local, remote net.Addr) (loop.ConnConfig, error) {
//		return loop.ConnConfig{Handler: newSession(), Layer: up.NewLayer()}, nil
//	}, wheel)
//
// The layer reads the HTTP upgrade request on the event loop as it
// arrives (no goroutine), answers 101 or an error status, and then
// carries STOMP frames. A listener that wants a deadline on the upgrade
// arms one on its wheel: nothing is delivered to the handler before it.
type Upgrader struct {
	cfg       ServerConfig
	supported uint8 // bit per codec version index: 1<<0 = 1.0 ...
	header    ws.HandshakeHeader
}

// NewUpgrader checks cfg and returns an upgrader. Errors wrap
// [ErrInvalidConfig].
func NewUpgrader(cfg ServerConfig) (*Upgrader, error) {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if cfg.Path != AnyPath && (!strings.HasPrefix(cfg.Path, "/") || strings.ContainsAny(cfg.Path, "? \r\n")) {
		return nil, invalidConfig("path %q: must start with / and hold no query", cfg.Path)
	}
	if len(cfg.Versions) == 0 {
		cfg.Versions = codec.Versions
	}
	u := &Upgrader{}
	for _, v := range cfg.Versions {
		if !v.Valid() {
			return nil, invalidConfig("version %d", v)
		}
		u.supported |= versionBit(v)
	}
	if cfg.MaxRequest == 0 {
		cfg.MaxRequest = DefaultMaxRequest
	}
	if cfg.MaxRequest < 256 || cfg.MaxMessage < 0 || cfg.FragmentSize < 0 {
		return nil, invalidConfig("MaxRequest under 256 bytes, or negative MaxMessage or FragmentSize")
	}
	h := make(http.Header, len(cfg.Header))
	for k, vs := range cfg.Header {
		ck := http.CanonicalHeaderKey(k)
		if !validToken(k) || reserved[ck] {
			return nil, invalidConfig("response header %q", k)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, invalidConfig("header %s: value holds a line break or NUL", ck)
			}
			h[ck] = append(h[ck], v)
		}
	}
	cfg.Header = h
	if len(h) > 0 {
		u.header = ws.HandshakeHeaderHTTP(h)
	}
	u.cfg = cfg
	return u, nil
}

func versionBit(v codec.Version) uint8 { return 1 << (v - codec.V10) }

// NewLayer returns the layer of one accepted connection: a [*ServerLayer],
// or, with TLS configured, a layer that runs the TLS handshake first (as
// loop.ServerTLS does) and the WebSocket layer on top. Both implement
// [Negotiated]. Safe for concurrent use.
func (u *Upgrader) NewLayer() loop.Layer {
	if u.cfg.TLS == nil {
		return u.newServerLayer(nil)
	}
	t := loop.ServerTLS(u.cfg.TLS)
	return &tlsServerLayer{TLSLayer: t, ws: u.newServerLayer(t)}
}

func (u *Upgrader) newServerLayer(inner loop.Layer) *ServerLayer {
	l := &ServerLayer{u: u}
	l.c.binary = u.cfg.Binary
	l.c.fragment = u.cfg.FragmentSize
	l.c.r.masked = true
	l.c.r.max = u.cfg.MaxMessage
	l.c.onPong = u.cfg.OnPong
	l.c.init(inner, l.handshake)
	return l
}

// ServerLayer is the WebSocket layer of an accepted connection. It runs the
// upgrade, then unmasks the client's frames for the STOMP decoder and frames
// what the server sends (unmasked). Inbound, Outbound and Close run on the
// connection's event loop (the loop calls them); the other methods say.
type ServerLayer struct {
	c        wire
	u        *Upgrader
	req      []byte // the upgrade request so far
	upgraded bool
	uri      string
	offered  uint8 // versions the client offered as subprotocols
	anyOffer bool  // the client sent Sec-WebSocket-Protocol at all
}

// Inbound implements loop.Layer: the upgrade request first, then frames. A
// refused upgrade is answered with its HTTP status and ends the connection
// with a [*HandshakeError]. Event loop only.
func (l *ServerLayer) Inbound(in []byte, w loop.RawWriter, deliver func([]byte) error) error {
	return l.c.inbound(in, w, deliver)
}

// Outbound implements loop.Layer: p becomes one unmasked message. Bytes
// written before the upgrade completed are an error. Event loop only.
func (l *ServerLayer) Outbound(p []byte, w loop.RawWriter) error {
	if !l.upgraded {
		return fmt.Errorf("%w: STOMP bytes before the upgrade", ErrHandshake)
	}
	return l.c.outbound(p, w)
}

// Close implements loop.Layer: a close frame (status 1000 unless CloseWith
// said otherwise) once upgraded. Event loop only.
func (l *ServerLayer) Close(w loop.RawWriter) { l.c.close(w, l.upgraded) }

// CloseWith sets the status and reason of the close frame Close sends
// (1008 for a policy violation, 1011 for an internal error, ...). Safe for
// concurrent use.
func (l *ServerLayer) CloseWith(code int, reason string) error { return l.c.closeWith(code, reason) }

// Protocol returns the subprotocol chosen, "" for none or before the
// upgrade. Event loop only.
func (l *ServerLayer) Protocol() string { return l.c.Protocol() }

// Version returns the STOMP version of the chosen subprotocol, or 0. Event
// loop only.
func (l *ServerLayer) Version() codec.Version { return l.c.Version() }

// RequestURI returns the request target of the upgrade ("/ws?x=1"), ""
// before it. Event loop only.
func (l *ServerLayer) RequestURI() string { return l.uri }

// handshake collects the upgrade request, answers it, and passes what
// follows it to the frame reader.
func (l *ServerLayer) handshake(p []byte) error {
	if l.upgraded {
		return l.c.frames(p)
	}
	from := max(0, len(l.req)-3)
	l.req = append(l.req, p...)
	i := bytes.Index(l.req[from:], []byte("\r\n\r\n"))
	if i < 0 {
		if len(l.req) > l.u.cfg.MaxRequest {
			l.reject(http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large")
			return &HandshakeError{Status: http.StatusRequestHeaderFieldsTooLarge, Err: fmt.Errorf("upgrade request over %d bytes", l.u.cfg.MaxRequest)}
		}
		return nil
	}
	end := from + i + 4
	if end > l.u.cfg.MaxRequest {
		l.reject(http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large")
		return &HandshakeError{Status: http.StatusRequestHeaderFieldsTooLarge, Err: fmt.Errorf("upgrade request over %d bytes", l.u.cfg.MaxRequest)}
	}
	req, rest := l.req[:end], l.req[end:]
	l.req = nil
	if err := l.upgrade(req); err != nil {
		return err
	}
	if len(rest) == 0 {
		return nil
	}
	return l.c.frames(rest)
}

// upgrade runs gobwas/ws's Upgrader over the buffered request and writes
// its answer.
func (l *ServerLayer) upgrade(req []byte) error {
	var resp bytes.Buffer
	rw := struct {
		io.Reader
		io.Writer
	}{bytes.NewReader(req), &resp}
	up := ws.Upgrader{
		Header:         l.u.header,
		OnRequest:      l.onRequest,
		ProtocolCustom: l.onProtocol,
		OnBeforeUpgrade: func() (ws.HandshakeHeader, error) {
			return l.choose()
		},
	}
	_, err := up.Upgrade(rw)
	if werr := l.c.send(resp.Bytes()); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		status := 0
		var rej *ws.ConnectionRejectedError
		if errors.As(err, &rej) {
			status = rej.StatusCode()
			if status == 0 {
				status = http.StatusInternalServerError
			}
		}
		return &HandshakeError{Status: status, Err: err}
	}
	l.upgraded = true
	return nil
}

func (l *ServerLayer) onRequest(uri []byte) error {
	l.uri = string(uri)
	path, _, _ := strings.Cut(l.uri, "?")
	if l.u.cfg.Path != AnyPath && path != l.u.cfg.Path {
		return ws.RejectConnectionError(
			ws.RejectionStatus(http.StatusNotFound),
			ws.RejectionReason(fmt.Sprintf("websocket: no STOMP endpoint at %q", path)),
		)
	}
	return nil
}

// onProtocol collects the offered subprotocols from every
// Sec-WebSocket-Protocol header; the choice is made once all are read.
func (l *ServerLayer) onProtocol(v []byte) (string, bool) {
	l.anyOffer = true
	for tok := range strings.SplitSeq(string(v), ",") {
		if ver := VersionOf(strings.TrimSpace(tok)); ver != 0 {
			l.offered |= versionBit(ver)
		}
	}
	return "", true
}

// choose picks the highest version both sides speak and names it in the
// response.
func (l *ServerLayer) choose() (ws.HandshakeHeader, error) {
	common := l.offered & l.u.supported
	if common == 0 {
		if !l.anyOffer && !l.u.cfg.RequireProtocol {
			return ws.HandshakeHeaderString(""), nil
		}
		return nil, ws.RejectConnectionError(
			ws.RejectionStatus(http.StatusBadRequest),
			ws.RejectionReason(ErrNoProtocol.Error()),
		)
	}
	for _, v := range slices.Backward(codec.Versions) {
		if common&versionBit(v) != 0 {
			l.c.protocol, l.c.version = protocolOf(v), v
			break
		}
	}
	return ws.HandshakeHeaderString("Sec-WebSocket-Protocol: " + l.c.protocol + "\r\n"), nil
}

// reject answers a request that is never parsed (too large).
func (l *ServerLayer) reject(status int, text string) {
	_ = l.c.send([]byte(fmt.Sprintf("HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status, text)))
}

// tlsServerLayer is the WebSocket layer over loop's server TLS layer. It
// embeds the TLS layer so that the loop finds the TLS layer's hooks and
// runs its handshake, as for loop.ServerTLS; the WebSocket layer reads and
// writes through it.
type tlsServerLayer struct {
	*loop.TLSLayer
	ws *ServerLayer
}

// Inbound implements loop.Layer. Event loop only.
func (t *tlsServerLayer) Inbound(in []byte, w loop.RawWriter, deliver func([]byte) error) error {
	return t.ws.Inbound(in, w, deliver)
}

// Outbound implements loop.Layer. Event loop only.
func (t *tlsServerLayer) Outbound(p []byte, w loop.RawWriter) error { return t.ws.Outbound(p, w) }

// Close implements loop.Layer. Event loop only.
func (t *tlsServerLayer) Close(w loop.RawWriter) { t.ws.Close(w) }

// Protocol implements Negotiated. Event loop only.
func (t *tlsServerLayer) Protocol() string { return t.ws.Protocol() }

// Version implements Negotiated. Event loop only.
func (t *tlsServerLayer) Version() codec.Version { return t.ws.Version() }

// CloseWith sets the close frame's status. Safe for concurrent use.
func (t *tlsServerLayer) CloseWith(code int, reason string) error {
	return t.ws.CloseWith(code, reason)
}

var (
	_ loop.Layer = (*ServerLayer)(nil)
	_ loop.Layer = (*tlsServerLayer)(nil)
	_ Negotiated = (*ServerLayer)(nil)
	_ Negotiated = (*tlsServerLayer)(nil)
)
