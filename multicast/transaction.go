package multicast

import (
	"context"
	"fmt"
	"strconv"
)

// Transaction groups frames that are sent together on commit. It is kept
// by this member only: frames sent in it are encoded (so that a frame too
// large fails at once) and buffered, nothing reaches the group until
// Commit writes them, in order, and Abort discards them. There is no
// atomicity on the network: UDP may lose any datagram of a committed
// transaction. Its methods are safe for concurrent use.
type Transaction struct {
	c  *Conn
	id string
}

// Begin opens a transaction. Nothing is sent to the group. The
// transaction is discarded if the connection disconnects before it is
// committed. Safe for concurrent use.
func (c *Conn) Begin(ctx context.Context) (*Transaction, error) {
	if err := c.connected(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Only Begin names transactions, from a counter: ids never collide.
	id := "tx-" + strconv.FormatUint(c.ids.Add(1), 10)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.txs[id] = []pending{}
	return &Transaction{c: c, id: id}, nil
}

// ID returns the transaction id, for [WithTransaction].
func (t *Transaction) ID() string { return t.id }

// Send buffers a frame in the transaction: it is Conn.Send with
// [WithTransaction]. A receipt asked for with [WithReceipt] is produced when
// Commit writes the frame. After Commit or Abort it fails with a
// [*TransactionError].
func (t *Transaction) Send(ctx context.Context, destination string, body []byte, opts ...SendOption) error {
	return t.c.Send(ctx, destination, body, append(opts[:len(opts):len(opts)], WithTransaction(t.id))...)
}

// Commit writes the transaction's frames to the group, in the order they
// were sent, and closes the transaction. If a write fails, the frames after
// it are not sent and the error says how many were. Committing a
// transaction that is already committed or aborted fails with a
// [*TransactionError]; so does committing after a disconnect, which
// discards open transactions.
func (t *Transaction) Commit(ctx context.Context) error {
	frames, err := t.c.take(t.id, "commit")
	if err != nil {
		return err
	}
	for i, p := range frames {
		if err := t.c.write(ctx, p.data, p.receipt); err != nil {
			return fmt.Errorf("multicast: commit %q: %d of %d frames sent: %w", t.id, i, len(frames), err)
		}
	}
	return nil
}

// Abort discards the transaction's frames and closes it. Aborting a
// transaction that is already committed or aborted fails with a
// [*TransactionError].
func (t *Transaction) Abort(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := t.c.take(t.id, "abort")
	return err
}

// take removes the transaction id and returns its frames.
func (c *Conn) take(id, op string) ([]pending, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	frames, ok := c.txs[id]
	if !ok {
		return nil, &TransactionError{ID: id, Op: op}
	}
	delete(c.txs, id)
	return frames, nil
}

// buffer appends a frame to the open transaction id.
func (c *Conn) buffer(id string, p pending) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	frames, ok := c.txs[id]
	if !ok {
		return &TransactionError{ID: id, Op: "send"}
	}
	c.txs[id] = append(frames, p)
	return nil
}
