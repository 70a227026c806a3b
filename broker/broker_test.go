package broker

import (
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Options()...) }

func TestParseListen(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:61613":        "127.0.0.1:61613",
		"tcp://127.0.0.1:0":      "127.0.0.1:0",
		"tcp://[::1]:61613/":     "[::1]:61613",
		"tcp://localhost:61613":  "localhost:61613",
		":61613":                 ":61613",
		"tcp://0.0.0.0:0":        "0.0.0.0:0",
		"tcp://example.org:1234": "example.org:1234",
	} {
		got, err := parseListen(in)
		if err != nil || got != want {
			t.Errorf("parseListen(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "localhost", "ws://127.0.0.1:1/ws", "ssl://127.0.0.1:1", "tcp://"} {
		if _, err := parseListen(in); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("parseListen(%q): %v", in, err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	bad := []Option{
		WithAuthenticator(nil), WithHosts(), WithHeartBeat(time.Microsecond, 0), WithLimits(codec.Limits{MaxHeaders: -1}),
		WithMaxPending(0), WithHighWater(10), WithLoops(0), WithLogger(nil), WithVersions(), WithVersions(7),
		WithConnectTimeout(0),
	}
	for i, o := range bad {
		c := defaultConfig()
		if err := o(&c); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("option %d: %v", i, err)
		}
	}
	c := defaultConfig()
	if err := c.apply([]Option{WithHeartBeat(time.Second, 2*time.Second), WithMirroredHeartBeat(), nil}); err != nil {
		t.Fatal(err)
	}
	if !c.mirrorBeats || c.heartBeat != (codec.HeartBeat{}) {
		t.Fatalf("mirrored heart-beat did not replace the fixed one: %+v", c)
	}
	c = defaultConfig()
	_ = WithAuth("u", "p")(&c)
	if !c.auth("u", "p") || c.auth("u", "q") || c.auth("v", "p") {
		t.Fatal("WithAuth compares wrongly")
	}
}

func decodeOne(t *testing.T, v codec.Version, b []byte) *codec.Frame {
	t.Helper()
	f, err := codec.Unmarshal(b, v)
	if err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	return f
}

func TestMessageEncodingPerVersion(t *testing.T) {
	send := codec.New(codec.Send, "destination", "/topic/a", "receipt", "r", "transaction", "t",
		"k:1", "a\\b", "x", "line1\nline2", "content-length", "99", "message-id", "forged")
	send.Body = []byte("body\x00!")
	m := newMessage("sess-1", 7, send)
	s := &session{id: "s", version: codec.V12}
	for _, v := range codec.Versions {
		s.version = v
		sub := newSubscription(s, newTopic("/topic/a"), "/topic/a", "sub:1", true, ackClient, 0)
		b := sub.appendMessage(nil, m, 3, true)
		f := decodeOne(t, v, b)
		if f.Command != codec.Message || string(f.Body) != "body\x00!" {
			t.Fatalf("%v: %s", v, f)
		}
		want := map[string]string{
			"message-id": "sess-1-7", "destination": "/topic/a", "redelivered": "true", "content-length": "6",
		}
		for k, w := range want {
			if got := f.Header.Get(k); got != w {
				t.Errorf("%v: %s = %q, want %q", v, k, got, w)
			}
		}
		for _, k := range []string{"receipt", "transaction"} {
			if f.Header.Has(k) {
				t.Errorf("%v: %s kept", v, k)
			}
		}
		if got := len(f.Header.GetAll("message-id")); got != 1 {
			t.Errorf("%v: %d message-id headers", v, got)
		}
		if v == codec.V10 {
			if f.Header.Has("x") || f.Header.Get("subscription") != "sub:1" {
				t.Errorf("1.0: %s", f)
			}
			continue
		}
		if f.Header.Get("k:1") != "a\\b" || f.Header.Get("x") != "line1\nline2" || f.Header.Get("subscription") != "sub:1" {
			t.Errorf("%v: %s", v, f)
		}
		if hasAck := f.Header.Has("ack"); hasAck != (v == codec.V12) {
			t.Errorf("%v: ack header present = %v", v, hasAck)
		}
	}
}

func TestMessageIDAndCompact(t *testing.T) {
	f := codec.New(codec.Send, "destination", "/queue/a", "h", "v")
	f.Body = []byte("payload")
	m := newMessage("abc-1", 42, f)
	for id, want := range map[string]bool{"abc-1-42": true, "abc-1-4": false, "abc-1-420": false, "abc-142": false, "abc-1-": false, "": false} {
		if m.hasID(id) != want {
			t.Errorf("hasID(%q) = %v", id, !want)
		}
	}
	if m.id() != "abc-1-42" {
		t.Fatal(m.id())
	}
	m.compact() // it now owns its memory: the frame may change
	f.Body[0] = 'X'
	f.Header[1].Value = "changed"
	if string(m.body) != "payload" || m.header.Get("h") != "v" || m.dest != "/queue/a" {
		t.Fatalf("compact kept references to the frame: %q %v %q", m.body, m.header, m.dest)
	}
}

func TestFIFO(t *testing.T) {
	var q fifo
	for i := range 3000 {
		q.push(pending{m: &message{seq: uint64(i)}})
	}
	for i := range 2000 {
		if q.front().m.seq != uint64(i) {
			t.Fatalf("at %d got %d", i, q.front().m.seq)
		}
		q.pop()
	}
	q.pushFront([]pending{{m: &message{seq: 9999}}})
	if q.len() != 1001 || q.front().m.seq != 9999 {
		t.Fatalf("len %d front %d", q.len(), q.front().m.seq)
	}
	for q.len() > 0 {
		q.pop()
	}
	if q.items != nil && cap(q.items) > 1024 {
		t.Fatal("a drained fifo keeps a large array")
	}
}

func TestSettleCumulativeAndIndividual(t *testing.T) {
	s := &session{}
	sub := &subscription{sess: s, mode: ackClient}
	for i := uint64(1); i <= 5; i++ {
		sub.unacked = append(sub.unacked, delivery{seq: i, m: &message{seq: i}})
	}
	if done := sub.settleLocked(3); len(done) != 3 || len(sub.unacked) != 2 || sub.unacked[0].seq != 4 {
		t.Fatalf("cumulative: %v left %v", done, sub.unacked)
	}
	if done := sub.settleLocked(3); done != nil {
		t.Fatal("settled twice")
	}
	sub.mode = ackIndividual
	if done := sub.settleLocked(5); len(done) != 1 || len(sub.unacked) != 1 || sub.unacked[0].seq != 4 {
		t.Fatalf("individual: %v left %v", done, sub.unacked)
	}
}

func TestCorrupted(t *testing.T) {
	in := []byte("RECEIPT\nreceipt-id:1\n\n\x00")
	out := corrupted(in)
	if _, err := codec.Unmarshal(out, codec.V12); !errors.Is(err, codec.ErrEmptyHeaderName) {
		t.Fatalf("%q decodes: %v", out, err)
	}
	if string(in) != "RECEIPT\nreceipt-id:1\n\n\x00" {
		t.Fatal("corrupted modified its input")
	}
}

func TestCachedTailEqualsFreshEncoding(t *testing.T) {
	f := codec.New(codec.Send, "destination", "/topic/t", "k", "v:w", "reply-to", "/queue/r")
	f.Body = []byte("b")
	for _, v := range codec.Versions {
		fresh := newMessage("s", 1, f).appendTail(nil, v)
		m := newMessage("s", 1, f)
		m.cacheTails(1 << versionIndex(v))
		if got := m.appendTail(nil, v); string(got) != string(fresh) {
			t.Errorf("%v: cached %q, fresh %q", v, got, fresh)
		}
	}
}
