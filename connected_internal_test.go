package stampede

import (
	"reflect"
	"testing"

	"github.com/stampede-mq/stampede/codec"
)

func TestPackedConnectedRoundTrips(t *testing.T) {
	frames := []*codec.Frame{
		{Command: codec.Connected},
		{Command: codec.Connected, Header: codec.Header{{Key: "version", Value: "1.2"}}},
		{Command: codec.Connected, Header: codec.Header{
			{Key: "version", Value: "1.2"}, {Key: "heart-beat", Value: "0,0"},
			{Key: "server", Value: "RabbitMQ/3.10.8"}, {Key: "session", Value: "session-ab:cd"},
			{Key: "empty", Value: ""}, {Key: "server", Value: "second"},
		}},
		{Command: codec.Connected, Header: codec.Header{{Key: "x", Value: ""}}, Body: []byte("a body\n")},
		{Command: codec.Connected, Body: []byte("\x00only a body")},
	}
	for _, f := range frames {
		p := packConnected(f)
		if p == "" {
			t.Fatalf("%v packs to nothing", f.Header)
		}
		got := unpackConnected(p)
		if got.Command != codec.Connected || !reflect.DeepEqual(got.Header, f.Header) || string(got.Body) != string(f.Body) {
			t.Fatalf("round trip of %+v gave %+v", f, got)
		}
		for _, fl := range f.Header {
			if v := connectedHeader(p, fl.Key); v != f.Header.Get(fl.Key) {
				t.Fatalf("%s: %q, want %q", fl.Key, v, f.Header.Get(fl.Key))
			}
		}
		if v := connectedHeader(p, "absent"); v != "" {
			t.Fatalf("absent header: %q", v)
		}
	}
	if unpackConnected("") != nil {
		t.Fatal("no CONNECTED yet must be nil")
	}
}
