package secret

import "testing"

func TestAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"localhost:61613", "localhost:61613"},
		{"tcp://guest:guest@localhost:61613", "tcp://guest:xxxxx@localhost:61613"},
		{"tcp://guest@localhost:61613", "tcp://guest@localhost:61613"},
		{"u:p@localhost:61613", "u:xxxxx@localhost:61613"},
		{"ws://u:p%40w@h:15674/ws?x=1", "ws://u:xxxxx@h:15674/ws?x=1"},
		{"tcp://u:pa/ss@h:1", "tcp://u:xxxxx@h:1"}, // not a URL url.Parse takes
		{"tcp://u:p@ss@h:0", "tcp://u:xxxxx@h:0"},  // an unescaped '@' in the password
		{"tcp://a:1@h1:1, ssl://b:2@h2:2", "tcp://a:xxxxx@h1:1, ssl://b:xxxxx@h2:2"},
		{"http://u:pw@h", "http://u:xxxxx@h"},
	} {
		if got := Address(c.in); got != c.want {
			t.Errorf("Address(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
