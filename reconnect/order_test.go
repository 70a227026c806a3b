package reconnect

import (
	"errors"
	"slices"
	"testing"
)

func hostname(name string) func() (string, error) {
	return func() (string, error) { return name, nil }
}

func TestOrder(t *testing.T) {
	both := OrderOptions{PreferLocalhost: true, TryLoopback: true, Hostname: hostname("myhost")}
	prefer := OrderOptions{PreferLocalhost: true, Hostname: hostname("myhost")}
	loop := OrderOptions{TryLoopback: true, Hostname: hostname("myhost")}

	tests := []struct {
		name  string
		hosts []Host
		opts  OrderOptions
		want  []Host
	}{
		{"empty", nil, both, []Host{}},
		{"zero options keep order",
			[]Host{{"a", 1}, {"localhost", 2}, {"myhost", 3}}, OrderOptions{Hostname: hostname("myhost")},
			[]Host{{"a", 1}, {"localhost", 2}, {"myhost", 3}}},
		{"remote only unchanged",
			[]Host{{"b", 1}, {"a", 1}, {"c", 2}}, both,
			[]Host{{"b", 1}, {"a", 1}, {"c", 2}}},
		{"localhost first, stable",
			[]Host{{"a", 1}, {"localhost", 2}, {"b", 3}, {"127.0.0.1", 4}}, prefer,
			[]Host{{"localhost", 2}, {"127.0.0.1", 4}, {"a", 1}, {"b", 3}}},
		{"all loopback forms",
			[]Host{{"r", 1}, {"::1", 2}, {"127.8.9.10", 3}, {"LocalHost.", 4}, {"::ffff:127.0.0.1", 5}, {"128.0.0.1", 6}}, prefer,
			[]Host{{"::1", 2}, {"127.8.9.10", 3}, {"LocalHost.", 4}, {"::ffff:127.0.0.1", 5}, {"r", 1}, {"128.0.0.1", 6}}},
		{"hostname is local, case-insensitive",
			[]Host{{"r", 1}, {"MyHost", 2}}, prefer,
			[]Host{{"MyHost", 2}, {"r", 1}}},
		{"hostname plus loopback right after it",
			[]Host{{"r", 1}, {"myhost", 61613}, {"s", 2}}, both,
			[]Host{{"myhost", 61613}, {"127.0.0.1", 61613}, {"r", 1}, {"s", 2}}},
		{"loopback without preference stays in place",
			[]Host{{"r", 1}, {"myhost", 61613}, {"s", 2}}, loop,
			[]Host{{"r", 1}, {"myhost", 61613}, {"127.0.0.1", 61613}, {"s", 2}}},
		{"no loopback for loopback hosts",
			[]Host{{"localhost", 1}, {"127.0.0.1", 2}, {"::1", 3}}, both,
			[]Host{{"localhost", 1}, {"127.0.0.1", 2}, {"::1", 3}}},
		{"no loopback if the port is covered later in the list",
			[]Host{{"myhost", 61613}, {"r", 1}, {"localhost", 61613}}, loop,
			[]Host{{"myhost", 61613}, {"r", 1}, {"localhost", 61613}}},
		{"loopback on another port does not cover",
			[]Host{{"myhost", 61613}, {"127.0.0.1", 61614}}, both,
			[]Host{{"myhost", 61613}, {"127.0.0.1", 61613}, {"127.0.0.1", 61614}}},
		{"one loopback per port",
			[]Host{{"myhost", 1}, {"myhost.", 1}, {"MYHOST", 2}}, both,
			[]Host{{"myhost", 1}, {"127.0.0.1", 1}, {"myhost.", 1}, {"MYHOST", 2}, {"127.0.0.1", 2}}},
		{"fqdn hostname",
			[]Host{{"r", 1}, {"box.example.com", 7}}, OrderOptions{PreferLocalhost: true, TryLoopback: true, Hostname: hostname("Box.Example.com.")},
			[]Host{{"box.example.com", 7}, {"127.0.0.1", 7}, {"r", 1}}},
		{"nil hostname: only loopback is local",
			[]Host{{"r", 1}, {"myhost", 2}, {"localhost", 3}}, OrderOptions{PreferLocalhost: true, TryLoopback: true},
			[]Host{{"localhost", 3}, {"r", 1}, {"myhost", 2}}},
		{"hostname error: only loopback is local",
			[]Host{{"myhost", 2}, {"localhost", 3}},
			OrderOptions{PreferLocalhost: true, TryLoopback: true, Hostname: func() (string, error) { return "myhost", errors.New("boom") }},
			[]Host{{"localhost", 3}, {"myhost", 2}}},
		{"empty hostname matches nothing",
			[]Host{{"", 2}, {"localhost", 3}}, OrderOptions{PreferLocalhost: true, TryLoopback: true, Hostname: hostname("")},
			[]Host{{"localhost", 3}, {"", 2}}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.hosts)
		got := Order(tt.hosts, tt.opts)
		if !slices.Equal(got, tt.want) || got == nil {
			t.Errorf("%s: Order(%v) = %v, want %v", tt.name, tt.hosts, got, tt.want)
		}
		if !slices.Equal(in, tt.hosts) {
			t.Errorf("%s: Order modified its input: %v, was %v", tt.name, tt.hosts, in)
		}
	}
}

func TestOrderReturnsNewSlice(t *testing.T) {
	hosts := []Host{{"a", 1}, {"b", 2}}
	got := Order(hosts, OrderOptions{})
	got[0].Host = "changed"
	if hosts[0].Host != "a" {
		t.Error("Order result aliases its input")
	}
}

func TestOrderHostnameCalls(t *testing.T) {
	calls := 0
	count := func() (string, error) { calls++; return "myhost", nil }
	hosts := []Host{{"a", 1}, {"myhost", 2}, {"b", 3}}
	Order(hosts, OrderOptions{PreferLocalhost: true, TryLoopback: true, Hostname: count})
	if calls != 1 {
		t.Errorf("Hostname called %d times, want 1", calls)
	}
	Order(hosts, OrderOptions{Hostname: count})
	if calls != 1 {
		t.Errorf("Hostname called although both options are off")
	}
}

func TestDefaultOrderOptions(t *testing.T) {
	opts := DefaultOrderOptions()
	if !opts.PreferLocalhost || !opts.TryLoopback || opts.Hostname == nil {
		t.Fatalf("DefaultOrderOptions() = %+v, want both options on and a Hostname", opts)
	}
	// The defaults use os.Hostname; the test names the host itself so that
	// it runs whatever this machine is called.
	const name = "this-machine.test"
	opts.Hostname = func() (string, error) { return name, nil }
	got := Order([]Host{{"remote.invalid", 1}, {name, 61613}}, opts)
	want := []Host{{name, 61613}, {"127.0.0.1", 61613}, {"remote.invalid", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Order with defaults = %v, want %v", got, want)
	}
}
