package handlers

import (
	"errors"
	"testing"
)

func TestParsePattern(t *testing.T) {
	for _, tc := range []struct {
		in, canon string
		wildcards int
		segs      int
	}{
		{"/queue/a", "/queue/a", 0, 3},
		{"/queue/>", "/queue/#", 1, 3},
		{"/topic/orders.*", "/topic/orders.*", 1, 4},
		{"a.*.b/#", "a.*.b/#", 2, 4},
		{"/", "/", 0, 2},
		{">", "#", 1, 1},
	} {
		p, err := parsePattern(tc.in)
		if err != nil {
			t.Fatalf("parsePattern(%q): %v", tc.in, err)
		}
		if p.canon != tc.canon || p.wildcards != tc.wildcards || len(p.segs) != tc.segs {
			t.Errorf("parsePattern(%q) = %q, %d wildcards, %d segments; want %q, %d, %d",
				tc.in, p.canon, p.wildcards, len(p.segs), tc.canon, tc.wildcards, tc.segs)
		}
	}
	for _, bad := range []string{"", "#/a", "/a/>/b", "#.#"} {
		if _, err := parsePattern(bad); !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("parsePattern(%q) = %v, want ErrInvalidPattern", bad, err)
		}
	}
}

func TestCompareSpecificityIsATotalOrder(t *testing.T) {
	var ps []*pattern
	for _, s := range []string{"#", "/q/#", "/q/*", "/q/a", "/q/*/#", "/q/a/#", "/q/*/b", "/q/a/*", "/r/*", "*.*", "a.*"} {
		p, err := parsePattern(s)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	sign := func(n int) int { return min(max(n, -1), 1) }
	for _, a := range ps {
		if compareSpecificity(a, a) != 0 {
			t.Errorf("%q is not equal to itself", a.canon)
		}
		for _, b := range ps {
			if a != b && compareSpecificity(a, b) == 0 {
				t.Errorf("%q and %q tie", a.canon, b.canon)
			}
			if sign(compareSpecificity(a, b)) != -sign(compareSpecificity(b, a)) {
				t.Errorf("%q vs %q is not antisymmetric", a.canon, b.canon)
			}
			for _, c := range ps {
				if compareSpecificity(a, b) < 0 && compareSpecificity(b, c) < 0 && compareSpecificity(a, c) >= 0 {
					t.Errorf("%q < %q < %q is not transitive", a.canon, b.canon, c.canon)
				}
			}
		}
	}
}

// match reports whether dest matches the pattern, one segment at a time:
// the reference the routing trie is checked against.
func (p *pattern) match(dest string) bool {
	pos := 0
	for _, s := range p.segs {
		if s.kind == segRest {
			// Zero segments (no separator either), or the separator and
			// anything after it. A leading "#" matches everything.
			return pos == len(dest) || s.sep == 0 || dest[pos] == s.sep
		}
		if s.sep != 0 {
			if pos == len(dest) || dest[pos] != s.sep {
				return false
			}
			pos++
		}
		end := pos
		for end < len(dest) && !isSeparator(dest[end]) {
			end++
		}
		switch s.kind {
		case segLiteral:
			if dest[pos:end] != s.lit {
				return false
			}
		case segOne:
			if end == pos {
				return false
			}
		}
		pos = end
	}
	return pos == len(dest)
}
