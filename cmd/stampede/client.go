package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

// stompClient is what the shell and the one-shot commands need of a
// connection: a broker connection (package stampede) or a member of a
// multicast group (package multicast), which share a programming model but
// not their option types. Methods are safe for concurrent use.
type stompClient interface {
	// send sends body to dest with the extra headers h, within tx when it
	// is not nil; with receipt it waits for the receipt and returns its id.
	send(ctx context.Context, dest string, body []byte, h codec.Header, tx clientTx, receipt bool) (string, error)
	// subscribe subscribes h to dest and returns how to unsubscribe. On a
	// broker it returns once the broker confirmed the subscription.
	subscribe(ctx context.Context, dest string, o subscribeSpec, h handlers.Handler) (func(context.Context) error, error)
	// begin opens a transaction.
	begin(ctx context.Context) (clientTx, error)
	// acknowledge acks (or nacks) m, within tx when it is not nil.
	acknowledge(ctx context.Context, m *handlers.Message, tx clientTx, nack bool) error
	setListener(name string, l handlers.Listener)
	removeListener(name string)
	listener(name string) handlers.Listener
	// version is the negotiated protocol version.
	version() codec.Version
	// connected is the CONNECTED frame (a synthetic one for multicast).
	connected() *codec.Frame
	// disconnect says goodbye and releases everything; it is the last call.
	disconnect(ctx context.Context) error
}

// subscribeSpec describes a SUBSCRIBE.
type subscribeSpec struct {
	id       string
	ack      string // auto, client or client-individual
	prefetch int    // 0: the broker's default
}

// clientTx is an open transaction. commit and abort wait for the
// broker's receipt, so that what follows sees their effect.
type clientTx interface {
	ID() string
	commit(ctx context.Context) error
	abort(ctx context.Context) error
}

// multicastFlags choose the multicast adapter instead of a broker.
type multicastFlags struct {
	on    bool
	group string
	port  int
	iface string
}

func (f *multicastFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "multicast", false, "no broker: join a UDP multicast group (stomp.py's MulticastConnection)")
	fs.StringVar(&f.group, "multicast-group", multicast.DefaultGroup, "multicast group, with --multicast")
	fs.IntVar(&f.port, "multicast-port", multicast.DefaultPort, "multicast UDP port, with --multicast")
	fs.StringVar(&f.iface, "multicast-interface", "", "network interface to join on, e.g. lo (default: the system's choice)")
}

// dialSpec is everything a command connects with.
type dialSpec struct {
	conn      *connFlags
	mc        *multicastFlags
	listeners []namedListener // added before connecting, in order
	logger    *slog.Logger    // the libraries' warnings
	onError   func(m *handlers.Message, err error)
}

type namedListener struct {
	name string
	l    handlers.Listener
}

// log returns the logger for the libraries' warnings (default: none).
func (d dialSpec) log() *slog.Logger {
	if d.logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.logger
}

// where returns a printable description of what spec connects to; a
// password in --url is masked.
func (d dialSpec) where() string {
	if d.mc.on {
		return fmt.Sprintf("multicast group %s:%d", d.mc.group, d.mc.port)
	}
	addr, err := d.conn.address()
	if err != nil {
		return "?"
	}
	if u, err := url.Parse(addr); err == nil && u.User != nil {
		return u.Redacted()
	}
	return addr
}

// check reports a flag value that cannot work, before anything connects:
// a usage error rather than a connection failure.
func (d dialSpec) check() error {
	if d.mc.on {
		_, err := d.multicastOptions()
		return err
	}
	if _, err := d.conn.address(); err != nil {
		return err
	}
	_, err := d.conn.options()
	return err
}

func (d dialSpec) multicastOptions() ([]multicast.Option, error) {
	// Dial validates these too, but only once it runs: checked here, a bad
	// value is a usage error (exit 2), not a failure to join (exit 1).
	if a, err := netip.ParseAddr(d.mc.group); err != nil || !a.Is4() || !a.IsMulticast() {
		return nil, fmt.Errorf("--multicast-group %q: want an IPv4 multicast address (224.0.0.0/4)", d.mc.group)
	}
	if d.mc.port < 1 || d.mc.port > 65535 {
		return nil, fmt.Errorf("--multicast-port %d: want 1-65535", d.mc.port)
	}
	opts := []multicast.Option{multicast.WithGroup(d.mc.group), multicast.WithPort(d.mc.port), multicast.WithLogger(d.log())}
	if d.mc.iface != "" {
		if _, err := net.InterfaceByName(d.mc.iface); err != nil {
			return nil, fmt.Errorf("--multicast-interface %q: %w", d.mc.iface, err)
		}
		opts = append(opts, multicast.WithInterface(d.mc.iface))
	}
	for _, nl := range d.listeners {
		opts = append(opts, multicast.WithListener(nl.name, nl.l))
	}
	return opts, nil
}

// dialClient connects as spec says.
func dialClient(ctx context.Context, d dialSpec) (stompClient, error) {
	if d.mc.on {
		opts, err := d.multicastOptions()
		if err != nil {
			return nil, err
		}
		c, err := multicast.Dial(ctx, opts...)
		if err != nil {
			return nil, err
		}
		return &groupClient{c: c}, nil
	}
	addr, err := d.conn.address()
	if err != nil {
		return nil, err
	}
	opts, err := d.conn.options()
	if err != nil {
		return nil, err
	}
	eng, err := stampede.NewEngine(stampede.WithLoops(1), stampede.WithEngineLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	opts = append(opts, stampede.WithEngine(eng), stampede.WithLogger(d.log()))
	if d.onError != nil {
		opts = append(opts, stampede.WithErrorHandler(d.onError))
	}
	for _, nl := range d.listeners {
		opts = append(opts, stampede.WithListener(nl.name, nl.l))
	}
	c, err := stampede.Dial(ctx, addr, opts...)
	if err != nil {
		_ = eng.Close()
		return nil, err
	}
	return &brokerClient{c: c, eng: eng}, nil
}

// brokerClient is a client on a STOMP broker.
type brokerClient struct {
	c   *stampede.Conn
	eng *stampede.Engine
}

func (b *brokerClient) send(ctx context.Context, dest string, body []byte, h codec.Header, tx clientTx, receipt bool) (string, error) {
	// A frame of our own rather than Conn.Send: SendFrame sets the receipt
	// header on it, which tells us the receipt's id.
	f := &codec.Frame{Command: codec.Send, Header: make(codec.Header, 0, len(h)+3), Body: body}
	f.Header.Add(codec.HdrDestination, dest)
	for _, fl := range h {
		if fl.Key != codec.HdrDestination && fl.Key != codec.HdrReceipt && fl.Key != codec.HdrContentLength {
			f.Header.Add(fl.Key, fl.Value)
		}
	}
	if tx != nil {
		f.Header.Set(codec.HdrTransaction, tx.ID())
	}
	if err := b.c.SendFrame(ctx, f, receipt); err != nil {
		return "", err
	}
	return f.Header.Get(codec.HdrReceipt), nil
}

func (b *brokerClient) subscribe(ctx context.Context, dest string, o subscribeSpec, h handlers.Handler) (func(context.Context) error, error) {
	opts := []stampede.SubscribeOption{stampede.WithAck(stampede.AckMode(o.ack)), stampede.WithSubscribeReceipt()}
	if o.id != "" {
		opts = append(opts, stampede.WithID(o.id))
	}
	if o.prefetch > 0 {
		opts = append(opts, stampede.WithPrefetch(o.prefetch))
	}
	s, err := b.c.Subscribe(ctx, dest, h, opts...)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return s.Unsubscribe(ctx, true) }, nil
}

func (b *brokerClient) begin(ctx context.Context) (clientTx, error) {
	tx, err := b.c.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return brokerTx{tx}, nil
}

func (b *brokerClient) acknowledge(ctx context.Context, m *handlers.Message, tx clientTx, nack bool) error {
	if t, ok := tx.(brokerTx); ok {
		if nack {
			return t.tx.Nack(ctx, m)
		}
		return t.tx.Ack(ctx, m)
	}
	if nack {
		return m.Nack(ctx)
	}
	return m.Ack(ctx)
}

func (b *brokerClient) setListener(name string, l handlers.Listener) { b.c.SetListener(name, l) }
func (b *brokerClient) removeListener(name string)                   { b.c.RemoveListener(name) }
func (b *brokerClient) listener(name string) handlers.Listener       { return b.c.Listener(name) }
func (b *brokerClient) version() codec.Version                       { return b.c.Version() }
func (b *brokerClient) connected() *codec.Frame                      { return b.c.Connected() }

func (b *brokerClient) disconnect(ctx context.Context) error {
	err := b.c.Disconnect(ctx)
	_ = b.c.Close()
	if cerr := b.eng.Close(); err == nil {
		err = cerr
	}
	return err
}

// brokerTx is a broker transaction whose end waits for the receipt.
type brokerTx struct{ tx *stampede.Transaction }

func (t brokerTx) ID() string                       { return t.tx.ID() }
func (t brokerTx) commit(ctx context.Context) error { return t.tx.Commit(ctx, true) }
func (t brokerTx) abort(ctx context.Context) error  { return t.tx.Abort(ctx, true) }

// groupClient is a client in a multicast group: subscriptions, receipts
// and transactions are local to this member (see package multicast).
type groupClient struct {
	c        *multicast.Conn
	receipts atomic.Uint64
}

func (g *groupClient) send(ctx context.Context, dest string, body []byte, h codec.Header, tx clientTx, receipt bool) (string, error) {
	opts := make([]multicast.SendOption, 0, len(h)+3)
	for _, fl := range h {
		if fl.Key != codec.HdrDestination && fl.Key != codec.HdrReceipt && fl.Key != codec.HdrContentLength && fl.Key != codec.HdrTransaction {
			opts = append(opts, multicast.WithHeader(fl.Key, fl.Value))
		}
	}
	if tx != nil {
		opts = append(opts, multicast.WithTransaction(tx.ID()))
	}
	var id string
	if receipt {
		id = "receipt-" + strconv.FormatUint(g.receipts.Add(1), 10)
		opts = append(opts, multicast.WithReceipt(), multicast.WithHeader(codec.HdrReceipt, id))
	}
	return id, g.c.Send(ctx, dest, body, opts...)
}

func (g *groupClient) subscribe(ctx context.Context, dest string, o subscribeSpec, h handlers.Handler) (func(context.Context) error, error) {
	opts := []multicast.SubscribeOption{multicast.WithAck(o.ack)}
	if o.id != "" {
		opts = append(opts, multicast.WithID(o.id))
	}
	s, err := g.c.Subscribe(ctx, dest, h, opts...)
	if err != nil {
		return nil, err
	}
	return s.Unsubscribe, nil
}

func (g *groupClient) begin(ctx context.Context) (clientTx, error) {
	tx, err := g.c.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return groupTx{tx}, nil
}

func (g *groupClient) acknowledge(ctx context.Context, m *handlers.Message, _ clientTx, nack bool) error {
	if nack {
		return g.c.Nack(ctx, m)
	}
	return g.c.Ack(ctx, m)
}

func (g *groupClient) setListener(name string, l handlers.Listener) { g.c.SetListener(name, l) }
func (g *groupClient) removeListener(name string)                   { g.c.RemoveListener(name) }
func (g *groupClient) listener(name string) handlers.Listener       { return g.c.Listener(name) }
func (g *groupClient) version() codec.Version                       { return g.c.Version() }

func (g *groupClient) connected() *codec.Frame {
	return codec.New(codec.Connected,
		codec.HdrVersion, g.c.Version().String(),
		codec.HdrServer, "stampede-multicast",
		codec.HdrSession, g.c.InstanceID(),
		"group", g.c.Group().String())
}

func (g *groupClient) disconnect(ctx context.Context) error {
	err := g.c.Disconnect(ctx)
	if cerr := g.c.Close(); err == nil {
		err = cerr
	}
	return err
}

// groupTx is a multicast transaction.
type groupTx struct{ tx *multicast.Transaction }

func (t groupTx) ID() string                       { return t.tx.ID() }
func (t groupTx) commit(ctx context.Context) error { return t.tx.Commit(ctx) }
func (t groupTx) abort(ctx context.Context) error  { return t.tx.Abort(ctx) }
