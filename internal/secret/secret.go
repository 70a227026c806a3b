// Package secret keeps credentials out of what stampede prints: error
// messages, summaries and reports that quote a broker address.
package secret

import "strings"

// Mask replaces a password in an address.
const Mask = "xxxxx"

// Address returns addr, one broker address or a comma-separated list of
// them, with the password of each user:password@ part replaced by [Mask],
// as url.URL.Redacted does. It also works on addresses url.Parse refuses,
// which are the ones error messages quote; when in doubt it hides more,
// never less (everything up to the last '@' of a part is taken as user
// information).
func Address(addr string) string {
	if !strings.Contains(addr, "@") {
		return addr
	}
	parts := strings.Split(addr, ",")
	for i, p := range parts {
		parts[i] = one(p)
	}
	return strings.Join(parts, ",")
}

func one(p string) string {
	start := 0
	if i := strings.Index(p, "://"); i >= 0 {
		start = i + len("://")
	}
	at := strings.LastIndexByte(p, '@')
	if at < start {
		return p
	}
	colon := strings.IndexByte(p[start:at], ':')
	if colon < 0 {
		return p // a user name alone is no secret
	}
	return p[:start+colon+1] + Mask + p[at:]
}
