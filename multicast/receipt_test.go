package multicast_test

import (
	"slices"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/multicast"
)

// The sender alone produces one receipt per frame, once the datagram is
// written; receivers neither answer nor see the receipt header.
func TestReceipts(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	senderRec, rcvRec, thirdRec := &recorder{}, &recorder{}, &recorder{}
	sender := member(t, g, p, multicast.WithListener("rec", senderRec))
	rcv := member(t, g, p, multicast.WithListener("rec", rcvRec))
	third := member(t, g, p, multicast.WithListener("rec", thirdRec))
	in, _ := subscribe(t, rcv, "/queue/r")
	thirdIn, _ := subscribe(t, third, "/queue/r")
	senderMarker, _ := subscribe(t, sender, "/marker")

	send(t, sender, "/queue/r", "generated", multicast.WithReceipt())
	send(t, sender, "/queue/r", "chosen", multicast.WithReceipt(), multicast.WithHeader(codec.HdrReceipt, "my-receipt"))
	eventually(t, "two receipts", func() bool { return len(senderRec.receiptIDs()) == 2 })
	ids := senderRec.receiptIDs()
	if ids[0] == "" || ids[1] != "my-receipt" {
		t.Errorf("receipt ids %q", ids)
	}

	for _, b := range []inbox{in, thirdIn} {
		for _, want := range []string{"generated", "chosen"} {
			m := b.next(t)
			if string(m.Body()) != want || m.Frame.Header.Has(codec.HdrReceipt) {
				t.Errorf("got %q with headers %v", m.Body(), m.Frame.Header)
			}
		}
	}
	// Let everything in flight arrive everywhere, then count.
	send(t, sender, "/marker", "end")
	senderMarker.next(t)
	send(t, rcv, "/marker", "end")
	senderMarker.next(t)
	send(t, third, "/marker", "end")
	senderMarker.next(t)
	if got := senderRec.receiptIDs(); len(got) != 2 {
		t.Errorf("sender has receipts %q, want exactly 2", got)
	}
	if got := append(rcvRec.receiptIDs(), thirdRec.receiptIDs()...); len(got) != 0 {
		t.Errorf("receivers got receipts %q", got)
	}
	if s := sender.Stats(); s.Ignored != 0 {
		t.Errorf("sender saw %d non-SEND frames: somebody answered", s.Ignored)
	}
}

// A receipt in a transaction comes when Commit writes the frame.
func TestReceiptInTransaction(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	rec := &recorder{}
	c := member(t, g, p, multicast.WithListener("rec", rec))
	marker, _ := subscribe(t, c, "/marker")
	tx, err := c.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Send(ctxT(t), "/queue/q", nil, multicast.WithReceipt(), multicast.WithHeader(codec.HdrReceipt, "tx-r")); err != nil {
		t.Fatal(err)
	}
	send(t, c, "/marker", "m")
	marker.next(t) // the dispatcher is past anything queued before
	if got := rec.receiptIDs(); len(got) != 0 {
		t.Fatalf("receipt %q before commit", got)
	}
	if err := tx.Commit(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the receipt", func() bool { return slices.Equal(rec.receiptIDs(), []string{"tx-r"}) })
}
