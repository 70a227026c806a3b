package drivers

import (
	"context"
	"crypto/tls"

	"github.com/go-stomp/stomp/v3"
)

// goStomp is go-stomp v3 used as its documentation shows: one Dial per
// connection, and a goroutine per subscription that reads its channel.
type goStomp struct{}

func (goStomp) Name() string { return "go-stomp" }

func (goStomp) Dial(ctx context.Context, p Peer, o DialOptions) (Client, error) {
	opts := []func(*stomp.Conn) error{
		stomp.ConnOpt.HeartBeat(o.HeartBeat, o.HeartBeat),
		stomp.ConnOpt.Logger(quiet{}),
	}
	if p.Login != "" {
		opts = append(opts, stomp.ConnOpt.Login(p.Login, p.Passcode))
	}
	if p.VHost != "" {
		opts = append(opts, stomp.ConnOpt.Host(p.VHost))
	}
	if p.TLS != nil {
		return dialGoStompTLS(ctx, p, opts)
	}
	c, err := stomp.DialWithContext(ctx, "tcp", p.Addr, opts...)
	if err != nil {
		return nil, err
	}
	return goStompClient{c}, nil
}

// dialGoStompTLS is go-stomp over TLS as its documentation shows: the
// application dials the TLS connection (here under ctx) and hands it to
// Connect. The host header defaults to the peer's IP, as with stomp.Dial.
func dialGoStompTLS(ctx context.Context, p Peer, opts []func(*stomp.Conn) error) (Client, error) {
	d := tls.Dialer{Config: p.TLS}
	nc, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return nil, err
	}
	c, err := stomp.ConnectWithContext(ctx, nc, opts...)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return goStompClient{c}, nil
}

func (goStomp) Close() error { return nil }

type goStompClient struct{ c *stomp.Conn }

func (g goStompClient) Send(dest string, body []byte) error {
	return g.c.Send(dest, "", body)
}

func (g goStompClient) SendReceipt(dest string, body []byte) error {
	return g.c.Send(dest, "", body, stomp.SendOpt.Receipt)
}

func (g goStompClient) Subscribe(dest string, onMessage func()) error {
	sub, err := g.c.Subscribe(dest, stomp.AckAuto)
	if err != nil {
		return err
	}
	go func() {
		for m := range sub.C {
			if m.Err == nil {
				onMessage()
			}
		}
	}()
	return nil
}

func (g goStompClient) Close() error { return g.c.MustDisconnect() }

// quiet drops go-stomp's log lines (it logs every subscription closed by
// MustDisconnect), as the stampede driver discards its own.
type quiet struct{}

func (quiet) Debugf(string, ...any)   {}
func (quiet) Infof(string, ...any)    {}
func (quiet) Warningf(string, ...any) {}
func (quiet) Errorf(string, ...any)   {}
func (quiet) Debug(string)            {}
func (quiet) Info(string)             {}
func (quiet) Warning(string)          {}
func (quiet) Error(string)            {}
