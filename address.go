package stampede

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stampede-mq/stampede/internal/secret"
	"github.com/stampede-mq/stampede/reconnect"
)

// endpoint is one parsed address.
type endpoint struct {
	scheme   string // "tcp", "ssl", "ws" or "wss"
	host     string // host name or IP, without brackets
	port     int
	path     string // WebSocket path
	login    string // from user:pass@ in a URL
	passcode string
	hasLogin bool
}

func (e endpoint) hostPort() string { return net.JoinHostPort(e.host, strconv.Itoa(e.port)) }

func (e endpoint) String() string {
	s := e.scheme + "://" + e.hostPort()
	if e.scheme == "ws" || e.scheme == "wss" {
		s += e.path
	}
	return s
}

var defaultPorts = map[string]int{"tcp": 61613, "ssl": 61614, "ws": 15674, "wss": 15673}

// parseAddresses parses Dial's address: one address or several separated by
// commas, each "host:port" or a URL with scheme tcp:// (also stomp://),
// ssl:// (also stomp+ssl://, tls://), ws:// or wss://. A URL may carry
// user:password@ (used when no WithLogin is given). Without a port, the
// scheme's default applies (61613, 61614, 15674, 15673); a WebSocket URL
// without a path uses /ws (RabbitMQ Web-STOMP's).
func parseAddresses(s string) ([]endpoint, error) {
	var out []endpoint
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		ep, err := parseAddress(part)
		if err != nil {
			return nil, err
		}
		out = append(out, ep)
	}
	if len(out) == 0 {
		return nil, invalidOption("no address in %q", secret.Address(s))
	}
	return out, nil
}

func parseAddress(s string) (endpoint, error) {
	if !strings.Contains(s, "://") {
		s = "tcp://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole address, passcode included
		}
		return endpoint{}, invalidOption("address %q: %v", secret.Address(s), err)
	}
	ep := endpoint{}
	switch strings.ToLower(u.Scheme) {
	case "tcp", "stomp":
		ep.scheme = "tcp"
	case "ssl", "stomp+ssl", "tls", "stomps":
		ep.scheme = "ssl"
	case "ws":
		ep.scheme = "ws"
	case "wss":
		ep.scheme = "wss"
	default:
		return endpoint{}, invalidOption("address %q: unknown scheme %q", secret.Address(s), u.Scheme)
	}
	ep.host = u.Hostname()
	if ep.host == "" {
		return endpoint{}, invalidOption("address %q: no host", secret.Address(s))
	}
	ep.port = defaultPorts[ep.scheme]
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return endpoint{}, invalidOption("address %q: bad port", secret.Address(s))
		}
		ep.port = n
	}
	if ep.scheme == "ws" || ep.scheme == "wss" {
		ep.path = u.EscapedPath()
		if ep.path == "" {
			ep.path = "/ws"
		}
		if u.RawQuery != "" {
			ep.path += "?" + u.RawQuery
		}
	} else if u.Path != "" && u.Path != "/" {
		return endpoint{}, invalidOption("address %q: a path only makes sense for ws:// and wss://", secret.Address(s))
	}
	if u.User != nil {
		ep.login = u.User.Username()
		ep.passcode, _ = u.User.Password()
		ep.hasLogin = true
	}
	return ep, nil
}

// endpointCache shares the parsed endpoints of an address among the
// connections dialed to it: a load generator's ten thousand connections
// to one broker hold one copy. Entries are read-only.
var (
	endpointCache     sync.Map // address → []endpoint
	endpointCacheSize atomic.Int32
)

const endpointCacheMax = 1024

// endpointsFor parses address, sharing the result when no host ordering
// applies.
func endpointsFor(address string, order reconnect.OrderOptions) ([]endpoint, error) {
	plain := !order.PreferLocalhost && !order.TryLoopback
	if plain {
		if v, ok := endpointCache.Load(address); ok {
			return v.([]endpoint), nil
		}
	}
	eps, err := parseAddresses(address)
	if err != nil {
		return nil, err
	}
	eps = orderEndpoints(eps, order)
	if plain && endpointCacheSize.Load() < endpointCacheMax {
		if _, loaded := endpointCache.LoadOrStore(address, eps); !loaded {
			endpointCacheSize.Add(1)
		}
	}
	return eps, nil
}
