package handlers_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// drive sends a fixed sequence of events to l.
func drive(l handlers.Listener) {
	connected := codec.New(codec.Connected, "version", "1.2")
	l.OnConnecting("localhost:61613")
	l.OnConnected(connected)
	for _, cmd := range []codec.Command{codec.Send, codec.Send, codec.Subscribe, codec.Send, codec.Ack, codec.Send} {
		l.OnSend(codec.New(cmd, "destination", "/queue/a"))
	}
	l.OnSend(nil)
	l.OnMessage(newMessage("/queue/a", "1"))
	l.OnMessage(newMessage("/queue/a", "2"))
	l.OnReceipt(codec.New(codec.Receipt, "receipt-id", "r-1"))
	l.OnHeartbeat()
	l.OnHeartbeat()
	l.OnHeartbeat()
	l.OnHeartbeatTimeout()
	l.OnError(codec.New(codec.Error, "message", "bad"), errors.New("bad"))
	l.OnDisconnected(errors.New("heart-beat timeout"))
	l.OnReconnected(connected)
	l.OnDisconnecting()
	l.OnDisconnected(nil)
	l.OnClosed()
}

var driven = handlers.StatsSnapshot{
	Connections:        2,
	Reconnections:      1,
	Disconnects:        2,
	MessagesSent:       4,
	MessagesReceived:   2,
	HeartbeatsReceived: 3,
	HeartbeatTimeouts:  1,
	Receipts:           1,
	Errors:             1,
}

func TestStatsCounts(t *testing.T) {
	s := handlers.NewStats()
	drive(s)
	if got := s.Snapshot(); got != driven {
		t.Errorf("Snapshot() = %+v, want %+v", got, driven)
	}
	want := `Connections: 2
Disconnects: 2
Messages sent: 4
Messages received: 2
Heartbeats received: 3
Errors: 1
Heartbeat timeouts: 1
Receipts: 1
Reconnections: 1`
	if got := s.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := (handlers.StatsSnapshot{}).String(); got[:14] != "Connections: 0" {
		t.Errorf("zero String() = %q", got)
	}
}

// One Stats shared by many connections, read while they run.
func TestStatsShared(t *testing.T) {
	var s handlers.Stats // the zero value works
	const conns = 8
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() { drive(&s) })
	}
	wg.Go(func() {
		for range 100 {
			_ = s.String()
		}
	})
	wg.Wait()
	got := s.Snapshot()
	if got.MessagesSent != conns*driven.MessagesSent || got.HeartbeatsReceived != conns*driven.HeartbeatsReceived ||
		got.Connections != conns*driven.Connections {
		t.Errorf("after %d connections: %+v", conns, got)
	}
}
