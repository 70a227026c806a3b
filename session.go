package stampede

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/loop"
)

// session is one transport connection and its STOMP session: the protocol
// state machine that runs on the connection's event loop.
type session struct {
	c   *Conn
	ep  *endpoint
	lc  *loop.Conn
	gen uint64

	// Set on the loop before ready is closed; read-only afterwards.
	version   codec.Version
	enc       codec.Encoder
	connected string // CONNECTED, packed (connected.go); "" until it arrived
	ready     chan struct{}
	err       error
	done      bool // ready was closed (loop-owned)

	receipts receiptTable

	// offered are the versions CONNECT offers: the configured ones, or
	// only the one a WebSocket subprotocol names. Set by the handshake on
	// the dialing goroutine, before the socket reaches its loop.
	offered []codec.Version
}

func newSession(c *Conn, ep *endpoint, gen uint64) *session {
	return &session{c: c, ep: ep, gen: gen, offered: c.cfg.versions, ready: make(chan struct{})}
}

// dialOnce opens one transport connection and waits for CONNECTED.
func (c *Conn) dialOnce(ctx context.Context, ep *endpoint) (*session, error) {
	c.mu.Lock()
	c.gen++
	gen := c.gen
	c.mu.Unlock()
	addr := ep.String()
	c.emit(func(l handlers.Listener) { l.OnConnecting(addr) })

	cctx, cancel := context.WithTimeout(ctx, c.cfg.connectTimeout)
	defer cancel()
	var s *session
	base := func(ctx context.Context, _ string) error {
		d := c.cfg.dial
		hs, err := c.handshake(ep)
		if err != nil {
			return err
		}
		s = newSession(c, ep, gen)
		ready := s.ready // the loop drops its reference once it closes it
		if hs != nil {
			sess := s
			d.Handshake = func(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error) {
				l, rest, err := hs(ctx, nc)
				if err == nil {
					sess.offered = wsVersions(l, c.cfg.versions)
				}
				return l, rest, err
			}
		}
		lc, err := c.eng.le.Dial(ctx, ep.hostPort(), d, loop.ConnConfig{
			Handler:   s,
			Limits:    c.cfg.limits,
			HighWater: c.cfg.highWater,
		})
		if err != nil {
			s = nil
			return err
		}
		select {
		case <-ready:
		case <-ctx.Done():
			lc.Close(ErrConnectTimeout)
			<-lc.Done()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("%w (%s): %w", ErrConnectTimeout, addr, ctx.Err())
			}
			return ctx.Err()
		}
		if s.err != nil {
			lc.Close(s.err)
			<-lc.Done()
			return s.err
		}
		return nil
	}
	err := handlers.ChainDial(base, c.cfg.dialHooks...)(cctx, addr)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("stampede: a dial hook returned no error without dialing %s", addr)
	}
	return s, nil
}

// OnOpen sends CONNECT (or STOMP). Loop.
func (s *session) OnOpen(lc *loop.Conn) {
	s.lc = lc
	f := s.c.connectFrame(s.ep, s.offered)
	// CONNECT is never escaped: encode it with no version.
	if err := lc.WriteFrame(context.Background(), loop.Force, codec.Encoder{}, f); err != nil {
		s.fail(err)
		lc.Close(err)
	}
}

func (c *Conn) connectFrame(ep *endpoint, versions []codec.Version) *codec.Frame {
	cfg := c.cfg
	cmd := codec.Connect
	if cfg.stompCommand {
		cmd = codec.Stomp
	}
	f := &codec.Frame{Command: cmd}
	// accept-version only when something newer than 1.0 is offered: a
	// 1.0 server does not know the header (CONF-19, CONF-20).
	only10 := len(versions) == 1 && versions[0] == codec.V10
	if !only10 {
		f.Header.Add(codec.HdrAcceptVersion, codec.FormatAcceptVersion(versions))
		host := ep.host
		if cfg.hostSet {
			host = cfg.host
		}
		f.Header.Add(codec.HdrHost, host)
	} else if cfg.hostSet {
		f.Header.Add(codec.HdrHost, cfg.host)
	}
	login, passcode := cfg.login, cfg.passcode
	if login == "" && ep.hasLogin {
		login, passcode = ep.login, ep.passcode
	}
	if login != "" || passcode != "" {
		f.Header.Add(codec.HdrLogin, login)
		f.Header.Add(codec.HdrPasscode, passcode)
	}
	if cfg.heartBeat != (codec.HeartBeat{}) && !only10 { // 1.0 has no heart-beats (CONF-33)
		f.Header.Add(codec.HdrHeartBeat, cfg.heartBeat.String())
	}
	for _, h := range cfg.connectHeaders {
		f.Header.Set(h.Key, h.Value)
	}
	return f
}

// OnFrame is the protocol state machine. Loop.
func (s *session) OnFrame(lc *loop.Conn, f *codec.Frame) {
	switch f.Command {
	case codec.Connected:
		s.onConnected(lc, f)
	case codec.Message:
		if s.connected == "" {
			s.protocolError(lc, "MESSAGE before CONNECTED", f)
			return
		}
		s.c.deliver(s, f)
	case codec.Receipt:
		s.onReceipt(f)
	case codec.Error:
		s.onError(lc, f)
	default:
		// CONF-53: reported, never a panic; the connection stays up.
		s.c.emitProtocolError(&ProtocolError{Detail: fmt.Sprintf("unexpected %q frame from the server", f.Command), Frame: cloneFrame(f)})
	}
}

func (s *session) onConnected(lc *loop.Conn, f *codec.Frame) {
	if s.connected != "" || s.done {
		s.c.emitProtocolError(&ProtocolError{Detail: "second CONNECTED", Frame: cloneFrame(f)})
		return
	}
	v := codec.V10
	if vs := f.Header.Get(codec.HdrVersion); vs != "" {
		var err error
		if v, err = codec.ParseVersion(vs); err != nil {
			s.fail(fmt.Errorf("%w: server chose %q: %w", ErrVersion, vs, err))
			lc.Close(s.err)
			return
		}
	}
	offered := false
	for _, o := range s.offered {
		offered = offered || o == v
	}
	if !offered { // CONF-21
		s.fail(fmt.Errorf("%w: server chose %s, offered %s", ErrVersion, v, codec.FormatAcceptVersion(s.offered)))
		lc.Close(s.err)
		return
	}
	if v >= codec.V11 {
		remote, err := codec.ParseHeartBeat(f.Header.Get(codec.HdrHeartBeat))
		if err != nil { // CONF-27
			s.fail(fmt.Errorf("%w: CONNECTED: %w", ErrProtocol, err))
			lc.Close(s.err)
			return
		}
		send, recv := codec.Negotiate(s.c.cfg.heartBeat, remote)
		lc.SetHeartBeat(send, time.Duration(float64(recv)*s.c.cfg.scale))
	}
	lc.Decoder().SetVersion(v)
	s.version = v
	s.enc = codec.Encoder{Version: v, OmitContentLength: !s.c.cfg.autoContentLength}
	// Packed, which also copies it: a frame kept for the life of the
	// connection must not pin the decoder's shared arena block.
	s.connected = packConnected(f)
	s.done = true
	close(s.ready)
	s.ready = nil // nobody else waits: an idle connection keeps no channel
}

// fail ends the connect attempt with err. Loop.
func (s *session) fail(err error) {
	if s.done {
		return
	}
	s.err = err
	s.done = true
	close(s.ready)
	s.ready = nil // nobody else waits: an idle connection keeps no channel
}

func (s *session) onError(lc *loop.Conn, f *codec.Frame) {
	se := &ServerError{Frame: cloneFrame(f)}
	if !s.done { // CONF-22: ERROR instead of CONNECTED
		s.fail(se)
		lc.Close(se)
		return
	}
	// CONF-47/48/49: the operation named by receipt-id fails with it, and
	// so does everything else pending: ERROR is terminal.
	s.receipts.failAll(se)
	s.c.emit(func(l handlers.Listener) { l.OnError(se.Frame, se) })
	lc.Close(se)
}

func (s *session) protocolError(lc *loop.Conn, detail string, f *codec.Frame) {
	err := &ProtocolError{Detail: detail, Frame: cloneFrame(f)}
	s.c.emitProtocolError(err)
	s.fail(err)
	lc.Close(err)
}

func (c *Conn) emitProtocolError(err *ProtocolError) {
	c.emit(func(l handlers.Listener) { l.OnError(nil, err) })
}

func (s *session) onReceipt(f *codec.Frame) {
	id := f.Header.Get(codec.HdrReceiptID)
	s.receipts.complete(id, nil)
	cf := cloneFrame(f)
	s.c.emit(func(l handlers.Listener) { l.OnReceipt(cf) })
}

// OnHeartBeat: any byte proves liveness (the loop tracks that); listeners
// hear of it. Loop.
func (s *session) OnHeartBeat(*loop.Conn) {
	if s.connected != "" {
		s.c.emit(func(l handlers.Listener) { l.OnHeartbeat() })
	}
}

// OnClose ends the session. Loop.
func (s *session) OnClose(_ *loop.Conn, cause error) {
	if !s.done {
		err := cause
		if err == nil {
			err = ErrClosed
		}
		s.fail(fmt.Errorf("stampede: connection to %s closed before CONNECTED: %w", s.ep, err))
		return
	}
	if s.err != nil {
		return // a failed connect: the dialer reports it
	}
	s.receipts.closeAll(cause)
	s.c.sessionClosed(s, cause)
}

// write encodes and queues f on this session.
func (s *session) write(ctx context.Context, f *codec.Frame, enc codec.Encoder) error {
	mode := loop.Wait
	if s.c.cfg.failFast {
		mode = loop.NoWait
	}
	return s.lc.WriteFrame(ctx, mode, enc, f)
}

func cloneFrame(f *codec.Frame) *codec.Frame {
	cp := *f
	return &cp
}
