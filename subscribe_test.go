package stampede_test

import (
	"context"
	"testing"
	"time"

	"github.com/stampede-mq/stampede"
)

// A reader that selects on C and Done, the usual loop, gets every message
// of a channel-style subscription whose channel fills up: a delivery
// waiting for room must not keep Done from answering.
func TestChannelSubscriptionReaderSelectsOnDone(t *testing.T) {
	b, eng := rpcPeer(t)
	c := dial(t, b, eng)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := c.Subscribe(ctx, "/queue/select-on-done", nil, stampede.WithChannelSize(0), stampede.WithSubscribeReceipt())
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	for range n {
		if err := c.Send(ctx, "/queue/select-on-done", []byte("x"), stampede.WithReceipt()); err != nil {
			t.Fatal(err)
		}
	}
	for got := 0; got < n; {
		select {
		case <-sub.C():
			got++
		case <-sub.Done():
			t.Fatal("the subscription ended")
		case <-ctx.Done():
			t.Fatalf("%d of %d messages", got, n)
		}
	}
}
