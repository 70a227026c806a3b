package handlers

import (
	"testing"

	"github.com/stampede-mq/stampede/codec"
)

func TestReadable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 0, "plain"},
		{"a\nb\rc\td", 0, `a\nb\rc\td`},
		{"back\\slash", 0, `back\\slash`},
		{"nul\x00del\x7f", 0, `nul\x00del\x7f`},
		{"bad\xffutf8", 0, `bad\xffutf8`},
		{"héllo wörld", 0, "héllo wörld"},
		{"line\u2028sep\u202e", 0, `line\u2028sep\u202e`},
		{"hello", 3, "hel…(+2 bytes)"},
		{"hello", 5, "hello"},
		{"日本語", 4, "日…(+6 bytes)"}, // never half a character
		{"a\nb", 2, `a\n…(+1 bytes)`},
	} {
		if got := readable(tc.in, tc.max); got != tc.want {
			t.Errorf("readable(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestIsText(t *testing.T) {
	for _, tc := range []struct {
		ctype string
		body  string
		want  bool
	}{
		{"", "hello\r\n\tworld", true},
		{"", "héllo", true},
		{"", "\x00\x01", false},
		{"", "\xff\xfe", false},
		{"text/plain", "\x00", true}, // the header says so
		{"application/json", "{}", true},
		{"application/octet-stream", "hello", false},
		{"application/x; charset=utf-8", "hello", true},
		{"bad;;type", "hello", false},
	} {
		f := codec.New(codec.Message)
		if tc.ctype != "" {
			f.Header.Add(codec.HdrContentType, tc.ctype)
		}
		f.Body = []byte(tc.body)
		if got := isText(f); got != tc.want {
			t.Errorf("isText(%q, %q) = %v, want %v", tc.ctype, tc.body, got, tc.want)
		}
	}
}

func TestSensitiveSet(t *testing.T) {
	s := newSensitiveSet([]string{"Authorization", "authorization", ""})
	if len(s) != 2 {
		t.Errorf("set %q, want passcode and authorization once", s)
	}
	for key, want := range map[string]bool{"passcode": true, "PASSCODE": true, "AUTHORIZATION": true, "login": false} {
		if s.has(key) != want {
			t.Errorf("has(%q) = %v", key, !want)
		}
	}
	if s.value("passcode", "x") != Masked || s.value("login", "guest") != "guest" {
		t.Error("value does not mask")
	}
}
