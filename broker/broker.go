package broker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/loop"
)

// Broker is an in-memory STOMP broker on gnet event loops. Start one with
// [Start]; stop it with [Broker.Shutdown] or [Broker.Close]. Its methods
// are safe for concurrent use.
type Broker struct {
	cfg       config
	log       *slog.Logger
	wheel     *loop.Wheel
	sessionID string // prefix of the session ids of this broker
	nextID    atomic.Uint64
	faults    Faults

	dests         sync.Map // name → destination
	subscriptions atomic.Int64
	noRoute       atomic.Uint64 // messages for reply queues that are gone
	refusing      atomic.Bool   // a fault refuses new connections
	stopping      atomic.Bool   // a shutdown refuses new connections

	addr net.Addr // the first endpoint's bound address, set by Start
	url  string

	life      sync.Mutex // serializes Shutdown, Restart and Close
	closed    bool       // guarded by life
	endpoints []*endpoint

	selfSigned *tls.Certificate // made at Start when a TLS listener has no config
	rootCAs    *x509.CertPool

	mu       sync.Mutex // guards what follows
	sessions map[string]*session
	drained  chan struct{} // closed when sessions empties during a shutdown
}

// endpoint is one listening socket and what its accepted connections get
// between socket and codec: plain TCP has no inner layer; a TLS or
// WebSocket listener sets newLayer. Start and Restart listen on every
// endpoint.
type endpoint struct {
	scheme   string // "tcp", "ssl", "ws" or "wss"
	address  string // as configured, then as bound (the port 0 resolved)
	path     string // WebSocket path
	newLayer func() loop.Layer
	srv      *loop.Server
	addr     net.Addr
}

// Start starts a broker and returns once it listens. Options are applied
// in order; see each for its default.
func Start(opts ...Option) (*Broker, error) {
	cfg := defaultConfig()
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	b := &Broker{
		cfg:       cfg,
		log:       cfg.logger,
		sessionID: "stampede-" + strconv.FormatUint(uint64(rand.Uint32()), 36) + "-",
		sessions:  make(map[string]*session),
		endpoints: []*endpoint{{scheme: "tcp", address: cfg.listen}},
	}
	b.faults.b = b
	extra, err := b.endpointsFor(cfg.extra)
	if err != nil {
		return nil, err
	}
	b.endpoints = append(b.endpoints, extra...)
	b.wheel = loop.NewWheel(10*time.Millisecond, 4096)
	if err := b.listen(); err != nil {
		b.wheel.Stop()
		return nil, err
	}
	b.addr = b.endpoints[0].addr
	b.url = b.endpoints[0].scheme + "://" + b.addr.String()
	b.log.Info("broker listening", "url", b.url)
	return b, nil
}

// listen starts every endpoint; on failure the ones started are closed.
// b.life held (or not yet shared).
func (b *Broker) listen() error {
	for i, ep := range b.endpoints {
		srv, err := loop.Listen(ep.address, b.acceptFunc(ep), b.wheel,
			loop.WithLoops(b.cfg.loops), loop.WithLogger(b.log))
		if err != nil {
			for _, started := range b.endpoints[:i] {
				_ = started.srv.Close()
				started.srv = nil
			}
			return fmt.Errorf("broker: %w", err)
		}
		ep.srv, ep.addr, ep.address = srv, srv.Addr(), srv.Addr().String()
	}
	return nil
}

var errRefused = errors.New("broker: refusing connections")

// acceptFunc makes a session for every connection an endpoint accepts,
// unless the broker refuses new connections: then the socket is closed at
// once, before a byte is read or written.
func (b *Broker) acceptFunc(ep *endpoint) loop.AcceptFunc {
	return func(_, _ net.Addr) (loop.ConnConfig, error) {
		if b.refusing.Load() || b.stopping.Load() {
			return loop.ConnConfig{}, errRefused
		}
		s := &session{b: b, id: b.sessionID + strconv.FormatUint(b.nextID.Add(1), 10)}
		s.wire.s = s
		if ep.newLayer != nil {
			s.wire.inner = ep.newLayer()
		}
		return loop.ConnConfig{Handler: s, Layer: &s.wire, Limits: b.cfg.limits, HighWater: b.cfg.highWater, Linger: closeLinger}, nil
	}
}

// register adds an open connection; false during a shutdown.
func (b *Broker) register(s *session) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopping.Load() {
		return false
	}
	b.sessions[s.id] = s
	return true
}

func (b *Broker) unregister(s *session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sessions[s.id] != s {
		return
	}
	delete(b.sessions, s.id)
	if len(b.sessions) == 0 && b.drained != nil {
		close(b.drained)
		b.drained = nil
	}
}

// lookupSessions returns the open connection with the id, or every open
// connection when all is true.
func (b *Broker) lookupSessions(id string, all bool) []*session {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !all {
		if s := b.sessions[id]; s != nil {
			return []*session{s}
		}
		return nil
	}
	out := make([]*session, 0, len(b.sessions))
	for _, s := range b.sessions {
		out = append(out, s)
	}
	return out
}

// Addr returns the address the broker listens on: with port 0 asked, the
// port it got. It stays the same across [Broker.Restart] and after
// Shutdown. Safe for concurrent use.
func (b *Broker) Addr() net.Addr { return b.addr }

// URL returns the listener's address as a URL: "tcp://127.0.0.1:61613".
// Safe for concurrent use.
func (b *Broker) URL() string { return b.url }

// Shutdown stops the broker gracefully: it refuses new connections,
// writes what each connection has queued (including topic backlogs),
// closes every connection once flushed and waits for them to be gone or
// for ctx to end, then stops the listeners, the event loops and the
// timing wheel. Unacknowledged messages return to their queues. It returns
// ctx's error if the wait was cut short (the connections are closed
// anyway). Calling it again, or after Close, returns nil.
func (b *Broker) Shutdown(ctx context.Context) error {
	b.life.Lock()
	defer b.life.Unlock()
	if b.closed {
		return nil
	}
	err := b.stopServing(ctx)
	b.closed = true
	b.wheel.Stop()
	b.log.Info("broker stopped")
	return err
}

// Close stops the broker at once: every connection is closed without
// flushing what it has queued. It is idempotent and returns once the event
// loops and the timing wheel have stopped.
func (b *Broker) Close() error {
	b.life.Lock()
	defer b.life.Unlock()
	if b.closed {
		return nil
	}
	b.stopping.Store(true)
	for _, ep := range b.endpoints {
		if ep.srv != nil {
			_ = ep.srv.Close()
			ep.srv = nil
		}
	}
	b.closed = true
	b.wheel.Stop()
	return nil
}

// Restart shuts the listeners down gracefully, like [Broker.Shutdown],
// then listens again on the same addresses (SO_REUSEADDR makes the port
// available at once). Queues, topics and the messages queues hold survive;
// connections, subscriptions and temp queues do not. A refusal set with
// [Faults.RefuseNew] is lifted. It fails with [ErrClosed] after Shutdown
// or Close.
func (b *Broker) Restart(ctx context.Context) error {
	b.life.Lock()
	defer b.life.Unlock()
	if b.closed {
		return ErrClosed
	}
	_ = b.stopServing(ctx)
	b.refusing.Store(false)
	b.stopping.Store(false) // nothing listens until listen returns
	if err := b.listen(); err != nil {
		b.stopping.Store(true)
		b.closed = true
		b.wheel.Stop()
		return err
	}
	b.log.Info("broker restarted", "url", b.url)
	return nil
}

// stopServing closes every connection gracefully and stops the
// listeners. b.life held.
func (b *Broker) stopServing(ctx context.Context) error {
	b.stopping.Store(true)
	b.mu.Lock()
	live := make([]*session, 0, len(b.sessions))
	for _, s := range b.sessions {
		live = append(live, s)
	}
	var drained chan struct{}
	if len(b.sessions) > 0 {
		drained = make(chan struct{})
		b.drained = drained
	}
	b.mu.Unlock()
	for _, s := range live {
		_ = s.c.Post(s.shutdown)
	}
	var err error
	if drained != nil {
		select {
		case <-drained:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	for _, ep := range b.endpoints {
		if ep.srv != nil {
			_ = ep.srv.Close()
			ep.srv = nil
		}
	}
	b.mu.Lock()
	b.drained = nil
	b.mu.Unlock()
	return err
}
