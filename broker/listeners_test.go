package broker_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
)

func TestTLSAndWebSocketListeners(t *testing.T) {
	b, err := broker.Start(
		broker.WithTLSListener("127.0.0.1:0", nil),
		broker.WithWebSocketListener("ws://127.0.0.1:0/ws", nil),
		broker.WithWebSocketListener("wss://127.0.0.1:0/stomp", nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	urls := b.URLs()
	if len(urls) != 4 || !strings.HasPrefix(urls[0], "tcp://") || !strings.HasPrefix(urls[1], "ssl://") ||
		!strings.HasSuffix(urls[2], "/ws") || !strings.HasPrefix(urls[3], "wss://") {
		t.Fatalf("URLs %v", urls)
	}
	eng, err := stampede.NewEngine(stampede.WithLoops(1))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := stampede.Dial(ctx, u, stampede.WithEngine(eng), stampede.WithTLS(&tls.Config{RootCAs: b.RootCAs()}))
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		got := make(chan []byte, 1)
		if _, err := c.Subscribe(ctx, "/queue/l", stampede.HandlerFunc(func(_ context.Context, m *stampede.Message) error {
			got <- m.Body()
			return nil
		}), stampede.WithSubscribeReceipt()); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if err := c.Send(ctx, "/queue/l", []byte(u)); err != nil {
			t.Fatal(err)
		}
		if body := <-got; string(body) != u {
			t.Fatalf("%s: got %q", u, body)
		}
		if err := c.Disconnect(ctx); err != nil {
			t.Fatalf("%s: disconnect: %v", u, err)
		}
		cancel()
	}
}
