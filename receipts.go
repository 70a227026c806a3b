package stampede

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/stampede-mq/stampede/loop"
)

// receiptTable holds the receipts a session waits for. A waiter's channel
// gets exactly one value: nil for the RECEIPT, or why it cannot come.
type receiptTable struct {
	mu      sync.Mutex
	waiting map[string]chan error
	closed  error // set when the session is gone: new waits fail at once
	// eofOK names the receipt for which the end of the connection counts as
	// success: DISCONNECT's (CONF-52).
	eofOK string
}

func (t *receiptTable) expect(id string, eofOK bool) (chan error, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed != nil {
		return nil, t.closed
	}
	if t.waiting == nil {
		t.waiting = make(map[string]chan error)
	}
	ch := make(chan error, 1)
	t.waiting[id] = ch
	if eofOK {
		t.eofOK = id
	}
	return ch, nil
}

func (t *receiptTable) forget(id string) {
	t.mu.Lock()
	delete(t.waiting, id)
	t.mu.Unlock()
}

// complete delivers the outcome of one receipt; unknown ids are ignored
// (the listeners still see the RECEIPT).
func (t *receiptTable) complete(id string, err error) {
	t.mu.Lock()
	ch := t.waiting[id]
	delete(t.waiting, id)
	t.mu.Unlock()
	if ch != nil {
		ch <- err
	}
}

// failAll fails every pending receipt with err (an ERROR frame).
func (t *receiptTable) failAll(err error) {
	t.mu.Lock()
	w := t.waiting
	t.waiting = nil
	t.closed = err
	t.mu.Unlock()
	for _, ch := range w {
		ch <- err
	}
}

// closeAll settles every pending receipt when the connection ends: the one
// of DISCONNECT succeeds on a clean end, the others are lost.
func (t *receiptTable) closeAll(cause error) {
	lost := ErrReceiptLost
	if cause != nil {
		lost = fmt.Errorf("%w: %w", ErrReceiptLost, cause)
	}
	t.mu.Lock()
	w := t.waiting
	t.waiting = nil
	if t.closed == nil {
		t.closed = lost
	}
	eofOK := t.eofOK
	t.mu.Unlock()
	for id, ch := range w {
		if id == eofOK && (cause == nil || errors.Is(cause, io.EOF) || errors.Is(cause, loop.ErrClosed)) {
			ch <- nil
			continue
		}
		ch <- lost
	}
}

func (c *Conn) nextReceipt() string {
	return "rcpt-" + strconv.FormatUint(c.seq.Add(1), 10)
}

// awaitReceipt waits for a receipt under ctx, or under the receipt timeout
// when ctx has no deadline.
func (c *Conn) awaitReceipt(ctx context.Context, s *session, id string, ch chan error, limit time.Duration) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		s.receipts.forget(id)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w: receipt %s: %w", ErrReceiptTimeout, id, ctx.Err())
		}
		return ctx.Err()
	}
}
