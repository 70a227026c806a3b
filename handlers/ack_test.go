package handlers_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
)

func TestAckOnSuccess(t *testing.T) {
	boom := errors.New("boom")
	ackFail := errors.New("ack refused")
	nackFail := errors.New("nack refused")
	for _, tc := range []struct {
		name      string
		mode      string
		handler   error
		opts      []handlers.AckOption
		ackErr    error
		nackErr   error
		wantCalls []ackCall
		wantIs    []error
		wantText  string
	}{
		{name: "auto success", mode: "auto"},
		{name: "auto failure untouched", mode: "auto", handler: boom, wantIs: []error{boom}},
		{name: "unknown subscription", mode: "", handler: boom, wantIs: []error{boom}},
		{name: "client success acks", mode: "client", wantCalls: []ackCall{{"ack", "m-1"}}},
		{name: "individual failure nacks", mode: "client-individual", handler: boom,
			wantCalls: []ackCall{{"nack", "m-1"}}, wantIs: []error{boom}},
		{name: "no nack on error", mode: "client", handler: boom, opts: []handlers.AckOption{nil, handlers.NackOnError(false)},
			wantIs: []error{boom}},
		{name: "ack fails", mode: "client", ackErr: ackFail,
			wantCalls: []ackCall{{"ack", "m-1"}}, wantIs: []error{ackFail}, wantText: "ack after success"},
		{name: "nack fails", mode: "client", handler: boom, nackErr: nackFail,
			wantCalls: []ackCall{{"nack", "m-1"}}, wantIs: []error{boom, nackFail}, wantText: "nack after failure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &fakeAcker{ackErr: tc.ackErr, nackErr: tc.nackErr}
			m := newMessage("/q", "m-1")
			m.AckMode, m.Acker = tc.mode, a
			err := handlers.AckOnSuccess(tc.opts...)(failWith(tc.handler)).HandleMessage(context.Background(), m)
			if !slices.Equal(a.Calls(), tc.wantCalls) {
				t.Errorf("calls %v, want %v", a.Calls(), tc.wantCalls)
			}
			if len(tc.wantIs) == 0 && err != nil {
				t.Errorf("err = %v, want nil", err)
			}
			for _, want := range tc.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, does not wrap %v", err, want)
				}
			}
			if err != nil && !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("err = %q, want it to say %q", err, tc.wantText)
			}
		})
	}
}

func TestAckOnSuccessWithoutAcknowledger(t *testing.T) {
	m := newMessage("/q", "1")
	m.AckMode = "client"
	err := handlers.AckOnSuccess()(ok).HandleMessage(context.Background(), m)
	if !errors.Is(err, handlers.ErrNoAcknowledger) {
		t.Errorf("err = %v, want ErrNoAcknowledger", err)
	}
}

// A panic turned into an error inside AckOnSuccess is nacked.
func TestAckOnSuccessNacksRecoveredPanics(t *testing.T) {
	a := &fakeAcker{}
	m := newMessage("/q", "m-2")
	m.AckMode, m.Acker = "client-individual", a
	h := handlers.Chain(handlers.AckOnSuccess(), handlers.Recover())(panicking("oops"))
	var p *handlers.PanicError
	if err := h.HandleMessage(context.Background(), m); !errors.As(err, &p) {
		t.Errorf("err = %v, want a PanicError", err)
	}
	if want := []ackCall{{"nack", "m-2"}}; !slices.Equal(a.Calls(), want) {
		t.Errorf("calls %v, want %v", a.Calls(), want)
	}
}
