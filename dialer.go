package stampede

import (
	"context"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// Dialer makes connections that share one configuration: options are
// checked once, and the connections hold a pointer to them instead of a
// copy each, which matters to a program that opens thousands. A Dialer is
// immutable and safe for concurrent use.
type Dialer struct {
	cfg *config
}

// NewDialer checks opts and returns a Dialer that applies them to every
// connection it makes. An option that cannot apply is an error wrapping
// [ErrInvalidOption].
func NewDialer(opts ...Option) (*Dialer, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.stompCommand {
		for _, v := range cfg.versions {
			if v == codec.V10 {
				return nil, invalidOption("the STOMP command needs a version list without 1.0 (CONF-23)")
			}
		}
	}
	if cfg.engine == nil {
		var err error
		if cfg.engine, err = DefaultEngine(); err != nil {
			return nil, err
		}
	}
	cfg.buildSendChain()
	cfg.transports.finished = &tlsCache{}
	return &Dialer{cfg: &cfg}, nil
}

// New makes a connection to address without connecting it (see [New]).
func (d *Dialer) New(address string) (*Conn, error) {
	eps, err := endpointsFor(address, d.cfg.order)
	if err != nil {
		return nil, err
	}
	cfg := d.cfg
	c := &Conn{
		cfg:       cfg,
		eng:       cfg.engine,
		exec:      cfg.executor,
		key:       connKeys.Add(1),
		endpoints: eps,
	}
	if c.exec == nil {
		c.exec = c.eng.le.Executor()
	}
	if len(cfg.listeners) > 0 {
		ls := append([]namedListener(nil), cfg.listeners...)
		c.listeners.Store(&ls)
	}
	if len(cfg.middleware) > 0 {
		mw := append([]handlers.Middleware(nil), cfg.middleware...)
		c.mw.Store(&mw)
	}
	return c, nil
}

// Dial connects to address (see [Dial]).
func (d *Dialer) Dial(ctx context.Context, address string) (*Conn, error) {
	c, err := d.New(address)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// middleware returns the connection-wide middleware.
func (c *Conn) middleware() []handlers.Middleware {
	if p := c.mw.Load(); p != nil {
		return *p
	}
	return nil
}
