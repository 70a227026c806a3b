package websocket_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
	"github.com/stampede-mq/stampede/websocket/wstest"
)

// TestThousandConnectionsFixedGoroutines opens 1,000 WebSocket connections
// on one engine, each upgraded and through CONNECT, and checks that the
// number of goroutines does not grow with them: the connections live on
// the event loops.
func TestThousandConnectionsFixedGoroutines(t *testing.T) {
	const n = 1000
	s := startServer(t, wstest.Options{Loops: 2})
	e := newEngine(t)
	before := runtime.NumGoroutine()

	conns := make([]*loop.Conn, n)
	recs := make([]*client, n)
	var wg sync.WaitGroup
	const dialers = 8
	for d := range dialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := d; i < n; i += dialers {
				lc, rec, _, err := tryDial(e, s, websocket.Config{})
				if err == nil {
					f := codec.New(codec.Connect, codec.HdrAcceptVersion, "1.2", codec.HdrHost, "/")
					err = lc.WriteFrame(context.Background(), loop.Wait, codec.Encoder{}, f)
				}
				if err != nil {
					t.Errorf("connection %d: %v", i, err)
					return
				}
				conns[i], recs[i] = lc, rec
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, rec := range recs {
		rec.next(t, codec.Connected)
	}
	if e.Conns() != n {
		t.Fatalf("%d connections on the engine, want %d", e.Conns(), n)
	}
	waitFor(t, "the server's side", func() bool { return s.Conns() == n })
	// gnet hands each enrollment to a pooled worker that lingers briefly;
	// a few of them may still be around. Nothing per connection.
	var during int
	waitFor(t, "the goroutine count to settle", func() bool {
		during = runtime.NumGoroutine()
		return during-before <= 16
	})
	t.Logf("goroutines: %d before, %d with %d WebSocket connections open", before, during, n)
	for _, lc := range conns {
		lc.Close(nil)
	}
	for _, rec := range recs {
		if err := <-rec.closed; err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the server to see every close", func() bool { return s.Conns() == 0 })
}
