package multicast

import "strings"

// matchDestination reports whether a frame sent to dest is for a
// subscription to pattern: the same string, or a pattern whose wildcard
// segments cover it. Segments are separated by '/' or '.', and the
// separators must be the same in both. A segment "*" matches one non-empty
// segment; ">" as the last segment matches one or more segments, whatever
// separates them.
func matchDestination(pattern, dest string) bool {
	if pattern == dest {
		return true
	}
	if !strings.ContainsAny(pattern, "*>") {
		return false
	}
	for {
		pseg, psep, prest := cut(pattern)
		dseg, dsep, drest := cut(dest)
		switch {
		case pseg == ">" && psep == 0:
			return dseg != "" || dsep != 0
		case pseg == "*":
			if dseg == "" {
				return false
			}
		case pseg != dseg:
			return false
		}
		if psep != dsep {
			return false
		}
		if psep == 0 {
			return true // both ended
		}
		pattern, dest = prest, drest
	}
}

// cut splits s at its first separator: the segment before it, the separator
// (0 when there is none) and the rest after it.
func cut(s string) (seg string, sep byte, rest string) {
	i := strings.IndexAny(s, "/.")
	if i < 0 {
		return s, 0, ""
	}
	return s[:i], s[i], s[i+1:]
}
