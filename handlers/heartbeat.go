package handlers

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/stampede-mq/stampede/codec"
)

// Heartbeat is a [Listener] that logs heart-beating and counts it: the
// heart-beat header the server answered with (debug, on each CONNECTED),
// every heart-beat received (debug) and every heart-beat timeout (warn).
// The connection detects timeouts and closes; Heartbeat only reports them.
//
// One Heartbeat may be shared by many connections (add a "conn" attribute
// with slog.Logger.With to tell them apart in a per-connection logger);
// counts are atomic and every method is safe for concurrent use. The zero
// value logs to slog.Default(); a Heartbeat must not be copied after first
// use.
type Heartbeat struct {
	Base

	logger   *slog.Logger
	beats    atomic.Uint64
	timeouts atomic.Uint64
}

// NewHeartbeat returns a Heartbeat that logs to l (slog.Default() when l is
// nil, looked up at each record).
func NewHeartbeat(l *slog.Logger) *Heartbeat { return &Heartbeat{logger: l} }

// Beats returns the number of heart-beats received.
func (h *Heartbeat) Beats() uint64 { return h.beats.Load() }

// Timeouts returns the number of heart-beat timeouts.
func (h *Heartbeat) Timeouts() uint64 { return h.timeouts.Load() }

// OnConnected logs the server's heart-beat header at debug level.
func (h *Heartbeat) OnConnected(f *codec.Frame) { h.negotiated("stomp heart-beat offered", f) }

// OnReconnected logs the server's heart-beat header at debug level.
func (h *Heartbeat) OnReconnected(f *codec.Frame) {
	h.negotiated("stomp heart-beat offered after reconnection", f)
}

// OnHeartbeat counts the heart-beat and logs it at debug level.
func (h *Heartbeat) OnHeartbeat() {
	n := h.beats.Add(1)
	if l := h.log(); l.Enabled(context.Background(), slog.LevelDebug) {
		l.LogAttrs(context.Background(), slog.LevelDebug, "stomp heart-beat received",
			slog.Uint64("beats", n))
	}
}

// OnHeartbeatTimeout counts the timeout and logs it at warn level.
func (h *Heartbeat) OnHeartbeatTimeout() {
	n := h.timeouts.Add(1)
	h.log().LogAttrs(context.Background(), slog.LevelWarn,
		"stomp heart-beat timeout: nothing received from the server in time; closing the connection",
		slog.Uint64("timeouts", n),
		slog.Uint64("beats", h.beats.Load()))
}

// negotiated logs the heart-beat header of a CONNECTED frame.
func (h *Heartbeat) negotiated(msg string, f *codec.Frame) {
	l := h.log()
	if f == nil || !l.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	v, ok := f.Header.Lookup(codec.HdrHeartBeat)
	if !ok {
		v = "0,0 (absent)"
	}
	l.LogAttrs(context.Background(), slog.LevelDebug, msg, slog.String("server-heart-beat", v))
}

// log returns the logger to use.
func (h *Heartbeat) log() *slog.Logger {
	if h.logger != nil {
		return h.logger
	}
	return slog.Default()
}

var _ Listener = (*Heartbeat)(nil)
