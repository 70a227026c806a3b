package multicast

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// Conn is a member of a multicast group with the programming model of a
// broker connection: Send, Subscribe, transactions, receipts, listeners and
// middleware. There is no broker: subscriptions, receipts and transactions
// are kept by each member locally, and a SEND is one datagram that every
// member receives and matches against its own subscriptions.
//
// Goroutines: a Conn owns two. The reader receives datagrams, decodes them
// and queues what matches; the dispatcher runs listeners and handlers, one
// event at a time and in order. Both are joined by Disconnect and Close.
// Every exported method is safe for concurrent use unless it says
// otherwise. Disconnect and Close wait for the dispatcher, so they must
// not be called from a listener or handler (run them in a new goroutine);
// Disconnect detects a handler's context and fails with
// [ErrCalledFromHandler] instead of waiting for itself.
type Conn struct {
	cfg      config
	limits   codec.Limits // for decoding datagrams
	tr       *Transport
	instance string
	send     handlers.SendFunc // the send hooks around sendFrame; immutable

	status atomic.Int32
	seq    atomic.Uint64 // sequence number of sent frames
	ids    atomic.Uint64 // numbers for subscription, transaction and receipt ids
	stats  counters

	// Lists read without a lock on every event, replaced under mu.
	listeners atomic.Pointer[[]namedListener]
	subs      atomic.Pointer[[]*Subscription]

	mu       sync.Mutex // guards the fields below and the replacement of the lists
	subsByID map[string]*Subscription
	mw       []handlers.Middleware
	txs      map[string][]pending

	queue        chan event
	pendingDrops atomic.Uint64 // dropped since the last report
	abort        chan struct{} // closed to make the dispatcher stop at once
	abortOnce    sync.Once
	abortErr     error // why; written before abort is closed
	readerDone   chan struct{}
	dispatchDone chan struct{}
	handlerCtx   context.Context // handed to handlers; ends when the connection closes
	cancel       context.CancelFunc
}

type handlerKey struct{}

// Dial joins the group described by opts (see [Option] and its defaults)
// and returns a connected member. There is no broker to answer: the
// connection reports itself connected, and the OnConnected listeners
// (added with [WithListener]) get a synthetic CONNECTED frame with version
// 1.2, a session header holding the member's instance id and heart-beat
// 0,0. ctx bounds the joining. If joining fails, Dial returns the error and
// the listeners have seen OnConnecting and then OnClosed. Safe for
// concurrent use.
func Dial(ctx context.Context, opts ...Option) (*Conn, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := newConn(cfg)
	go c.dispatch()
	c.queue <- event{kind: evConnecting, addr: c.tr.Group().String()}
	if err := c.tr.Start(ctx); err != nil {
		c.queue <- event{kind: evClosed}
		<-c.dispatchDone
		c.cancel()
		c.status.Store(int32(StatusClosed))
		return nil, err
	}
	c.status.Store(int32(StatusConnected))
	// Queued before the reader starts, so that OnConnected comes first.
	c.queue <- event{kind: evConnected, frame: c.connectedFrame()}
	go c.read()
	return c, nil
}

func newConn(cfg config) *Conn {
	var id [8]byte
	_, _ = rand.Read(id[:]) // never fails (crypto/rand)
	c := &Conn{
		cfg:          cfg,
		limits:       datagramLimits(cfg.maxSize),
		tr:           newTransport(cfg),
		instance:     hex.EncodeToString(id[:]),
		subsByID:     make(map[string]*Subscription),
		txs:          make(map[string][]pending),
		queue:        make(chan event, cfg.queueSize),
		abort:        make(chan struct{}),
		readerDone:   make(chan struct{}),
		dispatchDone: make(chan struct{}),
	}
	c.status.Store(int32(StatusConnecting))
	ls := append([]namedListener(nil), cfg.listeners...)
	c.listeners.Store(&ls)
	c.subs.Store(new([]*Subscription))
	c.send = handlers.ChainSend(c.sendFrame, cfg.hooks...)
	base, cancel := context.WithCancel(context.Background())
	c.handlerCtx = context.WithValue(base, handlerKey{}, c)
	c.cancel = cancel
	return c
}

// datagramLimits bounds decoding by the datagram size alone: whatever a
// sender could fit in a datagram is read, however many or long its header
// lines (each takes at least two bytes, ":" and LF).
func datagramLimits(maxSize int) codec.Limits {
	return codec.Limits{MaxFrameSize: maxSize, MaxHeaderLine: maxSize, MaxHeaders: maxSize/2 + 1}
}

func (c *Conn) connectedFrame() *codec.Frame {
	return codec.New(codec.Connected,
		codec.HdrVersion, codec.V12.String(),
		codec.HdrServer, "stampede-multicast",
		codec.HdrSession, c.instance,
		codec.HdrHeartBeat, "0,0",
	)
}

// Disconnect leaves the group and finishes the connection. Open
// transactions are discarded. In order: the OnDisconnecting listeners run
// (Disconnect waits for them, so they run while the member is still in the
// group), the group is left and the reader joined, messages already queued
// are delivered, then OnDisconnected(nil) and OnClosed run and the
// dispatcher is joined. When ctx ends first, Disconnect stops waiting for
// listeners and handlers: the group is left anyway, queued messages are
// discarded, OnDisconnected gets ctx's error, and Disconnect returns that
// error (the dispatcher then finishes as soon as the handler it runs
// returns; Close waits for it). A connection that is not connected gives
// [ErrNotConnected]. Safe for concurrent use, but not from a listener or
// handler (see [Conn]).
func (c *Conn) Disconnect(ctx context.Context) error {
	if ctx.Value(handlerKey{}) == c {
		return ErrCalledFromHandler
	}
	if !c.status.CompareAndSwap(int32(StatusConnected), int32(StatusDisconnecting)) {
		return ErrNotConnected
	}
	c.mu.Lock()
	if n := len(c.txs); n > 0 {
		c.cfg.logger.Info("multicast: disconnecting discards open transactions", "count", n)
	}
	clear(c.txs)
	c.mu.Unlock()

	var failed error
	done := make(chan struct{})
	if failed = c.post(ctx, event{kind: evDisconnecting, done: done}); failed == nil {
		select {
		case <-done:
		case <-ctx.Done():
			failed = ctx.Err()
		}
	}
	stopErr := c.tr.Stop()
	<-c.readerDone
	if failed == nil {
		failed = c.post(ctx, event{kind: evDisconnected})
	}
	if failed == nil {
		failed = c.post(ctx, event{kind: evClosed})
	}
	if failed != nil {
		c.abortWith(failed)
		c.cancel() // help a handler that is still running to finish
	}
	select {
	case <-c.dispatchDone:
	case <-ctx.Done():
		if failed == nil {
			failed = ctx.Err()
		}
	}
	c.cancel()
	c.status.Store(int32(StatusClosed))
	if failed != nil {
		return failed
	}
	return stopErr
}

// Close disconnects (as Disconnect with no deadline) if the connection is
// connected, and otherwise waits until the goroutines of the connection
// are gone. It is idempotent and returns nil when the connection was
// already disconnected. Safe for concurrent use, but not from a listener
// or handler (see [Conn]).
func (c *Conn) Close() error {
	err := c.Disconnect(context.Background())
	if errors.Is(err, ErrNotConnected) {
		<-c.dispatchDone
		return nil
	}
	return err
}

func (c *Conn) abortWith(err error) {
	c.abortOnce.Do(func() {
		c.abortErr = err
		close(c.abort)
	})
}

// Status returns where the connection is in its life. Safe for concurrent
// use.
func (c *Conn) Status() Status { return Status(c.status.Load()) }

// Version returns the STOMP version frames are encoded with: always 1.2.
func (c *Conn) Version() codec.Version { return codec.V12 }

// InstanceID returns the random id of this member, which its frames carry
// in the [HdrSender] header and its CONNECTED frame in the session header.
func (c *Conn) InstanceID() string { return c.instance }

// Group returns the group's address and port.
func (c *Conn) Group() netip.AddrPort { return c.tr.Group() }

// Stats returns the counters of the connection. Safe for concurrent use.
func (c *Conn) Stats() Stats { return c.stats.snapshot() }

// Ack acknowledges a message: a local no-op that succeeds, since no broker
// waits for it (it exists so that code written for a broker, and
// middleware such as AckOnSuccess, works unchanged). Safe for concurrent
// use.
func (c *Conn) Ack(context.Context, *handlers.Message) error { return nil }

// Nack rejects a message: a local no-op that succeeds, like [Conn.Ack];
// nothing is redelivered.
func (c *Conn) Nack(context.Context, *handlers.Message) error { return nil }

var _ handlers.Acknowledger = (*Conn)(nil)

func (c *Conn) connected() error {
	if c.Status() != StatusConnected {
		return ErrNotConnected
	}
	return nil
}
