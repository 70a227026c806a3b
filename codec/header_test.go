package codec

import (
	"slices"
	"testing"
	"time"
)

func TestHeaderMethods(t *testing.T) {
	h := Header{{"a", "1"}, {"b", "2"}, {"a", "3"}}
	if h.Get("a") != "1" || h.Get("zz") != "" || !h.Has("b") || h.Has("zz") {
		t.Fatal(h)
	}
	if v, ok := h.Lookup("b"); !ok || v != "2" {
		t.Fatal(v, ok)
	}
	if got := h.GetAll("a"); !slices.Equal(got, []string{"1", "3"}) {
		t.Fatal(got)
	}
	if h.GetAll("none") != nil {
		t.Fatal("GetAll of a missing header")
	}
	for v := range h.Values("a") {
		if v != "1" {
			t.Fatal("Values did not stop")
		}
		break
	}
	c := h.Clone()
	c.Set("a", "x")
	if !slices.Equal(c, Header{{"a", "x"}, {"b", "2"}}) || h.Get("a") != "1" {
		t.Fatal(c, h)
	}
	c.Set("new", "v")
	c.Add("b", "4")
	if c.Get("new") != "v" || !slices.Equal(c.GetAll("b"), []string{"2", "4"}) {
		t.Fatal(c)
	}
	c.Del("b")
	if c.Has("b") || len(c) != 2 {
		t.Fatal(c)
	}
	if Header(nil).Clone() != nil {
		t.Fatal("Clone of nil")
	}
}

func TestNewPanicsOnOddPairs(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	New(Send, "destination")
}

func TestHeartBeat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want HeartBeat
		ok   bool
	}{
		{"", HeartBeat{}, true},
		{"0,0", HeartBeat{}, true},
		{"1000,2500", HeartBeat{time.Second, 2500 * time.Millisecond}, true},
		{" 10, 20", HeartBeat{10 * time.Millisecond, 20 * time.Millisecond}, true},
		{"10", HeartBeat{}, false},
		{"-1,0", HeartBeat{}, false},
		{"1,2,3", HeartBeat{}, false},
		{"a,b", HeartBeat{}, false},
		{",", HeartBeat{}, false},
		{"99999999999,0", HeartBeat{}, false},
	} {
		got, err := ParseHeartBeat(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Fatalf("CONF-27 %q: %v %v", tc.in, got, err)
		}
	}
	if s := (HeartBeat{time.Second, 0}).String(); s != "1000,0" {
		t.Fatal(s)
	}
}

func TestCONF28_29_Negotiate(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, tc := range []struct {
		local, remote HeartBeat
		send, recv    time.Duration
	}{
		{HeartBeat{ms(1000), ms(2000)}, HeartBeat{ms(3000), ms(500)}, ms(1000), ms(3000)},
		{HeartBeat{ms(100), ms(100)}, HeartBeat{ms(5000), ms(5000)}, ms(5000), ms(5000)},
		{HeartBeat{0, ms(100)}, HeartBeat{ms(100), ms(100)}, 0, ms(100)},
		{HeartBeat{ms(100), 0}, HeartBeat{ms(100), ms(100)}, ms(100), 0},
		{HeartBeat{ms(100), ms(100)}, HeartBeat{}, 0, 0},
	} {
		s, r := Negotiate(tc.local, tc.remote)
		if s != tc.send || r != tc.recv {
			t.Fatalf("%v/%v: send %v recv %v, want %v %v", tc.local, tc.remote, s, r, tc.send, tc.recv)
		}
	}
}

func TestVersions(t *testing.T) {
	for _, v := range Versions {
		p, err := ParseVersion(v.String())
		if err != nil || p != v || !v.Valid() {
			t.Fatal(v, err)
		}
	}
	if Version(0).String() != "unknown" || Version(0).Valid() {
		t.Fatal("zero version")
	}
	if _, err := ParseVersion("2.0"); err == nil {
		t.Fatal("2.0 accepted")
	}
	// CONF-20: no accept-version means 1.0.
	vs, err := ParseAcceptVersion("")
	if err != nil || !slices.Equal(vs, []Version{V10}) {
		t.Fatal(vs, err)
	}
	vs, err = ParseAcceptVersion("1.1, 1.2,3.0")
	if err != nil || !slices.Equal(vs, []Version{V11, V12}) {
		t.Fatal(vs, err)
	}
	if _, err := ParseAcceptVersion("9.9"); err == nil {
		t.Fatal("9.9 accepted")
	}
	if s := FormatAcceptVersion(Versions); s != "1.0,1.1,1.2" {
		t.Fatal(s)
	}
	if v, ok := Highest([]Version{V10, V11}, Versions); !ok || v != V11 {
		t.Fatal(v)
	}
	if _, ok := Highest([]Version{V12}, []Version{V10}); ok {
		t.Fatal("no common version")
	}
}
