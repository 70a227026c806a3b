package handlers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
)

func TestMessageAccessors(t *testing.T) {
	m := newMessage("/queue/a", "m-7", "redelivered", "true", "x", "1", "x", "2")
	m.Frame.Body = []byte("hi")
	if m.Destination() != "/queue/a" || m.ID() != "m-7" || string(m.Body()) != "hi" || m.Header("x") != "1" {
		t.Errorf("accessors: %q %q %q %q", m.Destination(), m.ID(), m.Body(), m.Header("x"))
	}
	if !m.Redelivered() {
		t.Error("Redelivered() = false for redelivered:true")
	}
	if newMessage("/q", "1").Redelivered() {
		t.Error("Redelivered() = true without the header")
	}
}

func TestMessageNeedsAck(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want bool
	}{
		{"", false}, {"auto", false}, {"client", true}, {"client-individual", true}, {"CLIENT", false},
	} {
		m := newMessage("/q", "1")
		m.AckMode = tc.mode
		if got := m.NeedsAck(); got != tc.want {
			t.Errorf("NeedsAck() with ack mode %q = %v, want %v", tc.mode, got, tc.want)
		}
	}
}

func TestMessageAckNack(t *testing.T) {
	ctx := context.Background()
	m := newMessage("/q", "1")
	if err := m.Ack(ctx); !errors.Is(err, handlers.ErrNoAcknowledger) {
		t.Errorf("Ack without Acker = %v, want ErrNoAcknowledger", err)
	}
	if err := m.Nack(ctx); !errors.Is(err, handlers.ErrNoAcknowledger) {
		t.Errorf("Nack without Acker = %v, want ErrNoAcknowledger", err)
	}
	a := &fakeAcker{nackErr: errors.New("no NACK in STOMP 1.0")}
	m.Acker = a
	if err := m.Ack(ctx); err != nil {
		t.Errorf("Ack = %v", err)
	}
	if err := m.Nack(ctx); err != a.nackErr {
		t.Errorf("Nack = %v, want the Acker's error", err)
	}
	if want := []ackCall{{"ack", "1"}, {"nack", "1"}}; !slices.Equal(a.Calls(), want) {
		t.Errorf("calls %v, want %v", a.Calls(), want)
	}
}
