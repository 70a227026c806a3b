package codec

import (
	"fmt"
	"strings"
)

// Version is a STOMP protocol version. The zero value is not a version; it
// stands for "not negotiated yet".
type Version uint8

// The STOMP versions this package speaks.
const (
	V10 Version = 10
	V11 Version = 11
	V12 Version = 12
)

// Versions lists every supported version, oldest first.
var Versions = []Version{V10, V11, V12}

// String returns the version as it appears on the wire ("1.2"), or
// "unknown" for a value that is not a version.
func (v Version) String() string {
	switch v {
	case V10:
		return "1.0"
	case V11:
		return "1.1"
	case V12:
		return "1.2"
	}
	return "unknown"
}

// Valid reports whether v is one of [V10], [V11], [V12].
func (v Version) Valid() bool { return v == V10 || v == V11 || v == V12 }

// ParseVersion parses "1.0", "1.1" or "1.2".
func ParseVersion(s string) (Version, error) {
	switch s {
	case "1.0":
		return V10, nil
	case "1.1":
		return V11, nil
	case "1.2":
		return V12, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnsupportedVersion, s)
}

// ParseAcceptVersion parses the comma-separated accept-version header of a
// CONNECT frame. An empty header means 1.0 (CONF-20). Versions this package
// does not know are ignored; none known is an error.
func ParseAcceptVersion(s string) ([]Version, error) {
	if s == "" {
		return []Version{V10}, nil
	}
	var out []Version
	for part := range strings.SplitSeq(s, ",") {
		if v, err := ParseVersion(strings.TrimSpace(part)); err == nil {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: accept-version %q", ErrUnsupportedVersion, s)
	}
	return out, nil
}

// FormatAcceptVersion renders versions as an accept-version value ("1.0,1.1,1.2").
func FormatAcceptVersion(vs []Version) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Highest returns the highest version present in both offered and supported,
// and false when they share none. A server uses it to pick the version it
// answers with.
func Highest(offered, supported []Version) (Version, bool) {
	var best Version
	for _, o := range offered {
		for _, s := range supported {
			if o == s && o > best {
				best = o
			}
		}
	}
	return best, best != 0
}
