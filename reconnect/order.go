package reconnect

import (
	"net/netip"
	"os"
	"strings"
)

// OrderOptions configures [Order]. The zero value leaves the list as it is;
// [DefaultOrderOptions] gives stomp.py's defaults.
type OrderOptions struct {
	// PreferLocalhost moves hosts that name this machine to the front of the
	// list, keeping the relative order of both groups (stomp.py
	// prefer_localhost, default true).
	PreferLocalhost bool

	// TryLoopback adds, right after each host that names this machine by its
	// host name (rather than as a loopback address), the same port on
	// 127.0.0.1 (stomp.py try_loopback_connect, default true).
	TryLoopback bool

	// Hostname returns this machine's host name. Nil, an error or an empty
	// name means that only loopback names count as local. Order calls it at
	// most once per call; it is the only way Order can reach the operating
	// system.
	Hostname func() (string, error)
}

// DefaultOrderOptions returns stomp.py's defaults: PreferLocalhost and
// TryLoopback on, and Hostname set to os.Hostname.
func DefaultOrderOptions() OrderOptions {
	return OrderOptions{PreferLocalhost: true, TryLoopback: true, Hostname: os.Hostname}
}

// Order returns the order in which a reconnection round tries hosts. It
// never modifies hosts and always returns a new slice.
//
// A host is local if its name is "localhost" (case-insensitive, optionally
// with a trailing dot), an IPv4 address in 127.0.0.0/8, the IPv6 loopback
// ::1 (also IPv4-mapped, ::ffff:127.x.x.x), or equal, ignoring case and a
// trailing dot, to the name returned by opts.Hostname. The first three kinds
// are loopback hosts; the last kind is a local name.
//
// With PreferLocalhost, local hosts come first; the sort is stable, so hosts
// keep their relative order within the local and the non-local groups. With
// TryLoopback, each local name is followed by a loopback entry for
// 127.0.0.1 on the same port, unless the input already has a loopback host
// on that port or an earlier local name already added one.
//
// Differences from stomp.py, whose rules these are:
//   - stomp.py's local names are exactly "localhost", "127.0.0.1" and the
//     results of socket.gethostname(), getfqdn() and
//     gethostbyname(gethostname()), compared case-sensitively. Resolving
//     names is I/O, so Order only compares with opts.Hostname; in exchange
//     it recognises all of 127.0.0.0/8, ::1 and differently-cased names.
//   - stomp.py puts all of its added 127.0.0.1 entries before the whole
//     list, so they are tried before even the local name they stand for,
//     and it can add duplicates. Order inserts each one right after its
//     local name, so the user's choice is tried first and the loopback
//     address is the fallback, and never adds the same port twice.
//   - stomp.py suppresses the extra entry only if ("127.0.0.1", port) or
//     ("localhost", port) is in the list; Order does so for any loopback
//     host on that port.
func Order(hosts []Host, opts OrderOptions) []Host {
	hostname := ""
	if opts.Hostname != nil && (opts.PreferLocalhost || opts.TryLoopback) {
		if name, err := opts.Hostname(); err == nil {
			hostname = normalizeName(name)
		}
	}
	kindOf := func(h Host) hostKind { return classify(h.Host, hostname) }

	ordered := make([]Host, 0, len(hosts))
	if opts.PreferLocalhost {
		for _, h := range hosts {
			if kindOf(h) != remote {
				ordered = append(ordered, h)
			}
		}
		for _, h := range hosts {
			if kindOf(h) == remote {
				ordered = append(ordered, h)
			}
		}
	} else {
		ordered = append(ordered, hosts...)
	}
	if !opts.TryLoopback {
		return ordered
	}

	covered := make(map[int]bool) // ports that already have a loopback entry
	for _, h := range hosts {
		if kindOf(h) == loopback {
			covered[h.Port] = true
		}
	}
	out := make([]Host, 0, len(ordered)+1)
	for _, h := range ordered {
		out = append(out, h)
		if kindOf(h) == localName && !covered[h.Port] {
			out = append(out, Host{Host: "127.0.0.1", Port: h.Port})
			covered[h.Port] = true
		}
	}
	return out
}

// hostKind classifies a host for Order.
type hostKind int

const (
	remote    hostKind = iota // not known to be this machine
	loopback                  // localhost, 127.0.0.0/8 or ::1
	localName                 // this machine's host name
)

// classify returns the kind of host, given this machine's normalized host
// name ("" if unknown).
func classify(host, hostname string) hostKind {
	name := normalizeName(host)
	if name == "localhost" {
		return loopback
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Unmap().IsLoopback() {
		return loopback
	}
	if hostname != "" && name == hostname {
		return localName
	}
	return remote
}

// normalizeName lower-cases a host name and drops one trailing dot.
func normalizeName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}
