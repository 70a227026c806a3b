package broker

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// Option configures a broker. Options are applied in order by [Start], on
// its caller's goroutine; the first one that fails stops it with an error
// wrapping [ErrInvalidOption]. Nothing reachable from a running broker
// changes its configuration.
type Option func(*config) error

// Defaults of the options.
const (
	// DefaultListen is the address [Start] listens on without [WithListen]:
	// a free port on the loopback interface.
	DefaultListen = "127.0.0.1:0"
	// DefaultMaxPending is the default backlog limit of a topic subscriber
	// that does not keep up (see [WithMaxPending]).
	DefaultMaxPending = 10000
	// DefaultConnectTimeout is how long a new connection may take to send
	// CONNECT (see [WithConnectTimeout]).
	DefaultConnectTimeout = 30 * time.Second
	// HeartBeatGrace is the factor applied to the negotiated client
	// heart-beat interval before the broker gives up on a silent client,
	// as RabbitMQ does (two missed beats).
	HeartBeatGrace = 2
)

// config is the private, immutable-after-Start configuration.
type config struct {
	listen         string
	auth           func(login, passcode string) bool
	hosts          []string
	heartBeat      codec.HeartBeat
	mirrorBeats    bool
	limits         codec.Limits
	maxPending     int
	highWater      int
	loops          int
	logger         *slog.Logger
	versions       []codec.Version
	connectTimeout time.Duration
	extra          []listenerSpec // TLS and WebSocket listeners
}

func defaultConfig() config {
	return config{
		listen:         DefaultListen,
		maxPending:     DefaultMaxPending,
		highWater:      loop.DefaultHighWater,
		loops:          min(runtime.NumCPU(), 8),
		logger:         slog.New(slog.DiscardHandler),
		versions:       append([]codec.Version(nil), codec.Versions...),
		connectTimeout: DefaultConnectTimeout,
	}
}

func (c *config) apply(opts []Option) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return err
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// WithListen sets the TCP address to listen on, as "host:port" or
// "tcp://host:port" (default [DefaultListen], "127.0.0.1:0": port 0 picks a
// free port, which [Broker.Addr] reports). Other schemes are refused: TLS
// and WebSocket listeners get options of their own.
func WithListen(address string) Option {
	return func(c *config) error {
		addr, err := parseListen(address)
		if err != nil {
			return err
		}
		c.listen = addr
		return nil
	}
}

// parseListen accepts "host:port" and "tcp://host:port".
func parseListen(address string) (string, error) {
	rest := address
	if scheme, after, ok := strings.Cut(address, "://"); ok {
		if scheme != "tcp" {
			return "", invalid("listen address %q: scheme %q is not a TCP listener", address, scheme)
		}
		rest = after
	}
	rest = strings.TrimSuffix(rest, "/")
	if _, _, err := net.SplitHostPort(rest); err != nil {
		return "", invalid("listen address %q: %v", address, err)
	}
	return rest, nil
}

// WithAuth makes the broker accept only connections whose CONNECT carries
// this login and passcode; any other gets an ERROR ("access refused") and
// is closed. Default: no authentication, every login is accepted.
func WithAuth(login, passcode string) Option {
	return func(c *config) error {
		c.auth = func(l, p string) bool {
			okL := subtle.ConstantTimeCompare([]byte(l), []byte(login))
			okP := subtle.ConstantTimeCompare([]byte(p), []byte(passcode))
			return okL&okP == 1
		}
		return nil
	}
}

// WithAuthenticator makes fn decide whether a CONNECT's login and passcode
// are accepted. fn runs on an event loop, for every CONNECT, and must be
// fast and safe for concurrent use.
func WithAuthenticator(fn func(login, passcode string) bool) Option {
	return func(c *config) error {
		if fn == nil {
			return invalid("nil authenticator")
		}
		c.auth = fn
		return nil
	}
}

// WithHosts restricts the virtual hosts a CONNECT may name in its host
// header; another host gets an ERROR ("unknown virtual host") and is closed,
// as RabbitMQ does with an unknown vhost. A CONNECT without host is accepted.
// Default: every host is accepted.
func WithHosts(hosts ...string) Option {
	return func(c *config) error {
		if len(hosts) == 0 {
			return invalid("WithHosts without a host")
		}
		c.hosts = append([]string(nil), hosts...)
		return nil
	}
}

// WithHeartBeat sets the broker's own heart-beat header (STOMP 1.1+): send
// is how often it can send heart-beats, receive how often it wants them.
// Each connection then negotiates as the specification says: the broker
// sends every max(send, client's receive) and expects data every
// max(client's send, receive), where a zero on either side disables that
// direction; a client silent for [HeartBeatGrace] times the interval is
// closed. Default 0,0: whatever the client asks, no heart-beats either way
// (the CONNECTED frame says heart-beat:0,0). See [WithMirroredHeartBeat]
// for RabbitMQ's behaviour.
func WithHeartBeat(send, receive time.Duration) Option {
	return func(c *config) error {
		if send < 0 || receive < 0 {
			return invalid("negative heart-beat %v,%v", send, receive)
		}
		if send%time.Millisecond != 0 || receive%time.Millisecond != 0 {
			return invalid("heart-beat %v,%v is not whole milliseconds", send, receive)
		}
		c.heartBeat = codec.HeartBeat{Send: send, Receive: receive}
		c.mirrorBeats = false
		return nil
	}
}

// WithMirroredHeartBeat answers every CONNECT with the client's heart-beat
// header reversed, as RabbitMQ does: the broker sends at the rate the
// client wants to receive and expects the rate the client offers to send,
// so both directions run exactly as the client asked. It replaces
// [WithHeartBeat].
func WithMirroredHeartBeat() Option {
	return func(c *config) error {
		c.mirrorBeats = true
		c.heartBeat = codec.HeartBeat{}
		return nil
	}
}

// WithLimits sets what the broker accepts from a client: frame size,
// header count, header line length, body size (default
// [codec.DefaultLimits]). A client that breaks one gets an ERROR and is
// closed; the others are not affected.
func WithLimits(l codec.Limits) Option {
	return func(c *config) error {
		if l.MaxFrameSize < 0 || l.MaxBodySize < 0 || l.MaxHeaders < 0 || l.MaxHeaderLine < 0 {
			return invalid("negative limit in %+v", l)
		}
		c.limits = l
		return nil
	}
}

// WithMaxPending bounds the messages a topic subscription may have waiting
// in the broker because its client reads too slowly (its outbound buffer
// is past the high-water mark, or its prefetch window is full). Past n the
// client gets an ERROR ("slow consumer") and is closed; other subscribers
// keep receiving. Queues keep undelivered messages in the queue instead.
// Default [DefaultMaxPending].
func WithMaxPending(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalid("max pending %d (min 1)", n)
		}
		c.maxPending = n
		return nil
	}
}

// WithHighWater sets each connection's outbound high-water mark in bytes
// (default [loop.DefaultHighWater], 4 MiB): past it, the broker stops
// handing messages to that connection until it drains to half.
func WithHighWater(n int) Option {
	return func(c *config) error {
		if n < 4<<10 {
			return invalid("high-water mark %d bytes (min 4 KiB)", n)
		}
		c.highWater = n
		return nil
	}
}

// WithLoops sets the number of event loops (default: the number of CPUs,
// at most 8).
func WithLoops(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 256 {
			return invalid("%d event loops (1..256)", n)
		}
		c.loops = n
		return nil
	}
}

// WithLogger sets the logger (default: discard). Connection events are
// logged at debug level, protocol errors at info.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalid("nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithVersions sets the STOMP versions the broker speaks (default 1.0, 1.1
// and 1.2). A CONNECT that offers none of them gets an ERROR.
func WithVersions(vs ...codec.Version) Option {
	return func(c *config) error {
		if len(vs) == 0 {
			return invalid("WithVersions without a version")
		}
		for _, v := range vs {
			if !v.Valid() {
				return invalid("STOMP version %d", v)
			}
		}
		c.versions = append([]codec.Version(nil), vs...)
		return nil
	}
}

// WithConnectTimeout sets how long a new connection may stay without
// sending CONNECT before it gets an ERROR and is closed (default
// [DefaultConnectTimeout]).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalid("connect timeout %v", d)
		}
		c.connectTimeout = d
		return nil
	}
}
