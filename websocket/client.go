package websocket

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gobwas/ws"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// DefaultPath is the request path used when a configuration names none:
// RabbitMQ Web-STOMP's.
const DefaultPath = "/ws"

// Config says how a client upgrades a socket to STOMP over WebSocket.
type Config struct {
	// Host is the Host header (default: the address dialed, host:port).
	Host string
	// Path is the request target, with an optional query (default "/ws";
	// stomp.py ws_path).
	Path string
	// Header holds extra request headers (stomp.py header): cookies,
	// authorization, origin. The headers the handshake owns (Host,
	// Upgrade, Connection, Sec-WebSocket-*) are refused: use Host for the
	// Host header.
	Header http.Header
	// Versions are the STOMP versions offered (default 1.0, 1.1, 1.2).
	// They become the subprotocols v12.stomp, v11.stomp, v10.stomp,
	// highest first; the server picks one of them or none.
	Versions []codec.Version
	// Binary sends every message as a binary frame (stomp.py binary_mode,
	// stompjs forceBinaryWSFrames). Otherwise messages go as text frames,
	// and as binary frames when they are not valid UTF-8, which a text
	// frame must be.
	Binary bool
	// FragmentSize, when positive, splits outbound messages into frames
	// of at most that many payload bytes.
	FragmentSize int
	// MaxMessage bounds an inbound message, fragments included (default
	// [DefaultMaxMessage]); past it the connection closes with status
	// 1009 and [ErrTooLarge].
	MaxMessage int64
	// TLS, when set, makes this wss: the TLS handshake runs first, then
	// the upgrade over TLS, and on the event loop the WebSocket layer
	// sits on loop's TLS layer. It must not be nil for wss.
	TLS *tls.Config
}

// Client upgrades sockets as its [Config] says. It is immutable and safe
// for concurrent use.
type Client struct {
	cfg       Config
	target    url.URL
	protocols []string
	header    ws.HandshakeHeader
}

// reserved are the request headers the handshake writes itself.
var reserved = map[string]bool{
	"Host": true, "Upgrade": true, "Connection": true,
	"Sec-Websocket-Key": true, "Sec-Websocket-Version": true, "Sec-Websocket-Protocol": true,
	"Sec-Websocket-Extensions": true, "Sec-Websocket-Accept": true,
}

// NewClient checks cfg and returns a client. Errors wrap
// [ErrInvalidConfig].
func NewClient(cfg Config) (*Client, error) {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if !strings.HasPrefix(cfg.Path, "/") || strings.ContainsAny(cfg.Path, " \r\n\x00") {
		return nil, invalidConfig("path %q: must start with / and hold no spaces or line breaks", cfg.Path)
	}
	target, err := url.ParseRequestURI(cfg.Path)
	if err != nil {
		return nil, invalidConfig("path %q: %v", cfg.Path, err)
	}
	if strings.ContainsAny(cfg.Host, " \r\n\x00/") {
		return nil, invalidConfig("host %q", cfg.Host)
	}
	if len(cfg.Versions) == 0 {
		cfg.Versions = codec.Versions
	}
	protocols := Protocols(cfg.Versions)
	if len(protocols) != len(cfg.Versions) {
		return nil, invalidConfig("versions %v: only 1.0, 1.1 and 1.2, each once", cfg.Versions)
	}
	if cfg.MaxMessage < 0 || cfg.FragmentSize < 0 {
		return nil, invalidConfig("negative MaxMessage or FragmentSize")
	}
	h, err := checkHeader(cfg.Header)
	if err != nil {
		return nil, err
	}
	cl := &Client{cfg: cfg, target: *target, protocols: protocols}
	if len(h) > 0 {
		cl.header = ws.HandshakeHeaderHTTP(h)
	}
	cl.cfg.Header = h
	return cl, nil
}

// checkHeader refuses the headers the handshake owns and malformed ones,
// and returns a copy.
func checkHeader(h http.Header) (http.Header, error) {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if !validToken(k) {
			return nil, invalidConfig("header name %q", k)
		}
		ck := http.CanonicalHeaderKey(k)
		if reserved[ck] {
			return nil, invalidConfig("header %s is written by the handshake itself", ck)
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, invalidConfig("header %s: value holds a line break or NUL", ck)
			}
			out[ck] = append(out[ck], v)
		}
	}
	return out, nil
}

// CheckHeader reports whether key: value may be added to an upgrade
// request: a valid name and value, not one of the headers the handshake
// writes itself. Errors wrap [ErrInvalidConfig]. Safe for concurrent use.
func CheckHeader(key, value string) error {
	_, err := checkHeader(http.Header{key: {value}})
	return err
}

// validToken reports whether s is an HTTP token (RFC 9110 5.6.2).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Protocols returns the subprotocols the client offers, in order. The
// slice is the client's: do not modify it.
func (cl *Client) Protocols() []string { return cl.protocols }

// aLongTimeAgo is a deadline in the past: it interrupts blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// Handshake upgrades nc: the TLS handshake for wss, then the HTTP upgrade
// (GET with the subprotocols, the path and the extra headers, expecting
// 101). It blocks, under ctx, on the calling goroutine, and has the
// signature of loop.DialConfig.Handshake. The layer it returns continues on
// the event loop once nc is enrolled, and first hands over the frames the
// server sent along with its response. It returns no application bytes
// itself. Errors wrap [ErrHandshake]. Safe for concurrent use.
func (cl *Client) Handshake(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error) {
	var rw io.ReadWriter = nc
	var inner loop.Layer
	scheme := "ws"
	if cl.cfg.TLS != nil {
		tl, err := loop.ClientTLS(ctx, nc, cl.cfg.TLS)
		if err != nil {
			return nil, nil, &HandshakeError{Err: err}
		}
		rw, inner, scheme = tl.Conn(), tl, "wss"
	}
	u := cl.target
	u.Scheme, u.Host = scheme, cl.cfg.Host
	if u.Host == "" {
		u.Host = nc.RemoteAddr().String()
	}
	var status int
	var reason string
	d := ws.Dialer{
		Protocols: cl.protocols,
		Header:    cl.header,
		OnStatusError: func(s int, r []byte, _ io.Reader) {
			status, reason = s, string(r)
		},
	}

	// The context alone bounds the upgrade: when it ends, a deadline in
	// the past interrupts the blocked read or write, and the error is the
	// context's.
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = nc.SetDeadline(aLongTimeAgo)
		close(interrupted)
	})
	br, hs, err := d.Upgrade(rw, &u)
	if !stop() {
		<-interrupted
		err = ctx.Err()
	}
	if err != nil {
		if br != nil {
			ws.PutReader(br)
		}
		return nil, nil, handshakeError(err, status, reason)
	}

	l := &ClientLayer{}
	l.c.client = true
	l.c.binary = cl.cfg.Binary
	l.c.fragment = cl.cfg.FragmentSize
	l.c.r.max = cl.cfg.MaxMessage
	l.c.protocol, l.c.version = hs.Protocol, VersionOf(hs.Protocol)
	l.c.init(inner, l.c.frames)
	if br != nil {
		l.c.pending = takeBuffered(br)
		ws.PutReader(br)
	}
	return l, nil, nil
}

func handshakeError(err error, status int, reason string) error {
	var se ws.StatusError
	if errors.As(err, &se) {
		if status == 0 {
			status = int(se)
		}
		return &HandshakeError{Status: status, Err: fmt.Errorf("server answered %d %s instead of 101", status, strings.TrimSpace(reason))}
	}
	return &HandshakeError{Err: err}
}

// takeBuffered copies what br read past the response.
func takeBuffered(br *bufio.Reader) []byte {
	n := br.Buffered()
	if n == 0 {
		return nil
	}
	b, _ := br.Peek(n)
	return append([]byte(nil), b...)
}

// ClientLayer is the WebSocket layer of a client connection on an event
// loop: it parses the server's frames (fragments, control frames between
// them, ping answered with pong, close answered with close), hands their
// payload to the STOMP decoder, and frames and masks what the client
// sends, one message per write. Inbound, Outbound and Close run on the
// connection's event loop (the loop calls them); the other methods say.
type ClientLayer struct {
	c wire
}

// Inbound implements loop.Layer. A close frame from the server is answered
// and ends the connection with a [*CloseError]. Event loop only.
func (l *ClientLayer) Inbound(in []byte, w loop.RawWriter, deliver func([]byte) error) error {
	return l.c.inbound(in, w, deliver)
}

// Outbound implements loop.Layer: p becomes one masked message (or several
// frames of one message with FragmentSize). p is not modified. Event loop
// only.
func (l *ClientLayer) Outbound(p []byte, w loop.RawWriter) error { return l.c.outbound(p, w) }

// Close implements loop.Layer: it sends a close frame (status 1000 unless
// CloseWith said otherwise) if none was sent, then closes TLS. Event loop
// only.
func (l *ClientLayer) Close(w loop.RawWriter) { l.c.close(w, true) }

// CloseWith sets the status and reason of the close frame Close sends.
// Safe for concurrent use.
func (l *ClientLayer) CloseWith(code int, reason string) error { return l.c.closeWith(code, reason) }

// Protocol returns the subprotocol the server chose, "" for none. Safe for
// concurrent use (it is set before the layer is returned).
func (l *ClientLayer) Protocol() string { return l.c.Protocol() }

// Version returns the STOMP version of the chosen subprotocol, 0 when the
// server chose none. Safe for concurrent use.
func (l *ClientLayer) Version() codec.Version { return l.c.Version() }

var (
	_ loop.Layer = (*ClientLayer)(nil)
	_ Negotiated = (*ClientLayer)(nil)
)
