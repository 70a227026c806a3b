package codec

import "bytes"

// special marks the bytes that need care in a header name or value.
var special = [256]bool{'\\': true, '\r': true, '\n': true, ':': true}

func needsCare(s string) bool {
	for i := 0; i < len(s); i++ {
		if special[s[i]] {
			return true
		}
	}
	return false
}

// appendEscaped appends s escaped for version v (CONF-7, CONF-8). isKey
// matters only for unescaped frames, where a ':' in a name cannot be sent.
// escaped is false for 1.0 frames and for CONNECT/CONNECTED (CONF-9,
// CONF-10): there a CR or LF cannot be represented at all.
func appendEscaped(dst []byte, s string, v Version, escaped, isKey bool) ([]byte, bool) {
	if !needsCare(s) {
		return append(dst, s...), true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !escaped {
			if c == '\r' || c == '\n' || (isKey && c == ':') {
				return dst, false
			}
			dst = append(dst, c)
			continue
		}
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case ':':
			dst = append(dst, '\\', 'c')
		case '\r':
			if v < V12 {
				return dst, false // 1.1 has no escape for CR
			}
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

// unescape decodes escape sequences in place, in one left-to-right pass
// (CONF-11), and returns the shortened slice. ok is false on an undefined
// escape, including a trailing backslash and, in 1.1, "\r" (CONF-12).
func unescape(b []byte, v Version) ([]byte, bool) {
	w := bytes.IndexByte(b, '\\')
	if w < 0 {
		return b, true // the common case: nothing to do
	}
	for r := w; r < len(b); r++ {
		c := b[r]
		if c != '\\' {
			b[w] = c
			w++
			continue
		}
		r++
		if r == len(b) {
			return nil, false
		}
		switch b[r] {
		case '\\':
			b[w] = '\\'
		case 'n':
			b[w] = '\n'
		case 'c':
			b[w] = ':'
		case 'r':
			if v < V12 {
				return nil, false
			}
			b[w] = '\r'
		default:
			return nil, false
		}
		w++
	}
	return b[:w], true
}
