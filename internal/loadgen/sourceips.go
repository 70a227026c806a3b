package loadgen

import (
	"fmt"
	"net/netip"
	"strings"
)

// maxSourceIPs bounds a --source-ips list: enough ephemeral ports for
// millions of connections.
const maxSourceIPs = 4096

// ParseSourceIPs parses a list of local addresses to bind connections to:
// addresses and ranges separated by commas, as in
// "127.0.0.2-127.0.0.20,127.0.1.1". Each address brings its own range of
// ephemeral ports, which is how one process gets past the ~28,000 ports
// of one loopback address.
func ParseSourceIPs(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, isRange := strings.Cut(part, "-")
		lo, err := netip.ParseAddr(strings.TrimSpace(from))
		if err != nil {
			return nil, fmt.Errorf("source address %q: %w", part, err)
		}
		hi := lo
		if isRange {
			if hi, err = netip.ParseAddr(strings.TrimSpace(to)); err != nil {
				return nil, fmt.Errorf("source address range %q: %w", part, err)
			}
			if lo.Is4() != hi.Is4() || hi.Less(lo) {
				return nil, fmt.Errorf("source address range %q: the end is below the start", part)
			}
		}
		for a := lo; ; a = a.Next() {
			if len(out) == maxSourceIPs {
				return nil, fmt.Errorf("source addresses: more than %d", maxSourceIPs)
			}
			out = append(out, a.String())
			if a == hi {
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("source addresses %q: none given", s)
	}
	return out, nil
}
