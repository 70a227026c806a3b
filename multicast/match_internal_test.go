package multicast

import "testing"

func TestMatchDestination(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, dest string
		want          bool
	}{
		{"/queue/a", "/queue/a", true},
		{"/queue/a", "/queue/b", false},
		{"/queue/a", "/queue/a/b", false},
		{"/topic/*", "/topic/a", true},
		{"/topic/*", "/topic/", false},
		{"/topic/*", "/topic/a/b", false},
		{"/topic/*/price", "/topic/acme/price", true},
		{"/topic/*/price", "/topic/acme/volume", false},
		{"/topic/>", "/topic/a", true},
		{"/topic/>", "/topic/a/b.c", true},
		{"/topic/>", "/topic/", false},
		{"/topic/>", "/topic", false},
		{"/topic/stocks.>", "/topic/stocks.acme.eu", true},
		{"/topic/stocks.>", "/topic/stocks", false},
		{"/topic/stocks.*", "/topic/stocks/acme", false}, // separators differ
		{"/topic/a*", "/topic/ab", false},                // '*' inside a segment is literal
		{"/topic/a*", "/topic/a*", true},
		{"/topic/>/x", "/topic/a/x", false}, // '>' only at the end
		{">", "anything/at.all", true},
		{"*", "", false},
	}
	for _, c := range cases {
		if got := matchDestination(c.pattern, c.dest); got != c.want {
			t.Errorf("matchDestination(%q, %q) = %v, want %v", c.pattern, c.dest, got, c.want)
		}
	}
}
