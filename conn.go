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
	cfg       *config // shared with the other connections of its Dialer; read-only
	eng       *Engine
	exec      loop.Executor
	key       uint64 // executor key: keeps this connection's events in order
	endpoints []endpoint

	lmu       sync.Mutex
	listeners atomic.Pointer[[]namedListener]
	mw        atomic.Pointer[[]handlers.Middleware]

	mu       sync.Mutex // guards status and finished too (kept below, packed with counted)
	sess     *session
	upCh     chan struct{} // closed when connected; made when someone waits
	gen      uint64        // sessions made so far
	closeErr error
	reconn   *reconnecting // the latest automatic reconnection, if any

	subMu sync.RWMutex
	subs  subTable

	seq atomic.Uint64 // numbers the ids the client makes: subscriptions, receipts, transactions

	rpc atomic.Pointer[requests] // made by the first Request

	hctx     atomic.Pointer[handlerContext] // handlers' context, made by the first delivery
	done     chan struct{}                  // closed when closed for good; made when someone waits
	finished bool                           // closed for good (c.mu)
	status   Status                         // (c.mu)
	counted  atomic.Bool                    // counted by the engine as live
}

var connKeys atomic.Uint64

// New makes a connection without connecting it, so that listeners can be
// added first (stomp.py's Connection(...) followed by connect()). address
// is described at [Dial].
func New(address string, opts ...Option) (*Conn, error) {
	d, err := NewDialer(opts...)
	if err != nil {
		return nil, err
	}
	return d.New(address)
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
	if err := c.eng.register(c); err != nil {
		c.finish(err, false)
		return err
	}
	s, err := c.connectRounds(ctx, false)
	if err != nil {
		c.finish(err, true)
		return err
	}
	c.eng.settle(c)
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
		for i := range c.endpoints {
			s, err := c.dialOnce(ctx, &c.endpoints[i])
			if err == nil {
				return s, nil
			}
			lastErr = err
			if ctx.Err() != nil {
				return nil, err
			}
			var se *ServerError
			if errors.As(err, &se) || errors.Is(err, ErrVersion) || errors.Is(err, ErrEngineClosed) ||
				errors.Is(err, ErrClosed) && c.Status() == StatusClosed {
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
	if c.upCh != nil {
		close(c.upCh)
		c.upCh = nil
	}
	c.mu.Unlock()
	c.emitConnected(unpackConnected(s.connected), reconnected)
	if s.lc.Closed() {
		// It dropped between CONNECTED and now; its end found no live
		// session (sessionClosed ignores any other) unless it came after
		// the assignment above. Once OnClose has returned, end it here:
		// sessionClosed acts only once.
		<-s.lc.Done()
		c.sessionClosed(s, s.lc.Err())
	}
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
	if c.status == StatusConnected {
		c.mu.Unlock()
		return nil
	}
	up, done := c.upLocked(), c.doneLocked()
	c.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// upLocked returns the channel closed at the next connect. c.mu held.
func (c *Conn) upLocked() chan struct{} {
	if c.upCh == nil {
		c.upCh = make(chan struct{})
	}
	return c.upCh
}

// doneLocked returns the channel closed when the connection is closed for
// good; it is made on first use: most connections are never waited for.
// c.mu held.
func (c *Conn) doneLocked() chan struct{} {
	if c.done == nil {
		c.done = make(chan struct{})
		if c.finished {
			close(c.done)
		}
	}
	return c.done
}

// Done is closed when the connection is closed for good.
func (c *Conn) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.doneLocked()
}

// Err returns why the connection closed: nil after Disconnect or Close, the
// cause otherwise. It returns ErrClosed's cause only once Done is closed;
// before that it returns nil.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.finished {
		return nil
	}
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
		return connectedHeader(s.connected, codec.HdrServer)
	}
	return ""
}

// Session returns the session header of CONNECTED: the server's name for
// this session.
func (c *Conn) Session() string {
	if s := c.session(); s != nil {
		return connectedHeader(s.connected, codec.HdrSession)
	}
	return ""
}

// Connected returns a copy of the CONNECTED frame of the current session,
// or nil. Each call makes a new copy (the session keeps the frame packed).
func (c *Conn) Connected() *codec.Frame {
	if s := c.session(); s != nil {
		return unpackConnected(s.connected)
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
		st, s := c.status, c.sess
		var up, done chan struct{}
		if st != StatusConnected || s == nil {
			up, done = c.upLocked(), c.doneLocked()
		}
		c.mu.Unlock()
		switch st {
		case StatusConnected:
			if s != nil {
				return s, nil
			}
			// The session just ended (sessionClosed) and the connection is
			// about to close: wait below until it has.
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
		case <-done:
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
	old := c.middleware()
	next := append(append([]handlers.Middleware(nil), old...), mw...)
	c.mw.Store(&next)
}

// finish marks the connection closed for good, once; listeners then hear
// OnClosed, the last event, when closed says they had heard of the
// connection.
func (c *Conn) finish(err error, closed bool) {
	c.mu.Lock()
	if c.status == StatusClosed && c.closeErr != nil {
		err = c.closeErr
	}
	c.status = StatusClosed
	c.closeErr = err
	first := !c.finished
	c.finished = true
	if first && c.done != nil {
		close(c.done)
	}
	c.mu.Unlock()
	if !first {
		return
	}
	if h := c.hctx.Load(); h != nil {
		h.cancel()
	}
	c.eng.release(c)
	c.closeSubscriptions()
	if closed {
		c.emit(func(l handlers.Listener) { l.OnClosed() })
	}
}

// handlerContext is the context handlers get: cancelled when the
// connection closes for good. It is made by the first delivery.
type handlerContext struct {
	context.Context
	cancel context.CancelFunc
}

func (c *Conn) handlerCtx() context.Context {
	if h := c.hctx.Load(); h != nil {
		return h.Context
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &handlerContext{ctx, cancel}
	if !c.hctx.CompareAndSwap(nil, h) {
		cancel()
		return c.hctx.Load().Context
	}
	c.mu.Lock()
	finished := c.finished
	c.mu.Unlock()
	if finished { // closed before the first delivery ran
		cancel()
	}
	return ctx
}
