package stampede

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/reconnect"
)

// Conn is a connection to a STOMP server: one logical session that, with
// automatic reconnection, survives drops of its transport. All its methods
// are safe for concurrent use.
type Conn struct {
	cfg       config
	eng       *Engine
	exec      loop.Executor
	key       uint64 // executor key: keeps this connection's events in order
	endpoints []endpoint

	lmu       sync.Mutex
	listeners atomic.Pointer[[]namedListener]
	mw        atomic.Pointer[[]handlers.Middleware]
	sendChain atomic.Pointer[handlers.SendFunc]

	mu        sync.Mutex
	status    Status
	sess      *session
	upCh      chan struct{} // closed while connected
	gen       uint64        // sessions made so far
	closeErr  error
	reconnCtl context.CancelFunc
	reconnWG  sync.WaitGroup

	subMu sync.RWMutex
	subs  map[string]*Subscription

	subSeq, receiptSeq, txSeq atomic.Uint64

	rpc atomic.Pointer[requests] // made by the first Request

	ctx    context.Context // handlers' context: cancelled when closed
	cancel context.CancelFunc
	done   chan struct{}
}

var connKeys atomic.Uint64

// New makes a connection without connecting it, so that listeners can be
// added first (stomp.py's Connection(...) followed by connect()). address
// is described at [Dial].
func New(address string, opts ...Option) (*Conn, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	eps, err := parseAddresses(address)
	if err != nil {
		return nil, err
	}
	if cfg.stompCommand {
		for _, v := range cfg.versions {
			if v == codec.V10 {
				return nil, invalidOption("the STOMP command needs a version list without 1.0 (CONF-23)")
			}
		}
	}
	if cfg.engine == nil {
		if cfg.engine, err = DefaultEngine(); err != nil {
			return nil, err
		}
	}
	c := &Conn{
		cfg:       cfg,
		eng:       cfg.engine,
		exec:      cfg.executor,
		key:       connKeys.Add(1),
		endpoints: orderEndpoints(eps, cfg.order),
		upCh:      make(chan struct{}),
		subs:      make(map[string]*Subscription),
		done:      make(chan struct{}),
	}
	if c.exec == nil {
		c.exec = c.eng.le.Executor()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	ls := append([]namedListener(nil), cfg.listeners...)
	c.listeners.Store(&ls)
	mw := append([]handlers.Middleware(nil), cfg.middleware...)
	c.mw.Store(&mw)
	c.buildSendChain()
	return c, nil
}

// Dial connects to a STOMP server and returns when CONNECTED arrived.
//
// address is "host:port" or a URL: tcp://host:port (also stomp://),
// ssl://host:port (TLS), ws://host:port/path or wss://host:port/path
// (WebSocket); a URL may carry user:password@. Several addresses separated
// by commas are tried in order (failover); with [WithReconnect] the whole
// list is tried again per the policy.
//
// ctx bounds the whole connect, retries included; [WithConnectTimeout]
// bounds each attempt's wait for CONNECTED.
func Dial(ctx context.Context, address string, opts ...Option) (*Conn, error) {
	c, err := New(address, opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Connect connects a connection made with [New]. Calling it on a
// connection that is connecting, connected or closed is an error: a second
// Connect never starts a second session.
func (c *Conn) Connect(ctx context.Context) error {
	c.mu.Lock()
	if c.status != StatusNew {
		st := c.status
		c.mu.Unlock()
		if st == StatusClosed {
			return ErrClosed
		}
		return ErrAlreadyConnected
	}
	c.status = StatusConnecting
	c.mu.Unlock()
	c.eng.track(c)
	s, err := c.connectRounds(ctx, false)
	if err != nil {
		c.finish(err)
		c.emit(func(l handlers.Listener) { l.OnClosed() })
		return err
	}
	if !c.promote(s, false) {
		return ErrClosed
	}
	return nil
}

// connectRounds tries every endpoint, round after round, as the reconnect
// policy allows.
func (c *Conn) connectRounds(ctx context.Context, reconnecting bool) (*session, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			delay, ok := c.cfg.reconnect.Next(attempt)
			if !ok {
				if attempt == 1 && !reconnecting {
					return nil, lastErr
				}
				return nil, fmt.Errorf("%w after %d rounds: %w", ErrReconnectFailed, attempt, lastErr)
			}
			if err := reconnect.Wait(ctx, c.cfg.clock, delay); err != nil {
				return nil, fmt.Errorf("%w: %w (last error: %w)", ErrReconnectFailed, err, lastErr)
			}
		}
		for _, ep := range c.endpoints {
			s, err := c.dialOnce(ctx, ep)
			if err == nil {
				return s, nil
			}
			lastErr = err
			if ctx.Err() != nil {
				return nil, err
			}
			var se *ServerError
			if errors.As(err, &se) || errors.Is(err, ErrVersion) || errors.Is(err, ErrClosed) && c.Status() == StatusClosed {
				return nil, err // a refusal is not a network hiccup: do not retry
			}
		}
	}
}

// promote makes s the live session and releases whoever waits for it. It
// fails when the connection was closed meanwhile.
func (c *Conn) promote(s *session, reconnected bool) bool {
	c.mu.Lock()
	if c.status == StatusClosed || c.status == StatusDisconnecting {
		c.mu.Unlock()
		s.lc.Close(nil)
		return false
	}
	c.sess = s
	c.status = StatusConnected
	close(c.upCh)
	c.mu.Unlock()
	c.emitConnected(s.connected, reconnected)
	return true
}

// Status returns the connection's status.
func (c *Conn) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// WaitConnected waits until the connection is connected (stomp.py
// wait_for_connection, with a context instead of a timeout). It returns the
// connection's final error if it closes first.
func (c *Conn) WaitConnected(ctx context.Context) error {
	c.mu.Lock()
	up := c.upCh
	c.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done is closed when the connection is closed for good.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the connection closed: nil after Disconnect or Close, the
// cause otherwise. It returns ErrClosed's cause only once Done is closed;
// before that it returns nil.
func (c *Conn) Err() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// Version returns the negotiated protocol version, or 0 when not connected.
func (c *Conn) Version() codec.Version {
	if s := c.session(); s != nil {
		return s.version
	}
	return 0
}

// Server returns the server header of CONNECTED ("RabbitMQ/3.10.8").
func (c *Conn) Server() string {
	if s := c.session(); s != nil {
		return s.connected.Header.Get(codec.HdrServer)
	}
	return ""
}

// Session returns the session header of CONNECTED: the server's name for
// this session.
func (c *Conn) Session() string {
	if s := c.session(); s != nil {
		return s.connected.Header.Get(codec.HdrSession)
	}
	return ""
}

// Connected returns the CONNECTED frame of the current session, or nil.
func (c *Conn) Connected() *codec.Frame {
	if s := c.session(); s != nil {
		return s.connected
	}
	return nil
}

// Address returns the address of the current session ("tcp://host:port").
func (c *Conn) Address() string {
	if s := c.session(); s != nil {
		return s.ep.String()
	}
	return ""
}

func (c *Conn) session() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

// live returns the connected session, waiting for one under ctx unless the
// connection fails fast.
func (c *Conn) live(ctx context.Context) (*session, error) {
	for {
		c.mu.Lock()
		st, s, up := c.status, c.sess, c.upCh
		c.mu.Unlock()
		switch st {
		case StatusConnected:
			return s, nil
		case StatusClosed, StatusDisconnecting:
			return nil, ErrClosed
		case StatusNew:
			return nil, ErrNotConnected
		}
		if c.cfg.failFast {
			return nil, ErrNotConnected
		}
		select {
		case <-up:
		case <-c.done:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrNotConnected, ctx.Err())
		}
	}
}

// Use adds connection-wide middleware: it wraps the handler of every
// subscription, present and future, outside the subscription's own
// middleware; the first given is the outermost.
func (c *Conn) Use(mw ...handlers.Middleware) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	old := *c.mw.Load()
	next := append(append([]handlers.Middleware(nil), old...), mw...)
	c.mw.Store(&next)
}

// finish marks the connection closed for good.
func (c *Conn) finish(err error) {
	c.mu.Lock()
	if c.status == StatusClosed && c.closeErr != nil {
		err = c.closeErr
	}
	c.status = StatusClosed
	c.closeErr = err
	first := true
	select {
	case <-c.done:
		first = false
	default:
		close(c.done)
	}
	c.mu.Unlock()
	if first {
		c.cancel()
		c.eng.untrack(c)
		c.closeSubscriptions()
	}
}
