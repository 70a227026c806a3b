// Package target chooses the broker an example talks to, the same way in
// every example: -url names one (RabbitMQ, ActiveMQ, a `stampede broker`),
// and without -url the example starts the embedded broker in its own
// process on a free loopback port, so that it runs with nothing installed.
// -login, -passcode and -vhost go into CONNECT; with the embedded broker,
// -login makes it require those credentials and -vhost makes it accept
// only that virtual host, so the flags are exercised either way.
//
// It is not part of stampede's API: it keeps the examples' own code about
// the thing each one shows.
package target

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
)

// Flags are the broker flags every example has.
type Flags struct {
	URL      string
	Login    string
	Passcode string
	VHost    string
}

// Register defines -url, -login, -passcode and -vhost on fs.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.URL, "url", "", `broker address, e.g. tcp://localhost:61613, ssl://host:61614, ws://localhost:15674/ws (default: start the embedded broker in this process)`)
	fs.StringVar(&f.Login, "login", "", "login of CONNECT (RabbitMQ and ActiveMQ ship with guest/guest and admin/admin)")
	fs.StringVar(&f.Passcode, "passcode", "", "passcode of CONNECT")
	fs.StringVar(&f.VHost, "vhost", "", `virtual host of CONNECT's host header (RabbitMQ: "/"; default: the host name dialed)`)
	return f
}

// Options returns the connection options the flags ask for.
func (f *Flags) Options() []stampede.Option {
	var opts []stampede.Option
	if f.Login != "" || f.Passcode != "" {
		opts = append(opts, stampede.WithLogin(f.Login, f.Passcode))
	}
	if f.VHost != "" {
		opts = append(opts, stampede.WithHost(f.VHost))
	}
	return opts
}

// Target is the broker an example uses.
type Target struct {
	// URL is the address to dial.
	URL string
	// Embedded is the broker started in this process, or nil when -url
	// named one.
	Embedded *broker.Broker
}

// Open returns the broker -url names or, without -url, starts the embedded
// broker with a listener of the given scheme: "tcp", "ssl" (a self-signed
// certificate, trusted through Embedded.RootCAs) or "ws". opts are added
// to the embedded broker's options.
func (f *Flags) Open(scheme string, opts ...broker.Option) (*Target, error) {
	if f.URL != "" {
		return &Target{URL: f.URL}, nil
	}
	opts = append([]broker.Option{broker.WithListen("127.0.0.1:0")}, opts...)
	switch scheme {
	case "tcp":
	case "ssl":
		opts = append(opts, broker.WithTLSListener("127.0.0.1:0", nil))
	case "ws":
		opts = append(opts, broker.WithWebSocketListener("ws://127.0.0.1:0/ws", nil))
	default:
		return nil, fmt.Errorf("target: no embedded listener for scheme %q", scheme)
	}
	if f.Login != "" || f.Passcode != "" {
		opts = append(opts, broker.WithAuth(f.Login, f.Passcode))
	}
	if f.VHost != "" {
		opts = append(opts, broker.WithHosts(f.VHost))
	}
	b, err := broker.Start(opts...)
	if err != nil {
		return nil, err
	}
	return &Target{URL: b.URLFor(scheme), Embedded: b}, nil
}

// String says which broker this is, for the example's first line.
func (t *Target) String() string {
	if t.Embedded != nil {
		return "embedded broker at " + t.URL
	}
	return t.URL
}

// Close shuts the embedded broker down gracefully (its connections are
// flushed, then closed), waiting at most 5 s; with -url it does nothing.
func (t *Target) Close() {
	if t.Embedded == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = t.Embedded.Shutdown(ctx)
}
