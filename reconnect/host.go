package reconnect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// ErrInvalidHost is wrapped by every error returned by [ParseHost] and
// [ParseHostList].
var ErrInvalidHost = errors.New("reconnect: invalid host")

// Host is one broker endpoint, the counterpart of a (host, port) tuple in
// stomp.py's host_and_ports.
type Host struct {
	// Host is a host name or an IP address literal, without brackets.
	Host string
	// Port is the TCP port.
	Port int
}

// String returns h in "host:port" form, with IPv6 addresses in brackets, as
// accepted by [ParseHost] and net.Dial.
func (h Host) String() string {
	return net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
}

// ParseHost parses a "host:port" address. The host is a name, an IPv4
// address or an IPv6 address in brackets ("[::1]:61613", optionally with a
// zone, "[fe80::1%eth0]:61613"); the port is a decimal number from 1 to
// 65535 and is required. Errors wrap [ErrInvalidHost] and say what is wrong,
// for instance that an IPv6 address lacks its brackets.
func ParseHost(s string) (Host, error) {
	fail := func(reason string, args ...any) (Host, error) {
		return Host{}, fmt.Errorf("%w %q: %s", ErrInvalidHost, s, fmt.Sprintf(reason, args...))
	}
	switch {
	case s == "":
		return fail("empty address, want host:port")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return fail("contains white space")
	case strings.Contains(s, "://"):
		return fail("looks like a URL, want host:port without a scheme")
	}

	host, port, err := net.SplitHostPort(s)
	if err != nil {
		bracketed := strings.HasPrefix(s, "[")
		switch {
		case !bracketed && strings.Count(s, ":") > 1:
			return fail("IPv6 address must be in brackets, as in [::1]:61613")
		case !strings.Contains(s, ":") || (bracketed && strings.HasSuffix(s, "]")):
			return fail("missing port, want host:port")
		default:
			return fail("malformed address, want host:port or [ipv6]:port")
		}
	}

	if host == "" {
		return fail("missing host name")
	}
	if strings.HasPrefix(s, "[") {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return fail("brackets are only for IPv6 addresses")
		}
	}

	if port == "" {
		return fail("missing port, want host:port")
	}
	if strings.Trim(port, "0123456789") != "" {
		return fail("port %q is not a decimal number", port)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fail("port %s out of range 1-65535", port)
	}
	return Host{Host: host, Port: n}, nil
}

// ParseHostList parses a comma-separated list of "host:port" addresses,
// such as "broker1:61613, [2001:db8::1]:61613". White space around each
// address is ignored; empty entries and an empty list are errors. Errors
// wrap [ErrInvalidHost].
func ParseHostList(s string) ([]Host, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w list: empty", ErrInvalidHost)
	}
	parts := strings.Split(s, ",")
	hosts := make([]Host, 0, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("%w list %q: entry %d is empty", ErrInvalidHost, s, i+1)
		}
		h, err := ParseHost(p)
		if err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}
