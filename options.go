package stampede

import (
	"log/slog"
	"net"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/reconnect"
)

// Option configures a connection. Options are applied in order to a private
// configuration; an option that cannot apply returns an error wrapping
// [ErrInvalidOption] and Dial fails with it.
type Option func(*config) error

// Defaults of the connection options.
const (
	DefaultConnectTimeout    = 30 * time.Second
	DefaultReceiptTimeout    = 30 * time.Second
	DefaultDisconnectTimeout = 10 * time.Second
	DefaultHeartBeatScale    = 1.5
)

// SlowConsumer says what a connection does when its handlers fall behind
// and its inbound queue (the executor's, per connection) is full.
type SlowConsumer uint8

const (
	// SlowConsumerClose (the default) closes the connection with
	// ErrSlowConsumer. Messages that need an acknowledgement are redelivered
	// by the broker; auto-acknowledged ones in flight are lost, as with any
	// dropped connection.
	SlowConsumerClose SlowConsumer = iota
	// SlowConsumerBlock makes the event loop wait for room: the broker is
	// slowed down by TCP flow control, and so is every other connection
	// on the same event loop. The executor must implement loop.Blocking.
	SlowConsumerBlock
)

type config struct {
	engine            *Engine
	login, passcode   string
	host              string
	hostSet           bool
	versions          []codec.Version
	heartBeat         codec.HeartBeat
	scale             float64
	connectTimeout    time.Duration
	receiptTimeout    time.Duration
	disconnectTimeout time.Duration
	connectHeaders    codec.Header
	stompCommand      bool
	autoContentLength bool
	executor          loop.Executor
	listeners         []namedListener
	middleware        []handlers.Middleware
	sendHooks         []handlers.SendHook
	dialHooks         []handlers.DialHook
	logger            *slog.Logger
	dial              loop.DialConfig
	highWater         int
	limits            codec.Limits
	slowConsumer      SlowConsumer
	unhandled         handlers.Handler
	replyQueue        string
	subscribeReplies  bool
	errorHandler      func(m *Message, err error)
	reconnect         reconnect.Policy
	reconnectOnError  bool
	failFast          bool
	order             reconnect.OrderOptions
	clock             reconnect.Clock
	transports        transportConfig
	sendChain         handlers.SendFunc // the compiled send hooks; nil without hooks
}

func defaultConfig() config {
	return config{
		versions:          []codec.Version{codec.V10, codec.V11, codec.V12},
		scale:             DefaultHeartBeatScale,
		connectTimeout:    DefaultConnectTimeout,
		receiptTimeout:    DefaultReceiptTimeout,
		disconnectTimeout: DefaultDisconnectTimeout,
		autoContentLength: true,
		logger:            slog.Default(),
		reconnect:         reconnect.Never{},
		order:             reconnect.OrderOptions{},
		clock:             reconnect.SystemClock{},
	}
}

// WithEngine runs the connection on e (default: the process-wide default
// engine, started on first use).
func WithEngine(e *Engine) Option {
	return func(c *config) error {
		if e == nil {
			return invalidOption("nil engine")
		}
		c.engine = e
		return nil
	}
}

// WithLogin sets the login and passcode of CONNECT. The passcode is never
// logged or printed.
func WithLogin(login, passcode string) Option {
	return func(c *config) error {
		c.login, c.passcode = login, passcode
		return nil
	}
}

// WithHost sets CONNECT's host header, the virtual host (default: the host
// name dialed; RabbitMQ wants "/") (CONF-25).
func WithHost(vhost string) Option {
	return func(c *config) error {
		c.host, c.hostSet = vhost, true
		return nil
	}
}

// WithVersions sets the protocol versions offered in accept-version
// (default 1.0, 1.1 and 1.2). The server picks one of them; any other
// answer fails the connect (CONF-21).
func WithVersions(vs ...codec.Version) Option {
	return func(c *config) error {
		if len(vs) == 0 {
			return invalidOption("no protocol version")
		}
		for _, v := range vs {
			if !v.Valid() {
				return invalidOption("protocol version %d", v)
			}
		}
		c.versions = append([]codec.Version(nil), vs...)
		return nil
	}
}

// WithHeartBeat asks for heart-beats (stomp.py heartbeats=(cx, cy)): send is
// how often the client can send (cx), receive how often it wants to hear
// from the server (cy). Zero means never; the default is 0, 0. They apply
// from STOMP 1.1 on (CONF-27..33).
func WithHeartBeat(send, receive time.Duration) Option {
	return func(c *config) error {
		if send < 0 || receive < 0 {
			return invalidOption("negative heart-beat")
		}
		if send%time.Millisecond != 0 || receive%time.Millisecond != 0 {
			return invalidOption("heart-beats are whole milliseconds")
		}
		c.heartBeat = codec.HeartBeat{Send: send, Receive: receive}
		return nil
	}
}

// WithHeartBeatScale sets how much later than the negotiated interval the
// server's heart-beat may arrive before the connection is declared dead
// (stomp.py heart_beat_receive_scale; default 1.5). Brokers are known to be
// up to 2× late.
func WithHeartBeatScale(f float64) Option {
	return func(c *config) error {
		if f < 1 || f > 100 {
			return invalidOption("heart-beat scale %v (1..100)", f)
		}
		c.scale = f
		return nil
	}
}

// WithConnectTimeout bounds the wait for CONNECTED after CONNECT (default
// 30 s; the context's deadline applies too, whichever is first) (CONF-26).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidOption("connect timeout %v", d)
		}
		c.connectTimeout = d
		return nil
	}
}

// WithReceiptTimeout bounds waits for receipts when the call's context has
// no deadline (default 30 s).
func WithReceiptTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidOption("receipt timeout %v", d)
		}
		c.receiptTimeout = d
		return nil
	}
}

// WithDisconnectTimeout bounds Disconnect's wait for its receipt when the
// context has no deadline (default 10 s).
func WithDisconnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidOption("disconnect timeout %v", d)
		}
		c.disconnectTimeout = d
		return nil
	}
}

// WithConnectHeader adds a header to CONNECT; it replaces a header the
// client would write itself (accept-version, host, heart-beat, login).
func WithConnectHeader(key, value string) Option {
	return func(c *config) error {
		if key == "" {
			return invalidOption("empty CONNECT header name")
		}
		if key == codec.HdrReceipt {
			return invalidOption("CONNECT never carries a receipt") // CONF-24
		}
		c.connectHeaders.Set(key, value)
		return nil
	}
}

// WithStompCommand sends STOMP instead of CONNECT. STOMP 1.0 servers do not
// know it, so 1.0 must not be offered (CONF-23).
func WithStompCommand() Option {
	return func(c *config) error {
		c.stompCommand = true
		return nil
	}
}

// WithAutoContentLength sets whether SEND carries content-length (stomp.py
// auto_content_length; default true). Without it some brokers (ActiveMQ)
// deliver a text message instead of a bytes message; a body with NUL cannot
// be sent. Per message, see [WithoutContentLength].
func WithAutoContentLength(on bool) Option {
	return func(c *config) error {
		c.autoContentLength = on
		return nil
	}
}

// WithExecutor runs the connection's listeners and handlers on e (default:
// the engine's executor, a loop.Serial that keeps per-connection order).
// stomp.py's override_threading maps to loop.ExecutorFunc.
func WithExecutor(e loop.Executor) Option {
	return func(c *config) error {
		if e == nil {
			return invalidOption("nil executor")
		}
		c.executor = e
		return nil
	}
}

// WithListener adds a named listener before connecting, so that it sees
// the connecting and connected events (stomp.py set_listener before
// connect).
func WithListener(name string, l handlers.Listener) Option {
	return func(c *config) error {
		if l == nil {
			return invalidOption("nil listener %q", name)
		}
		for i := range c.listeners {
			if c.listeners[i].name == name {
				c.listeners[i].l = l
				return nil
			}
		}
		c.listeners = append(c.listeners, namedListener{name, l})
		return nil
	}
}

// WithMiddleware wraps every subscription's handler, first given
// outermost (the same as [Conn.Use] before connecting).
func WithMiddleware(mw ...handlers.Middleware) Option {
	return func(c *config) error {
		c.middleware = append(c.middleware, mw...)
		return nil
	}
}

// WithSendHook wraps the function that sends frames (first given
// outermost).
func WithSendHook(h ...handlers.SendHook) Option {
	return func(c *config) error {
		c.sendHooks = append(c.sendHooks, h...)
		return nil
	}
}

// WithDialHook wraps each dial attempt (first given outermost).
func WithDialHook(h ...handlers.DialHook) Option {
	return func(c *config) error {
		c.dialHooks = append(c.dialHooks, h...)
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()). Frames are logged at
// debug level, with passcodes masked.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalidOption("nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithBindAddress binds the socket to a local address before connecting
// (stomp.py bind_host_port), for example "127.0.0.2:0" to get past one
// address's ephemeral port range.
func WithBindAddress(addr string) Option {
	return func(c *config) error {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			return invalidOption("bind address %q: %v", addr, err)
		}
		c.dial.LocalAddr = a
		return nil
	}
}

// WithKeepAlive configures TCP keepalive probes (stomp.py keepalive and
// set_keepalive_options): idle time before the first probe, the interval
// between probes, and how many unanswered probes close the connection.
// Zero values keep the system's. STOMP 1.0 has no heart-beats; this is its
// liveness tool (CONF-33).
func WithKeepAlive(idle, interval time.Duration, count int) Option {
	return func(c *config) error {
		if idle < 0 || interval < 0 || count < 0 {
			return invalidOption("negative keepalive setting")
		}
		c.dial.KeepAlive = loop.KeepAlive{Idle: idle, Interval: interval, Count: count}
		return nil
	}
}

// WithoutKeepAlive turns TCP keepalive off.
func WithoutKeepAlive() Option {
	return func(c *config) error {
		c.dial.KeepAlive = loop.KeepAlive{Disable: true}
		return nil
	}
}

// WithNagle turns Nagle's algorithm on (TCP_NODELAY off). Off by default:
// left on, it costs tens of milliseconds of latency.
func WithNagle() Option {
	return func(c *config) error {
		c.dial.NoDelay = loop.NoDelayOff
		return nil
	}
}

// WithHighWaterMark bounds the bytes waiting to be written (default
// 4 MiB). Past it, sends wait on their context, or fail with
// ErrBackpressure under [WithFailFast].
func WithHighWaterMark(bytes int) Option {
	return func(c *config) error {
		if bytes < 1<<10 {
			return invalidOption("high-water mark %d bytes (min 1 KiB)", bytes)
		}
		c.highWater = bytes
		return nil
	}
}

// WithLimits bounds the frames the client accepts from the server
// (default codec.DefaultLimits: 16 MiB frames).
func WithLimits(l codec.Limits) Option {
	return func(c *config) error {
		c.limits = l
		return nil
	}
}

// WithSlowConsumer sets what happens when handlers fall behind (default
// SlowConsumerClose).
func WithSlowConsumer(p SlowConsumer) Option {
	return func(c *config) error {
		if p > SlowConsumerBlock {
			return invalidOption("slow consumer policy %d", p)
		}
		c.slowConsumer = p
		return nil
	}
}

// WithUnhandled sets the handler of messages whose subscription the client
// does not know (CONF-36): replies to /temp-queue/ on RabbitMQ, messages
// that arrive after an unsubscribe. By default they reach the listeners'
// OnMessage only.
func WithUnhandled(h handlers.Handler) Option {
	return func(c *config) error {
		c.unhandled = h
		return nil
	}
}

// WithErrorHandler receives the errors handlers return that no middleware
// handled (default: logged at warn level).
func WithErrorHandler(f func(m *Message, err error)) Option {
	return func(c *config) error {
		c.errorHandler = f
		return nil
	}
}

// WithFailFast makes sends, subscribes and acknowledgements fail at once
// with ErrNotConnected while the connection is (re)connecting and with
// ErrBackpressure when the outbound buffer is full, instead of waiting on
// their context.
func WithFailFast() Option {
	return func(c *config) error {
		c.failFast = true
		return nil
	}
}
