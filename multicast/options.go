package multicast

import (
	"log/slog"
	"net"
	"net/netip"

	"github.com/stampede-mq/stampede/handlers"
)

// Defaults of the options. The group and port are those stomp.py documents
// for its MulticastConnection (multicast_group, multicast_port).
const (
	// DefaultGroup is the multicast group joined unless [WithGroup] says
	// otherwise.
	DefaultGroup = "224.1.2.3"
	// DefaultPort is the UDP port of the group unless [WithPort] says
	// otherwise.
	DefaultPort = 61616
	// DefaultTTL keeps datagrams on the local network segment. stomp.py
	// uses 2; raise it with [WithTTL] to cross multicast routers.
	DefaultTTL = 1
	// MaxDatagramSize is the largest UDP payload IPv4 can carry (65535
	// minus the 20-byte IP header and the 8-byte UDP header), and the
	// default of [WithMaxDatagramSize]. A frame must fit in one datagram.
	MaxDatagramSize = 65507
	// DefaultQueueSize is the capacity of a connection's dispatch queue
	// (events waiting for listeners and handlers).
	DefaultQueueSize = 1024
	// DefaultBindAddress is the address the socket binds to: every local
	// address, so that the group's datagrams are received whatever
	// interface they arrive on.
	DefaultBindAddress = "0.0.0.0"
)

// socketBuffer is the receive and send buffer size asked of the kernel, so
// that a burst of large datagrams is not dropped by the socket. The kernel
// may grant less (net.core.rmem_max on Linux); that is not an error.
const socketBuffer = 4 << 20

// Option configures [Dial] and [NewTransport]. Options are applied in order
// to a private configuration that starts from the documented defaults; an
// option given an invalid value makes Dial or NewTransport fail with an
// error wrapping [ErrInvalidOption]. The socket options (group, port,
// interface, TTL, loopback, bind address, datagram size, logger) apply to
// both; the others only to a [Conn] and are ignored by a [Transport].
type Option func(*config) error

type config struct {
	group     netip.Addr
	port      int
	iface     *net.Interface // nil: the system's choice
	ttl       int
	loopback  bool
	bind      netip.Addr
	maxSize   int
	queueSize int
	logger    *slog.Logger
	listeners []namedListener
	hooks     []handlers.SendHook
}

type namedListener struct {
	name string
	l    handlers.Listener
}

func defaultConfig() config {
	return config{
		group:     netip.MustParseAddr(DefaultGroup),
		port:      DefaultPort,
		ttl:       DefaultTTL,
		loopback:  true,
		bind:      netip.MustParseAddr(DefaultBindAddress),
		maxSize:   MaxDatagramSize,
		queueSize: DefaultQueueSize,
		logger:    slog.Default(),
	}
}

func newConfig(opts []Option) (config, error) {
	c := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return config{}, err
		}
	}
	return c, nil
}

// WithGroup sets the IPv4 multicast group to join and send to (default
// [DefaultGroup]). Use an administratively scoped group (239.0.0.0/8) for
// a private application.
func WithGroup(group string) Option {
	return func(c *config) error {
		a, err := netip.ParseAddr(group)
		if err != nil {
			return invalidOption("group", "%q: %v", group, err)
		}
		a = a.Unmap()
		if !a.Is4() || !a.IsMulticast() {
			return invalidOption("group", "%q is not an IPv4 multicast address (224.0.0.0/4)", group)
		}
		c.group = a
		return nil
	}
}

// WithPort sets the UDP port of the group (default [DefaultPort]). Every
// member binds it, with address and port reuse so that many can share it.
func WithPort(port int) Option {
	return func(c *config) error {
		if port < 1 || port > 65535 {
			return invalidOption("port", "%d is not in 1..65535", port)
		}
		c.port = port
		return nil
	}
}

// WithInterface names the network interface ("eth0", "lo") on which the
// group is joined and datagrams are sent. The default, "", leaves the
// choice to the system (the interface of the default route). The interface
// must exist when the option is applied.
func WithInterface(name string) Option {
	return func(c *config) error {
		if name == "" {
			c.iface = nil
			return nil
		}
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			return invalidOption("interface", "%q: %v", name, err)
		}
		c.iface = ifi
		return nil
	}
}

// WithTTL sets the time-to-live of sent datagrams, 0..255 (default
// [DefaultTTL]). 0 keeps them on this host, 1 on the local segment.
func WithTTL(ttl int) Option {
	return func(c *config) error {
		if ttl < 0 || ttl > 255 {
			return invalidOption("ttl", "%d is not in 0..255", ttl)
		}
		c.ttl = ttl
		return nil
	}
}

// WithLoopback says whether a member receives the messages it sends itself
// (default true, as stomp.py). With false, the socket's IP_MULTICAST_LOOP is
// turned off and a [Conn] also drops any datagram carrying its own sender
// instance header, because some interfaces (lo among them) loop datagrams
// back whatever the socket option says.
//
// Beware: on a real interface IP_MULTICAST_LOOP off also hides this
// member's datagrams from other members on the same host. Members that
// share a host and must hear each other keep loopback on and filter their
// own messages by the sender header (see [HdrSender]) if they need to.
func WithLoopback(on bool) Option {
	return func(c *config) error {
		c.loopback = on
		return nil
	}
}

// WithBindAddress sets the local IPv4 address the socket binds to with the
// group's port (default [DefaultBindAddress], every address). On Linux,
// binding the group address itself limits the socket to that group's
// datagrams; binding a unicast address receives no multicast at all.
func WithBindAddress(addr string) Option {
	return func(c *config) error {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return invalidOption("bind address", "%q: %v", addr, err)
		}
		a = a.Unmap()
		if !a.Is4() {
			return invalidOption("bind address", "%q is not an IPv4 address", addr)
		}
		c.bind = a
		return nil
	}
}

// WithMaxDatagramSize bounds an encoded frame, 1..[MaxDatagramSize] bytes
// (default [MaxDatagramSize]). Sending a larger frame fails with
// [ErrFrameTooLarge]; a received datagram that is larger is reported as a
// [*DatagramError]. Datagrams larger than the interface MTU are fragmented
// by IP; on a lossy network losing one fragment loses the whole frame, so
// a smaller limit (e.g. 1400) may suit such networks.
func WithMaxDatagramSize(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxDatagramSize {
			return invalidOption("max datagram size", "%d is not in 1..%d", n, MaxDatagramSize)
		}
		c.maxSize = n
		return nil
	}
}

// WithQueueSize sets the capacity of a connection's dispatch queue
// (default [DefaultQueueSize]). When it is full, received messages are
// dropped, counted in [Stats] and reported to the error listeners with
// [ErrQueueFull]; they are never buffered without bound.
func WithQueueSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalidOption("queue size", "%d is not positive", n)
		}
		c.queueSize = n
		return nil
	}
}

// WithLogger sets the logger for what the connection drops or cannot
// decode (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalidOption("logger", "nil")
		}
		c.logger = l
		return nil
	}
}

// WithListener adds a listener before the connection joins the group, so
// that it sees OnConnecting and OnConnected (a listener added with
// [Conn.SetListener] after Dial may miss them). Listeners run in the order
// they were added; a second listener with the same name replaces the first
// in its place.
func WithListener(name string, l handlers.Listener) Option {
	return func(c *config) error {
		if l == nil {
			return invalidOption("listener", "%q is nil", name)
		}
		c.listeners = setListener(c.listeners, name, l)
		return nil
	}
}

// WithSendHooks adds hooks around the function that sends each SEND frame,
// the first one given outermost (see handlers.SendHook). They run on the
// sending goroutine, after the OnSend listeners.
func WithSendHooks(hooks ...handlers.SendHook) Option {
	return func(c *config) error {
		for _, h := range hooks {
			if h != nil {
				c.hooks = append(c.hooks, h)
			}
		}
		return nil
	}
}

// setListener returns ls with name bound to l: replaced in place when the
// name exists, appended otherwise. ls itself is never modified.
func setListener(ls []namedListener, name string, l handlers.Listener) []namedListener {
	out := make([]namedListener, 0, len(ls)+1)
	replaced := false
	for _, nl := range ls {
		if nl.name == name {
			nl.l = l
			replaced = true
		}
		out = append(out, nl)
	}
	if !replaced {
		out = append(out, namedListener{name, l})
	}
	return out
}
