package handlers_test

import (
	"log/slog"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

func TestHeartbeatLogsAndCounts(t *testing.T) {
	var j jsonLog
	h := handlers.NewHeartbeat(j.logger(slog.LevelDebug))
	h.OnConnected(codec.New(codec.Connected, "heart-beat", "10000,10000"))
	h.OnReconnected(codec.New(codec.Connected))
	h.OnConnected(nil)
	h.OnHeartbeat()
	h.OnHeartbeat()
	h.OnHeartbeatTimeout()
	if h.Beats() != 2 || h.Timeouts() != 1 {
		t.Errorf("Beats() = %d, Timeouts() = %d", h.Beats(), h.Timeouts())
	}
	recs := j.records(t)
	want := []struct {
		level, key string
		value      any
	}{
		{"DEBUG", "server-heart-beat", "10000,10000"},
		{"DEBUG", "server-heart-beat", "0,0 (absent)"},
		{"DEBUG", "beats", 1.0},
		{"DEBUG", "beats", 2.0},
		{"WARN", "timeouts", 1.0},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %s", len(recs), len(want), j.buf.String())
	}
	for i, w := range want {
		if recs[i]["level"] != w.level || recs[i][w.key] != w.value {
			t.Errorf("record %d = %v, want %s with %s=%v", i, recs[i], w.level, w.key, w.value)
		}
	}
}

func TestHeartbeatQuietAtInfo(t *testing.T) {
	var j jsonLog
	old := slog.Default()
	slog.SetDefault(j.logger(slog.LevelInfo))
	t.Cleanup(func() { slog.SetDefault(old) })
	var h handlers.Heartbeat // the zero value logs to slog.Default()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			h.OnConnected(codec.New(codec.Connected, "heart-beat", "0,0"))
			h.OnHeartbeat()
		})
	}
	wg.Wait()
	h.OnHeartbeatTimeout()
	recs := j.records(t)
	if len(recs) != 1 || recs[0]["level"] != "WARN" || recs[0]["beats"] != 4.0 {
		t.Errorf("records %v, want only the timeout", recs)
	}
}
