package handlers

import (
	"fmt"
	"strings"
)

// This file is the destination pattern language of [Mux]: parsing and the
// specificity order. See Mux for the syntax and trie.go for matching.

// segmentKind tells what a pattern segment matches.
type segmentKind uint8

const (
	segLiteral segmentKind = iota // itself
	segOne                        // "*": exactly one non-empty segment
	segRest                       // "#" or ">": zero or more trailing segments
)

// segment is one segment of a pattern and the separator before it.
type segment struct {
	sep  byte // '/' or '.', 0 for the first segment
	kind segmentKind
	lit  string // the text of a literal segment
}

// pattern is a parsed destination pattern.
type pattern struct {
	canon     string // the pattern with ">" spelled "#": equal patterns, equal canon
	segs      []segment
	wildcards int
}

// isSeparator reports whether c separates segments.
func isSeparator(c byte) bool { return c == '/' || c == '.' }

// parsePattern parses p. Errors wrap ErrInvalidPattern.
func parsePattern(p string) (*pattern, error) {
	if p == "" {
		return nil, fmt.Errorf("%w: empty pattern", ErrInvalidPattern)
	}
	pt := &pattern{}
	var canon strings.Builder
	var sep byte
	for start := 0; ; {
		end := start
		for end < len(p) && !isSeparator(p[end]) {
			end++
		}
		s := segment{sep: sep, lit: p[start:end]}
		switch s.lit {
		case "*":
			s.kind, s.lit = segOne, ""
		case "#", ">":
			s.kind, s.lit = segRest, ""
		}
		if len(pt.segs) > 0 && pt.segs[len(pt.segs)-1].kind == segRest {
			return nil, fmt.Errorf("%w: %q: a multi-segment wildcard (# or >) must be the last segment", ErrInvalidPattern, p)
		}
		if s.kind != segLiteral {
			pt.wildcards++
		}
		pt.segs = append(pt.segs, s)
		if sep != 0 {
			canon.WriteByte(sep)
		}
		canon.WriteString(s.String())
		if end == len(p) {
			break
		}
		sep, start = p[end], end+1
	}
	pt.canon = canon.String()
	return pt, nil
}

// String returns the segment as written in a canonical pattern.
func (s segment) String() string {
	switch s.kind {
	case segOne:
		return "*"
	case segRest:
		return "#"
	}
	return s.lit
}

// compareSpecificity orders patterns from the most specific to the least:
// negative when p is more specific than q. The order is total over
// distinct canonical patterns, so routing never depends on the order in
// which patterns were registered:
//
//  1. fewer wildcards first;
//  2. then more segments first (longer);
//  3. then, at the first segment where they differ in kind, literal before
//     "*" before "#";
//  4. then by canonical text, as a last deterministic resort.
func compareSpecificity(p, q *pattern) int {
	if p.wildcards != q.wildcards {
		return p.wildcards - q.wildcards
	}
	if len(p.segs) != len(q.segs) {
		return len(q.segs) - len(p.segs)
	}
	for i := range p.segs {
		if p.segs[i].kind != q.segs[i].kind {
			return int(p.segs[i].kind) - int(q.segs[i].kind)
		}
	}
	return strings.Compare(p.canon, q.canon)
}
