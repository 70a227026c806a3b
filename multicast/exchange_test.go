package multicast_test

import (
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/multicast"
)

// Two members of one group exchange messages both ways, and a received
// message is a MESSAGE with message-id, subscription and the sender's
// headers.
func TestTwoMembersExchangeMessages(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	alice, bob := member(t, g, p), member(t, g, p)
	aliceIn, _ := subscribe(t, alice, "/queue/alice", multicast.WithID("a-1"))
	bobIn, bobSub := subscribe(t, bob, "/queue/bob")

	send(t, alice, "/queue/bob", "hi bob", multicast.WithContentType("text/plain"), multicast.WithHeader("k", "v:1"))
	m := bobIn.next(t)
	if string(m.Body()) != "hi bob" || m.Destination() != "/queue/bob" {
		t.Fatalf("bob got %q to %s", m.Body(), m.Destination())
	}
	if m.Frame.Command != codec.Message {
		t.Errorf("command %s, want MESSAGE", m.Frame.Command)
	}
	if got := m.Frame.Header.Get(codec.HdrSubscription); got != bobSub.ID() || m.Subscription != bobSub.ID() {
		t.Errorf("subscription header %q, Message.Subscription %q, want %q", got, m.Subscription, bobSub.ID())
	}
	wantID := alice.InstanceID() + "-" + m.Header(multicast.HdrSequence)
	if m.ID() != wantID {
		t.Errorf("message-id %q, want %q", m.ID(), wantID)
	}
	if m.Header(multicast.HdrSender) != alice.InstanceID() {
		t.Errorf("sender header %q, want %q", m.Header(multicast.HdrSender), alice.InstanceID())
	}
	if m.Header(codec.HdrContentType) != "text/plain" || m.Header("k") != "v:1" {
		t.Errorf("headers not carried: %v", m.Frame.Header)
	}
	if m.Header(codec.HdrContentLength) != "6" {
		t.Errorf("content-length %q, want 6", m.Header(codec.HdrContentLength))
	}
	if m.AckMode != multicast.AckAuto || m.NeedsAck() {
		t.Errorf("ack mode %q", m.AckMode)
	}
	if err := m.Ack(ctxT(t)); err != nil {
		t.Errorf("Ack is a local no-op, got %v", err)
	}

	send(t, bob, "/queue/alice", "hi alice")
	m = aliceIn.next(t)
	if string(m.Body()) != "hi alice" || m.Subscription != "a-1" {
		t.Fatalf("alice got %q on %q", m.Body(), m.Subscription)
	}
	second := alice.Send(ctxT(t), "/queue/bob", []byte("again"))
	if second != nil {
		t.Fatal(second)
	}
	if m2 := bobIn.next(t); m2.ID() == wantID {
		t.Errorf("two messages share the id %q", wantID)
	}
}

// Only the members whose subscriptions match a destination get the message;
// one that matches several subscriptions gets a copy for each.
func TestDestinationFiltering(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	a, _ := subscribe(t, rcv, "/topic/a")
	b, _ := subscribe(t, rcv, "/topic/b")
	a2, _ := subscribe(t, rcv, "/topic/a", multicast.WithID("second-a"))

	send(t, sender, "/topic/nobody", "lost")
	send(t, sender, "/topic/a", "for a")
	if m := a.next(t); string(m.Body()) != "for a" {
		t.Fatalf("a got %q", m.Body())
	}
	if m := a2.next(t); string(m.Body()) != "for a" || m.Subscription != "second-a" {
		t.Fatalf("second a got %q on %q", m.Body(), m.Subscription)
	}
	send(t, sender, "/topic/b", "for b")
	if m := b.next(t); string(m.Body()) != "for b" {
		t.Fatalf("b got %q", m.Body())
	}
	a.empty(t)
	a2.empty(t)
	b.empty(t)
	if s := rcv.Stats(); s.Unmatched != 1 || s.Delivered != 3 {
		t.Errorf("stats %+v, want 1 unmatched and 3 delivered", s)
	}
	// The sender receives its own three frames and subscribes to nothing.
	eventually(t, "the sender to ignore its frames", func() bool { return sender.Stats().Unmatched == 3 })
}

// Wildcard subscriptions match by segment.
func TestWildcardSubscriptions(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	star, _ := subscribe(t, rcv, "/topic/*/price")
	rest, _ := subscribe(t, rcv, "/topic/stocks.>")
	marker, _ := subscribe(t, rcv, "/marker")

	send(t, sender, "/topic/acme/price", "1")
	send(t, sender, "/topic/acme/volume", "2")
	send(t, sender, "/topic/stocks.acme.eu", "3")
	send(t, sender, "/topic/stocks", "4")
	send(t, sender, "/marker", "end")
	marker.next(t)
	if m := star.next(t); string(m.Body()) != "1" || m.Destination() != "/topic/acme/price" {
		t.Errorf("star got %q to %s", m.Body(), m.Destination())
	}
	if m := rest.next(t); string(m.Body()) != "3" {
		t.Errorf("rest got %q", m.Body())
	}
	star.empty(t)
	rest.empty(t)
}

// After Unsubscribe the subscription gets nothing more; a second
// Unsubscribe is an error.
func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	news, sub := subscribe(t, rcv, "/topic/news")
	marker, _ := subscribe(t, rcv, "/marker")

	send(t, sender, "/topic/news", "before")
	if m := news.next(t); string(m.Body()) != "before" {
		t.Fatalf("got %q", m.Body())
	}
	if err := sub.Unsubscribe(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	send(t, sender, "/topic/news", "after")
	send(t, sender, "/marker", "end")
	marker.next(t) // sent after "after": "after" has been read and ignored
	news.empty(t)
	if err := sub.Unsubscribe(ctxT(t)); err != multicast.ErrUnknownSubscription {
		t.Errorf("second Unsubscribe: %v, want ErrUnknownSubscription", err)
	}
	// The id is free again.
	if _, err := rcv.Subscribe(ctxT(t), "/topic/other", nil, multicast.WithID(sub.ID())); err != nil {
		t.Errorf("reusing the id: %v", err)
	}
}

// With loopback on a member receives its own messages; with loopback off
// it does not, while the others still do.
func TestOwnMessageLoopback(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	on := member(t, g, p)
	off := member(t, g, p, multicast.WithLoopback(false))
	onIn, _ := subscribe(t, on, "/topic/echo")
	offIn, _ := subscribe(t, off, "/topic/echo")
	offMarker, _ := subscribe(t, off, "/marker")

	send(t, on, "/topic/echo", "from on")
	if m := onIn.next(t); string(m.Body()) != "from on" {
		t.Fatalf("on did not get its own message: %q", m.Body())
	}
	if m := offIn.next(t); string(m.Body()) != "from on" {
		t.Fatalf("off did not get on's message: %q", m.Body())
	}

	send(t, off, "/topic/echo", "from off")
	if m := onIn.next(t); string(m.Body()) != "from off" {
		t.Fatalf("on did not get off's message: %q", m.Body())
	}
	send(t, on, "/marker", "end")
	offMarker.next(t)
	offIn.empty(t)
	if s := off.Stats(); s.Own != 1 {
		t.Errorf("off stats %+v, want 1 own frame dropped", s)
	}
}
