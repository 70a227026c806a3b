package drivers

import (
	"context"
	"log/slog"
	"sync"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// stampedeLib dials every connection on one engine: a few event loops
// (one per CPU) drive them all. Handlers run inline on the loops, since the
// benchmark's handlers only count.
type stampedeLib struct {
	eng *stampede.Engine
	log *slog.Logger

	mu      sync.Mutex
	dialers map[dialerKey]*stampede.Dialer
}

// dialerKey is what the options of a connection depend on. Connections
// with the same key share one stampede.Dialer (one immutable option
// configuration), as an application opening many connections would.
type dialerKey struct {
	p Peer
	o DialOptions
}

func newStampede(loops int) (*stampedeLib, error) {
	var opts []stampede.EngineOption
	if loops > 0 {
		opts = append(opts, stampede.WithLoops(loops))
	}
	eng, err := stampede.NewEngine(opts...)
	if err != nil {
		return nil, err
	}
	return &stampedeLib{eng: eng, log: slog.New(slog.DiscardHandler)}, nil
}

func (*stampedeLib) Name() string { return "stampede" }

func (l *stampedeLib) Dial(ctx context.Context, p Peer, o DialOptions) (Client, error) {
	d, err := l.dialer(p, o)
	if err != nil {
		return nil, err
	}
	addr := p.Addr
	if p.TLS != nil {
		addr = "ssl://" + p.Addr // the scheme selects TLS; WithTLS only configures it
	}
	c, err := d.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	return stampedeClient{c}, nil
}

// dialer returns the Dialer of p and o, made on first use.
func (l *stampedeLib) dialer(p Peer, o DialOptions) (*stampede.Dialer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := dialerKey{p, o}
	if d := l.dialers[k]; d != nil {
		return d, nil
	}
	opts := []stampede.Option{
		stampede.WithEngine(l.eng),
		stampede.WithExecutor(loop.Inline{}),
		stampede.WithLogger(l.log),
		stampede.WithVersions(codec.V12),
		stampede.WithHeartBeat(o.HeartBeat, o.HeartBeat),
	}
	if p.Login != "" {
		opts = append(opts, stampede.WithLogin(p.Login, p.Passcode))
	}
	if p.VHost != "" {
		opts = append(opts, stampede.WithHost(p.VHost))
	}
	if p.TLS != nil {
		opts = append(opts, stampede.WithTLS(p.TLS))
	}
	d, err := stampede.NewDialer(opts...)
	if err != nil {
		return nil, err
	}
	if l.dialers == nil {
		l.dialers = make(map[dialerKey]*stampede.Dialer)
	}
	l.dialers[k] = d
	return d, nil
}

func (l *stampedeLib) Close() error { return l.eng.Close() }

type stampedeClient struct{ c *stampede.Conn }

func (s stampedeClient) Send(dest string, body []byte) error {
	return s.c.Send(context.Background(), dest, body)
}

func (s stampedeClient) SendReceipt(dest string, body []byte) error {
	return s.c.Send(context.Background(), dest, body, stampede.WithReceipt())
}

func (s stampedeClient) Subscribe(dest string, onMessage func()) error {
	h := stampede.HandlerFunc(func(context.Context, *stampede.Message) error {
		onMessage()
		return nil
	})
	_, err := s.c.Subscribe(context.Background(), dest, h, stampede.WithAck(stampede.AckAuto))
	return err
}

func (s stampedeClient) Close() error { return s.c.Close() }
