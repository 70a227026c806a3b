package multicast_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

// Dial reports connected locally: status, version and a synthetic
// CONNECTED for the connected listeners. Disconnect fires disconnecting,
// disconnected(nil) and closed in order, and Close joins every goroutine.
// Not parallel: the leak check must see only this test's goroutines.
func TestLifecycle(t *testing.T) {
	defer goleak.VerifyNone(t)
	g, p := newGroup(t)
	rec := &recorder{}
	c, err := multicast.Dial(context.Background(), append(loopOpts(g, p), multicast.WithListener("rec", rec))...)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status() != multicast.StatusConnected || c.Version() != codec.V12 {
		t.Errorf("status %v version %v", c.Status(), c.Version())
	}
	if c.Group().String() != fmt.Sprintf("%s:%d", g, p) {
		t.Errorf("group %v", c.Group())
	}
	eventually(t, "OnConnected", func() bool { return rec.has("connected") })
	rec.mu.Lock()
	f := rec.frames[0]
	rec.mu.Unlock()
	if f.Command != codec.Connected || f.Header.Get(codec.HdrVersion) != "1.2" || f.Header.Get(codec.HdrSession) != c.InstanceID() {
		t.Errorf("CONNECTED frame %v", f)
	}
	in, _ := subscribe(t, c, "/queue/self")
	send(t, c, "/queue/self", "one")
	in.next(t)

	if err := c.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("connecting %s:%d", g, p),
		"connected",
		"message /queue/self one",
		"disconnecting",
		"disconnected <nil>",
		"closed",
	}
	if got := rec.snapshot(); !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
	if c.Status() != multicast.StatusClosed {
		t.Errorf("status %v after Disconnect", c.Status())
	}
	if err := c.Send(context.Background(), "/queue/self", nil); !errors.Is(err, multicast.ErrNotConnected) {
		t.Errorf("Send after Disconnect: %v", err)
	}
	if _, err := c.Subscribe(context.Background(), "/queue/x", nil); !errors.Is(err, multicast.ErrNotConnected) {
		t.Errorf("Subscribe after Disconnect: %v", err)
	}
	if err := c.Disconnect(context.Background()); !errors.Is(err, multicast.ErrNotConnected) {
		t.Errorf("second Disconnect: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close after Disconnect: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Listeners run in the order they were added, a replaced one keeps its
// place, a removed one stops; OnBeforeMessage can change or drop a message;
// OnSend can add headers.
func TestListeners(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	var order []string // only touched on the dispatcher, read after a message passed it
	c := member(t, g, p)
	c.SetListener("first", &funcListener{name: "first", order: &order})
	c.SetListener("second", &funcListener{name: "second", order: &order})
	c.SetListener("third", &funcListener{name: "third", order: &order})
	c.SetListener("first", &funcListener{name: "first-again", order: &order})
	c.RemoveListener("third")
	if l, ok := c.Listener("second").(*funcListener); !ok || l.name != "second" {
		t.Errorf("Listener(second) = %v", c.Listener("second"))
	}
	if c.Listener("third") != nil {
		t.Error("third still there")
	}
	in, _ := subscribe(t, c, "/queue/l")
	send(t, c, "/queue/l", "drop me")
	send(t, c, "/queue/l", "keep me")
	m := in.next(t)
	if string(m.Body()) != "keep me" || m.Header("before") != "first-again,second" || m.Header("sent-by") != "first-again" {
		t.Fatalf("got %q with headers %v", m.Body(), m.Frame.Header)
	}
	want := []string{
		"first-again before drop me", // returns nil: second never sees it
		"first-again before keep me", "second before keep me",
		"first-again message", "second message",
	}
	if !slices.Equal(order, want) {
		t.Errorf("order\n got %q\nwant %q", order, want)
	}
}

type funcListener struct {
	recorder
	name  string
	order *[]string
}

func (l *funcListener) OnBeforeMessage(f *codec.Frame) *codec.Frame {
	*l.order = append(*l.order, l.name+" before "+string(f.Body))
	if string(f.Body) == "drop me" {
		return nil
	}
	prev := f.Header.Get("before")
	if prev != "" {
		prev += ","
	}
	f.Header.Set("before", prev+l.name)
	return f
}

func (l *funcListener) OnMessage(*handlers.Message) {
	*l.order = append(*l.order, l.name+" message")
}

func (l *funcListener) OnSend(f *codec.Frame) {
	if !f.Header.Has("sent-by") {
		f.Header.Add("sent-by", l.name)
	}
}

// Options with invalid values fail Dial with ErrInvalidOption.
func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	cases := map[string]multicast.Option{
		"unicast group": multicast.WithGroup("10.0.0.1"),
		"ipv6 group":    multicast.WithGroup("ff02::1"),
		"bad group":     multicast.WithGroup("not-an-ip"),
		"port 0":        multicast.WithPort(0),
		"port too big":  multicast.WithPort(70000),
		"no interface":  multicast.WithInterface("does-not-exist0"),
		"ttl":           multicast.WithTTL(256),
		"bind":          multicast.WithBindAddress("::1"),
		"datagram 0":    multicast.WithMaxDatagramSize(0),
		"datagram big":  multicast.WithMaxDatagramSize(multicast.MaxDatagramSize + 1),
		"queue":         multicast.WithQueueSize(0),
		"logger":        multicast.WithLogger(nil),
		"listener":      multicast.WithListener("x", nil),
	}
	for name, opt := range cases {
		if _, err := multicast.Dial(context.Background(), opt); !errors.Is(err, multicast.ErrInvalidOption) {
			t.Errorf("%s: %v, want ErrInvalidOption", name, err)
		}
		if _, err := multicast.NewTransport(opt); !errors.Is(err, multicast.ErrInvalidOption) {
			t.Errorf("%s: NewTransport: %v, want ErrInvalidOption", name, err)
		}
	}
	g, p := newGroup(t)
	c := member(t, g, p)
	sendCases := map[string]multicast.SendOption{
		"empty header":       multicast.WithHeader("", "v"),
		"destination header": multicast.WithHeader("destination", "/x"),
		"content type":       multicast.WithContentType(""),
		"transaction":        multicast.WithTransaction(""),
		"headers":            multicast.WithHeaders(codec.Header{{Key: "", Value: "x"}}),
	}
	for name, opt := range sendCases {
		if err := c.Send(ctxT(t), "/queue/x", nil, opt); !errors.Is(err, multicast.ErrInvalidOption) {
			t.Errorf("Send %s: %v, want ErrInvalidOption", name, err)
		}
	}
	for name, opt := range map[string]multicast.SubscribeOption{"id": multicast.WithID(""), "ack": multicast.WithAck("sometimes")} {
		if _, err := c.Subscribe(ctxT(t), "/queue/x", nil, opt); !errors.Is(err, multicast.ErrInvalidOption) {
			t.Errorf("Subscribe %s: %v, want ErrInvalidOption", name, err)
		}
	}
	if err := c.Send(ctxT(t), "", nil); !errors.Is(err, multicast.ErrEmptyDestination) {
		t.Errorf("Send without destination: %v", err)
	}
	if _, err := c.Subscribe(ctxT(t), "", nil); !errors.Is(err, multicast.ErrEmptyDestination) {
		t.Errorf("Subscribe without destination: %v", err)
	}
	if _, err := c.Subscribe(ctxT(t), "/queue/x", nil, multicast.WithID("same")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctxT(t), "/queue/y", nil, multicast.WithID("same")); !errors.Is(err, multicast.ErrDuplicateSubscription) {
		t.Errorf("duplicate id: %v", err)
	}
}

// Dial fails cleanly when the group cannot be joined: the listeners see
// connecting then closed, and no goroutine is left behind (TestMain checks).
func TestDialFailure(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	// Binding a unicast address that is not local fails.
	_, err := multicast.Dial(ctxT(t), append(loopOpts(g, p), multicast.WithBindAddress("203.0.113.7"), multicast.WithListener("rec", rec))...)
	if err == nil || !strings.Contains(err.Error(), "multicast: bind") {
		t.Fatalf("Dial: %v, want a bind error", err)
	}
	want := []string{fmt.Sprintf("connecting %s:%d", g, p), "closed"}
	if got := rec.snapshot(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
