package reconnect

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		in      string
		want    Host
		wantErr string // substring of the error; "" means success
	}{
		{"localhost:61613", Host{"localhost", 61613}, ""},
		{"broker.example.com:1", Host{"broker.example.com", 1}, ""},
		{"10.0.0.1:65535", Host{"10.0.0.1", 65535}, ""},
		{"[::1]:61613", Host{"::1", 61613}, ""},
		{"[2001:db8::1]:61614", Host{"2001:db8::1", 61614}, ""},
		{"[fe80::1%eth0]:61613", Host{"fe80::1%eth0", 61613}, ""},
		{"[::ffff:127.0.0.1]:61613", Host{"::ffff:127.0.0.1", 61613}, ""},
		{"host:061613", Host{"host", 61613}, ""}, // leading zeros are still decimal
		{"host:00080", Host{"host", 80}, ""},

		{"", Host{}, "empty address"},
		{"localhost", Host{}, "missing port"},
		{"localhost:", Host{}, "missing port"},
		{"[::1]", Host{}, "missing port"},
		{"[::1]:", Host{}, "missing port"},
		{"::1:61613", Host{}, "IPv6 address must be in brackets"},
		{"2001:db8::1", Host{}, "IPv6 address must be in brackets"},
		{"[::1:61613", Host{}, "malformed address"},
		{"a]:1", Host{}, "malformed address"},
		{"[localhost]:61613", Host{}, "brackets are only for IPv6"},
		{"[10.0.0.1]:61613", Host{}, "brackets are only for IPv6"},
		{":61613", Host{}, "missing host name"},
		{"[]:61613", Host{}, "missing host name"},
		{"host:http", Host{}, `port "http" is not a decimal number`},
		{"host:-1", Host{}, "is not a decimal number"},
		{"host:+1", Host{}, "is not a decimal number"},
		{"host:0", Host{}, "out of range 1-65535"},
		{"host:65536", Host{}, "out of range 1-65535"},
		{"host:99999999999999999999", Host{}, "out of range 1-65535"},
		{" host:1", Host{}, "white space"},
		{"ho st:1", Host{}, "white space"},
		{"tcp://host:61613", Host{}, "looks like a URL"},
	}
	for _, tt := range tests {
		got, err := ParseHost(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseHost(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseHost(%q) = %v, nil; want an error containing %q", tt.in, got, tt.wantErr)
			continue
		}
		if !errors.Is(err, ErrInvalidHost) || !strings.Contains(err.Error(), tt.wantErr) ||
			!strings.HasPrefix(err.Error(), `reconnect: invalid host "`+tt.in+`": `) {
			t.Errorf("ParseHost(%q) error = %q; want ErrInvalidHost naming the input and containing %q", tt.in, err, tt.wantErr)
		}
		if got != (Host{}) {
			t.Errorf("ParseHost(%q) returned %v with an error, want zero Host", tt.in, got)
		}
	}
}

func TestHostStringRoundTrip(t *testing.T) {
	tests := []struct {
		h    Host
		want string
	}{
		{Host{"localhost", 61613}, "localhost:61613"},
		{Host{"::1", 61613}, "[::1]:61613"},
		{Host{"fe80::1%eth0", 1}, "[fe80::1%eth0]:1"},
		{Host{"10.1.2.3", 80}, "10.1.2.3:80"},
	}
	for _, tt := range tests {
		s := tt.h.String()
		if s != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.h, s, tt.want)
		}
		if back, err := ParseHost(s); err != nil || back != tt.h {
			t.Errorf("ParseHost(%q) = %v, %v; want %v", s, back, err, tt.h)
		}
	}
}

func TestParseHostList(t *testing.T) {
	tests := []struct {
		in      string
		want    []Host
		wantErr string
	}{
		{"a:1", []Host{{"a", 1}}, ""},
		{"a:1,b:2", []Host{{"a", 1}, {"b", 2}}, ""},
		{" a:1 ,\t[::1]:2 ", []Host{{"a", 1}, {"::1", 2}}, ""},
		{"", nil, "reconnect: invalid host list: empty"},
		{"   ", nil, "reconnect: invalid host list: empty"},
		{"a:1,,b:2", nil, `reconnect: invalid host list "a:1,,b:2": entry 2 is empty`},
		{"a:1,", nil, "entry 2 is empty"},
		{"a:1,b", nil, `reconnect: invalid host "b": missing port`},
	}
	for _, tt := range tests {
		got, err := ParseHostList(tt.in)
		if tt.wantErr == "" {
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ParseHostList(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidHost) || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
			t.Errorf("ParseHostList(%q) = %v, %v; want nil and an ErrInvalidHost containing %q", tt.in, got, err, tt.wantErr)
		}
	}
}
