package multicast_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stampede-mq/stampede/multicast"
)

// Frames sent in a transaction reach nobody until Commit, which sends them
// in order; committing again is a typed error.
func TestTransactionCommit(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	orders, _ := subscribe(t, rcv, "/queue/orders")
	marker, _ := subscribe(t, rcv, "/marker")

	tx, err := sender.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := tx.Send(ctxT(t), "/queue/orders", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	// The same transaction through Conn.Send and its id.
	send(t, sender, "/queue/orders", "4", multicast.WithTransaction(tx.ID()))
	send(t, sender, "/marker", "before commit")
	marker.next(t)
	orders.empty(t)
	if s := sender.Stats(); s.Sent != 1 {
		t.Errorf("sent %d datagrams before commit, want 1 (the marker)", s.Sent)
	}

	if err := tx.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		m := orders.next(t)
		if string(m.Body()) != fmt.Sprint(i) {
			t.Fatalf("message %d is %q", i, m.Body())
		}
		if m.Header("transaction") != "" {
			t.Errorf("the transaction header travelled: %v", m.Frame.Header)
		}
	}

	var te *multicast.TransactionError
	if err := tx.Commit(ctxT(t)); !errors.As(err, &te) || te.Op != "commit" || te.ID != tx.ID() || !errors.Is(err, multicast.ErrUnknownTransaction) {
		t.Errorf("second Commit: %v, want a TransactionError", err)
	}
	if err := tx.Send(ctxT(t), "/queue/orders", []byte("late")); !errors.As(err, &te) || te.Op != "send" {
		t.Errorf("Send after Commit: %v, want a TransactionError", err)
	}
	if err := tx.Abort(ctxT(t)); !errors.As(err, &te) || te.Op != "abort" {
		t.Errorf("Abort after Commit: %v, want a TransactionError", err)
	}
}

// Abort discards the frames; unknown transactions are typed errors, never a
// crash.
func TestTransactionAbort(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	sender, rcv := member(t, g, p), member(t, g, p)
	orders, _ := subscribe(t, rcv, "/queue/orders")
	marker, _ := subscribe(t, rcv, "/marker")

	tx, err := sender.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	other, err := sender.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if tx.ID() == other.ID() {
		t.Fatalf("two transactions share the id %q", tx.ID())
	}
	if err := tx.Send(ctxT(t), "/queue/orders", []byte("doomed")); err != nil {
		t.Fatal(err)
	}
	if err := other.Send(ctxT(t), "/queue/orders", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Abort(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	send(t, sender, "/marker", "end")
	if m := orders.next(t); string(m.Body()) != "kept" {
		t.Fatalf("got %q, want only the committed frame", m.Body())
	}
	marker.next(t)
	orders.empty(t)

	var te *multicast.TransactionError
	if err := tx.Commit(ctxT(t)); !errors.As(err, &te) || te.Op != "commit" {
		t.Errorf("Commit after Abort: %v, want a TransactionError", err)
	}
	if err := tx.Abort(ctxT(t)); !errors.As(err, &te) || te.Op != "abort" {
		t.Errorf("second Abort: %v, want a TransactionError", err)
	}
	err = sender.Send(ctxT(t), "/queue/orders", []byte("x"), multicast.WithTransaction("never-begun"))
	if !errors.As(err, &te) || te.ID != "never-begun" || te.Op != "send" {
		t.Errorf("Send in an unknown transaction: %v, want a TransactionError", err)
	}
}

// A disconnect discards open transactions.
func TestDisconnectDiscardsTransactions(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	c := member(t, g, p)
	tx, err := c.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Send(ctxT(t), "/queue/x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := c.Disconnect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctxT(t)); !errors.Is(err, multicast.ErrUnknownTransaction) {
		t.Errorf("Commit after Disconnect: %v, want ErrUnknownTransaction", err)
	}
	if _, err := c.Begin(ctxT(t)); !errors.Is(err, multicast.ErrNotConnected) {
		t.Errorf("Begin after Disconnect: %v, want ErrNotConnected", err)
	}
}
