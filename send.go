package stampede

import (
	"context"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// SendOption configures one Send.
type SendOption func(*sendConfig)

type sendConfig struct {
	header      codec.Header
	receipt     bool
	omitLength  bool
	transaction string
	contentType string
}

// WithHeader adds a header to the frame.
func WithHeader(key, value string) SendOption {
	return func(s *sendConfig) { s.header = append(s.header, codec.Field{Key: key, Value: value}) }
}

// WithHeaders adds headers to the frame.
func WithHeaders(h codec.Header) SendOption {
	return func(s *sendConfig) { s.header = append(s.header, h...) }
}

// WithContentType sets the content-type header ("text/plain",
// "application/json;charset=utf-8"). Without one the body is binary
// (CONF-17).
func WithContentType(ct string) SendOption {
	return func(s *sendConfig) { s.contentType = ct }
}

// WithReceipt makes the call wait for the server's RECEIPT, under its
// context (or the connection's receipt timeout when the context has no
// deadline).
func WithReceipt() SendOption { return func(s *sendConfig) { s.receipt = true } }

// WithoutContentLength leaves content-length out of this SEND (CONF-15):
// ActiveMQ then makes a text message. A body containing NUL cannot be sent
// this way.
func WithoutContentLength() SendOption { return func(s *sendConfig) { s.omitLength = true } }

// WithTransaction sends the frame within a transaction; Transaction.Send
// does this for you.
func WithTransaction(tx *Transaction) SendOption {
	return func(s *sendConfig) {
		if tx != nil {
			s.transaction = tx.id
		}
	}
}

// Send sends body to destination (a SEND frame). It returns when the frame
// is queued for the event loop, or, with [WithReceipt], when the server
// confirmed it. While the connection is reconnecting or its outbound buffer
// is full, Send waits under ctx (or fails at once under [WithFailFast]).
func (c *Conn) Send(ctx context.Context, destination string, body []byte, opts ...SendOption) error {
	if destination == "" {
		return ErrNoDestination // CONF-50: nothing is written
	}
	if len(opts) == 0 && c.plain() {
		// The common case: no options, listeners or hooks. The frame stays
		// on this goroutine's stack and is encoded straight into the outbox.
		s, err := c.live(ctx)
		if err != nil {
			return err
		}
		var fields [1]codec.Field
		f := codec.Frame{Command: codec.Send, Header: fields[:0], Body: body}
		f.Header = append(f.Header, codec.Field{Key: codec.HdrDestination, Value: destination})
		return s.write(ctx, &f, s.enc)
	}
	sc := &sendConfig{}
	for _, o := range opts {
		o(sc)
	}
	f := &codec.Frame{Command: codec.Send, Header: make(codec.Header, 0, 3+len(sc.header)), Body: body}
	f.Header = append(f.Header, codec.Field{Key: codec.HdrDestination, Value: destination})
	if sc.contentType != "" {
		f.Header = append(f.Header, codec.Field{Key: codec.HdrContentType, Value: sc.contentType})
	}
	if sc.transaction != "" {
		f.Header = append(f.Header, codec.Field{Key: codec.HdrTransaction, Value: sc.transaction})
	}
	f.Header = append(f.Header, sc.header...)
	return c.sendFrame(ctx, f, sc.receipt, sc.omitLength)
}

// plain reports whether sends need neither listeners nor hooks.
func (c *Conn) plain() bool {
	return len(c.listenerList()) == 0 && c.cfg.sendChain == nil
}

// SendFrame sends a frame the caller built (any client command but CONNECT
// and DISCONNECT, which the connection owns). withReceipt adds a receipt
// header and waits for it.
func (c *Conn) SendFrame(ctx context.Context, f *codec.Frame, withReceipt bool) error {
	switch f.Command {
	case codec.Connect, codec.Stomp, codec.Disconnect:
		return invalidOption("%s is sent by the connection itself", f.Command)
	case codec.Send, codec.Subscribe:
		if f.Header.Get(codec.HdrDestination) == "" {
			return ErrNoDestination
		}
	}
	return c.sendFrame(ctx, f, withReceipt, false)
}

// sendFrame runs a frame through OnSend listeners and the send hooks to the
// session, and waits for its receipt if asked.
func (c *Conn) sendFrame(ctx context.Context, f *codec.Frame, withReceipt, omitLength bool) error {
	s, err := c.live(ctx)
	if err != nil {
		return err
	}
	var ch chan error
	var id string
	if withReceipt {
		id = c.nextReceipt()
		f.Header.Set(codec.HdrReceipt, id)
		if ch, err = s.receipts.expect(id, false); err != nil {
			return err
		}
	}
	if ls := c.listenerList(); len(ls) > 0 {
		for _, nl := range ls {
			nl.l.OnSend(f)
		}
	}
	if hooks := c.cfg.sendChain; hooks != nil {
		err = hooks(withSession(ctx, s, omitLength), f)
	} else {
		enc := s.enc
		enc.OmitContentLength = enc.OmitContentLength || omitLength
		err = s.write(ctx, f, enc)
	}
	if err != nil {
		if withReceipt {
			s.receipts.forget(id)
		}
		return err
	}
	if withReceipt {
		return c.awaitReceipt(ctx, s, id, ch, c.cfg.receiptTimeout)
	}
	return nil
}

// buildSendChain compiles the send hooks once per configuration; with
// none, sends skip the chain entirely.
func (cfg *config) buildSendChain() {
	if len(cfg.sendHooks) == 0 {
		return
	}
	base := handlers.SendFunc(func(ctx context.Context, f *codec.Frame) error {
		s, omit := sessionFrom(ctx)
		if s == nil {
			return ErrNotConnected
		}
		enc := s.enc
		enc.OmitContentLength = enc.OmitContentLength || omit
		return s.write(ctx, f, enc)
	})
	cfg.sendChain = handlers.ChainSend(base, cfg.sendHooks...)
}

type sessionKey struct{}

type sessionValue struct {
	s    *session
	omit bool
}

func withSession(ctx context.Context, s *session, omit bool) context.Context {
	return context.WithValue(ctx, sessionKey{}, sessionValue{s, omit})
}

func sessionFrom(ctx context.Context) (*session, bool) {
	v, _ := ctx.Value(sessionKey{}).(sessionValue)
	return v.s, v.omit
}
