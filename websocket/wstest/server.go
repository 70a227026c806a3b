// Package wstest runs a small STOMP server over WebSocket on the event
// loops, for tests: the websocket package's server side under a STOMP
// session that knows CONNECT, SUBSCRIBE, SEND (delivered as MESSAGE to
// the destination's subscribers), receipts, heart-beats and DISCONNECT,
// plus fault injection: pings, close frames with a status, dropped
// sockets, STOMP frames cut across WebSocket messages.
//
// It is a test peer, not a broker: no acknowledgements, transactions or
// persistence. The embedded broker (package broker) is the real one.
package wstest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gobwas/ws"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
)

// Options configure a Server.
type Options struct {
	// Path served (default "/ws").
	Path string
	// Versions spoken, as subprotocols and in accept-version (default all).
	Versions []codec.Version
	// Subprotocols, when set, are the versions accepted as WebSocket
	// subprotocols, apart from those CONNECT may negotiate: a server that
	// picks v11.stomp yet answers accept-version alone, as RabbitMQ does.
	Subprotocols []codec.Version
	// TLS serves wss. By default TLS is terminated by a front that runs
	// crypto/tls with two goroutines per connection and relays to the
	// WebSocket server on the event loops, so every option works the
	// same over TLS.
	TLS *tls.Config
	// TLSOnLoop serves TLS on the event loops instead, through
	// websocket.ServerConfig.TLS. It needs loop's server TLS handshake to
	// hand bytes that arrive as it ends to the connection's layer (see
	// websocket.ServerConfig.TLS). Ping and SplitAt need a plain server
	// or the front.
	TLSOnLoop bool
	// HeartBeat is what CONNECTED offers.
	HeartBeat codec.HeartBeat
	// SplitAt, when positive, cuts every STOMP frame the server sends
	// into WebSocket messages of at most that many bytes.
	SplitAt int
	// FragmentSize splits the server's messages into fragments.
	FragmentSize int
	// Binary makes the server send binary frames.
	Binary bool
	// NoDisconnectReceipt makes the server answer DISCONNECT by closing
	// the connection (close frame 1000) without a RECEIPT, as RabbitMQ
	// Web-STOMP does.
	NoDisconnectReceipt bool
	// Loops is the number of event loops (default 2).
	Loops int
}

// Connect records one CONNECT the server answered.
type Connect struct {
	// Protocol is the WebSocket subprotocol of the connection.
	Protocol string
	// AcceptVersion is CONNECT's accept-version header.
	AcceptVersion string
	// Version is what CONNECTED answered.
	Version codec.Version
	// Host and Login are CONNECT's headers.
	Host, Login string
}

// Server is a running test server. Its methods are safe for concurrent use.
type Server struct {
	opts  Options
	srv   *loop.Server
	front *front // TLS front, when TLS is not on the loop
	up    *websocket.Upgrader
	url   string
	pongs atomic.Int64
	ids   atomic.Uint64

	mu       sync.Mutex
	peers    map[*peer]struct{}
	subs     map[string]map[*peer]string // destination → peer → subscription id
	connects []Connect
}

// peer is one connection's STOMP session. Loop-owned but for the fields
// the server reads under its lock.
type peer struct {
	s     *Server
	lc    *loop.Conn
	layer loop.Layer
	inj   *injector
	ver   atomic.Uint32     // negotiated version: other loops write MESSAGEs here
	subs  map[string]string // subscription id → destination
}

// Start listens on 127.0.0.1 on a free port.
func Start(o Options) (*Server, error) {
	if o.Loops == 0 {
		o.Loops = 2
	}
	s := &Server{opts: o, peers: make(map[*peer]struct{}), subs: make(map[string]map[*peer]string)}
	onLoop := o.TLS != nil && o.TLSOnLoop
	var loopTLS *tls.Config
	if onLoop {
		loopTLS = o.TLS
	}
	subprotocols := o.Subprotocols
	if len(subprotocols) == 0 {
		subprotocols = o.Versions
	}
	up, err := websocket.NewUpgrader(websocket.ServerConfig{
		Path:         o.Path,
		Versions:     subprotocols,
		TLS:          loopTLS,
		Binary:       o.Binary,
		FragmentSize: o.FragmentSize,
		OnPong:       func([]byte) { s.pongs.Add(1) },
	})
	if err != nil {
		return nil, err
	}
	s.up = up
	accept := func(net.Addr, net.Addr) (loop.ConnConfig, error) {
		p := &peer{s: s, subs: make(map[string]string)}
		p.layer = up.NewLayer()
		layer := p.layer
		if !onLoop {
			p.inj = &injector{Layer: p.layer, split: o.SplitAt}
			layer = p.inj
		}
		return loop.ConnConfig{Handler: handler{p}, Layer: layer}, nil
	}
	srv, err := loop.Listen("127.0.0.1:0", accept, nil, loop.WithLoops(o.Loops))
	if err != nil {
		return nil, err
	}
	s.srv = srv
	addr := srv.Addr().String()
	if o.TLS != nil && !onLoop {
		if s.front, err = startFront(o.TLS, addr); err != nil {
			_ = srv.Close()
			return nil, err
		}
		addr = s.front.ln.Addr().String()
	}
	scheme := "ws"
	if o.TLS != nil {
		scheme = "wss"
	}
	path := o.Path
	if path == "" {
		path = websocket.DefaultPath
	}
	s.url = scheme + "://" + addr + path
	return s, nil
}

// URL returns "ws://127.0.0.1:port/path" (wss with TLS).
func (s *Server) URL() string { return s.url }

// Addr returns the address clients dial.
func (s *Server) Addr() net.Addr {
	if s.front != nil {
		return s.front.ln.Addr()
	}
	return s.srv.Addr()
}

// Close closes every connection and stops the server; it returns when its
// goroutines are gone.
func (s *Server) Close() {
	if s.front != nil {
		s.front.close()
	}
	_ = s.srv.Close()
}

// Conns returns the number of open connections.
func (s *Server) Conns() int { return s.srv.Conns() }

// Connects returns every CONNECT answered so far.
func (s *Server) Connects() []Connect {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Connect(nil), s.connects...)
}

// Pongs returns the number of pong frames received.
func (s *Server) Pongs() int64 { return s.pongs.Load() }

// ErrNeedsPlain: the injection writes raw frames, which TLS on the loop
// cannot.
var ErrNeedsPlain = errors.New("wstest: fault injection needs the WebSocket server without TLS on the loop")

// Ping sends a ping frame with payload on every connection.
func (s *Server) Ping(payload []byte) error {
	if s.opts.TLS != nil && s.opts.TLSOnLoop {
		return ErrNeedsPlain
	}
	frame := ws.MustCompileFrame(ws.NewPingFrame(payload))
	for _, p := range s.peerList() {
		p.inj.queue(frame)
		// Any outbound bytes make the loop write the queued frame first;
		// an EOL is a heart-beat to the client.
		_ = p.lc.Write(context.Background(), loop.Force, []byte{'\n'})
	}
	return nil
}

// CloseAll closes every connection with a close frame carrying code and
// reason.
func (s *Server) CloseAll(code int, reason string) error {
	for _, p := range s.peerList() {
		if c, ok := p.layer.(interface{ CloseWith(int, string) error }); ok {
			if err := c.CloseWith(code, reason); err != nil {
				return err
			}
		}
		p.lc.Close(nil)
	}
	return nil
}

// Drop closes every socket without a close frame, as a crash or a network
// failure would.
func (s *Server) Drop() {
	for _, p := range s.peerList() {
		p.lc.Abort(nil, false)
	}
}

func (s *Server) peerList() []*peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*peer, 0, len(s.peers))
	for p := range s.peers {
		out = append(out, p)
	}
	return out
}

// injector wraps a plain server layer: it cuts outbound bytes into
// messages of at most split bytes and writes queued raw frames first.
type injector struct {
	loop.Layer
	split int
	mu    sync.Mutex
	raw   [][]byte
}

func (j *injector) queue(frame []byte) {
	j.mu.Lock()
	j.raw = append(j.raw, frame)
	j.mu.Unlock()
}

func (j *injector) Outbound(p []byte, w loop.RawWriter) error {
	j.mu.Lock()
	raw := j.raw
	j.raw = nil
	j.mu.Unlock()
	for _, f := range raw {
		if _, err := w.Write(f); err != nil {
			return err
		}
	}
	for j.split > 0 && len(p) > j.split {
		if err := j.Layer.Outbound(p[:j.split], w); err != nil {
			return err
		}
		p = p[j.split:]
	}
	return j.Layer.Outbound(p, w)
}

// handler is the STOMP side of one connection.
type handler struct{ p *peer }

func (h handler) OnOpen(lc *loop.Conn) {
	p := h.p
	p.lc = lc
	p.s.mu.Lock()
	p.s.peers[p] = struct{}{}
	p.s.mu.Unlock()
}

func (handler) OnHeartBeat(*loop.Conn) {}

func (h handler) OnClose(*loop.Conn, error) {
	p := h.p
	s := p.s
	s.mu.Lock()
	delete(s.peers, p)
	for id, dest := range p.subs {
		delete(s.subs[dest], p)
		delete(p.subs, id)
	}
	s.mu.Unlock()
}

func (h handler) OnFrame(lc *loop.Conn, f *codec.Frame) {
	p := h.p
	switch f.Command {
	case codec.Connect, codec.Stomp:
		p.connect(f)
		return
	case codec.Subscribe:
		p.subscribe(f)
	case codec.Unsubscribe:
		p.unsubscribe(f.Header.Get(codec.HdrID))
	case codec.Send:
		p.send(f)
	case codec.Disconnect:
		if p.s.opts.NoDisconnectReceipt {
			lc.Close(nil)
			return
		}
		p.receipt(f)
		lc.Close(nil)
		return
	}
	p.receipt(f)
}

func (p *peer) write(f *codec.Frame) {
	enc := codec.Encoder{Version: codec.Version(p.ver.Load())}
	_ = p.lc.WriteFrame(context.Background(), loop.Force, enc, f)
}

func (p *peer) receipt(f *codec.Frame) {
	if id := f.Header.Get(codec.HdrReceipt); id != "" {
		p.write(codec.New(codec.Receipt, codec.HdrReceiptID, id))
	}
}

func (p *peer) connect(f *codec.Frame) {
	s := p.s
	accept := f.Header.Get(codec.HdrAcceptVersion)
	offered, err := codec.ParseAcceptVersion(accept)
	v := codec.Version(0)
	for _, o := range offered {
		if serves(s.opts.Versions, o) && o > v {
			v = o
		}
	}
	if err != nil || v == 0 {
		p.write(codec.New(codec.Error, codec.HdrMessage, "no common version"))
		p.lc.Close(nil)
		return
	}
	neg, _ := p.layer.(websocket.Negotiated)
	s.mu.Lock()
	s.connects = append(s.connects, Connect{
		Protocol:      neg.Protocol(),
		AcceptVersion: accept,
		Version:       v,
		Host:          f.Header.Get(codec.HdrHost),
		Login:         f.Header.Get(codec.HdrLogin),
	})
	s.mu.Unlock()
	p.lc.Decoder().SetVersion(v)
	p.ver.Store(uint32(v))
	cf := codec.New(codec.Connected, codec.HdrVersion, v.String(),
		codec.HdrServer, "stampede-wstest", codec.HdrSession, "s-"+strconv.FormatUint(p.lc.ID(), 10))
	if v >= codec.V11 {
		cf.Header.Add(codec.HdrHeartBeat, s.opts.HeartBeat.String())
		remote, _ := codec.ParseHeartBeat(f.Header.Get(codec.HdrHeartBeat))
		send, recv := codec.Negotiate(s.opts.HeartBeat, remote)
		p.lc.SetHeartBeat(send, 5*recv) // lenient: a test server, not a judge
	}
	p.write(cf)
}

func serves(vs []codec.Version, v codec.Version) bool {
	if len(vs) == 0 {
		return v.Valid()
	}
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func (p *peer) subscribe(f *codec.Frame) {
	dest := f.Header.Get(codec.HdrDestination)
	id := f.Header.Get(codec.HdrID)
	if id == "" {
		id = dest
	}
	s := p.s
	s.mu.Lock()
	if s.subs[dest] == nil {
		s.subs[dest] = make(map[*peer]string)
	}
	s.subs[dest][p] = id
	p.subs[id] = dest
	s.mu.Unlock()
}

func (p *peer) unsubscribe(id string) {
	s := p.s
	s.mu.Lock()
	if dest, ok := p.subs[id]; ok {
		delete(s.subs[dest], p)
		delete(p.subs, id)
	}
	s.mu.Unlock()
}

// send delivers a SEND to every subscriber of its destination.
func (p *peer) send(f *codec.Frame) {
	s := p.s
	dest := f.Header.Get(codec.HdrDestination)
	s.mu.Lock()
	targets := make(map[*peer]string, len(s.subs[dest]))
	for q, id := range s.subs[dest] {
		targets[q] = id
	}
	s.mu.Unlock()
	for q, id := range targets {
		m := &codec.Frame{Command: codec.Message, Body: f.Body}
		m.Header.Add(codec.HdrDestination, dest)
		m.Header.Add(codec.HdrMessageID, fmt.Sprintf("m-%d", s.ids.Add(1)))
		m.Header.Add(codec.HdrSubscription, id)
		if ct := f.Header.Get(codec.HdrContentType); ct != "" {
			m.Header.Add(codec.HdrContentType, ct)
		}
		q.write(m)
	}
}
