package stampede

import (
	"context"
	"strconv"
	"sync"

	"github.com/stampede-mq/stampede/codec"
)

// Transaction is an open STOMP transaction (BEGIN). Frames sent through it
// join it (CONF-45); Commit or Abort ends it. A transaction belongs to the
// session it began on: if the connection drops, the server discards it and
// every later use fails with ErrTransactionDead (CONF-46). Its methods are
// safe for concurrent use.
type Transaction struct {
	c  *Conn
	s  *session
	id string

	mu   sync.Mutex
	done bool
}

// Begin starts a transaction (BEGIN with a unique id).
func (c *Conn) Begin(ctx context.Context) (*Transaction, error) {
	s, err := c.live(ctx)
	if err != nil {
		return nil, err
	}
	tx := &Transaction{c: c, s: s, id: "tx-" + strconv.FormatUint(c.seq.Add(1), 10)}
	f := &codec.Frame{Command: codec.Begin, Header: codec.Header{{Key: codec.HdrTransaction, Value: tx.id}}}
	if err := c.sendFrame(ctx, f, false, false); err != nil {
		return nil, err
	}
	return tx, nil
}

// ID returns the transaction id.
func (tx *Transaction) ID() string { return tx.id }

// check reports why the transaction cannot be used, if it cannot.
func (tx *Transaction) check() error {
	tx.mu.Lock()
	done := tx.done
	tx.mu.Unlock()
	if done {
		return ErrTransactionDone
	}
	if tx.c.session() != tx.s {
		return ErrTransactionDead
	}
	return nil
}

// Send sends within the transaction: the server delivers it on Commit.
func (tx *Transaction) Send(ctx context.Context, destination string, body []byte, opts ...SendOption) error {
	if err := tx.check(); err != nil {
		return err
	}
	return tx.c.Send(ctx, destination, body, append(opts, WithTransaction(tx))...)
}

// Ack acknowledges m within the transaction.
func (tx *Transaction) Ack(ctx context.Context, m *Message) error {
	if err := tx.check(); err != nil {
		return err
	}
	if m.Acker != tx.s {
		return errStaleAck
	}
	return tx.s.acknowledge(ctx, codec.Ack, m, tx.id)
}

// Nack rejects m within the transaction.
func (tx *Transaction) Nack(ctx context.Context, m *Message) error {
	if err := tx.check(); err != nil {
		return err
	}
	if m.Acker != tx.s {
		return errStaleAck
	}
	return tx.s.acknowledge(ctx, codec.Nack, m, tx.id)
}

// Commit commits the transaction; withReceipt waits for the server's
// confirmation.
func (tx *Transaction) Commit(ctx context.Context, withReceipt ...bool) error {
	return tx.end(ctx, codec.Commit, len(withReceipt) > 0 && withReceipt[0])
}

// Abort discards the transaction (stomp.py abort); withReceipt waits for
// the server's confirmation.
func (tx *Transaction) Abort(ctx context.Context, withReceipt ...bool) error {
	return tx.end(ctx, codec.Abort, len(withReceipt) > 0 && withReceipt[0])
}

func (tx *Transaction) end(ctx context.Context, cmd codec.Command, receipt bool) error {
	if err := tx.check(); err != nil {
		return err
	}
	tx.mu.Lock()
	if tx.done {
		tx.mu.Unlock()
		return ErrTransactionDone
	}
	tx.done = true
	tx.mu.Unlock()
	f := &codec.Frame{Command: cmd, Header: codec.Header{{Key: codec.HdrTransaction, Value: tx.id}}}
	return tx.c.sendFrame(ctx, f, receipt, false)
}
