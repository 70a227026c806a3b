package handlers

import (
	"strconv"
	"sync/atomic"

	"github.com/stampede-mq/stampede/codec"
)

// Stats is a [Listener] that counts what happens on the connections it is
// added to, like stomp.py's StatsListener. Counters are atomic: one Stats
// may be shared by any number of connections, and read at any time from any
// goroutine while they run. The zero value is ready to use; a Stats must
// not be copied after first use.
type Stats struct {
	Base

	connections       atomic.Uint64
	reconnections     atomic.Uint64
	disconnects       atomic.Uint64
	messagesReceived  atomic.Uint64
	messagesSent      atomic.Uint64
	receipts          atomic.Uint64
	errors            atomic.Uint64
	heartbeats        atomic.Uint64
	heartbeatTimeouts atomic.Uint64
}

// NewStats returns a Stats with every count at zero.
func NewStats() *Stats { return &Stats{} }

// StatsSnapshot is a copy of the counts of a [Stats]. Each count is read
// atomically, not all of them at the same instant.
type StatsSnapshot struct {
	// Connections counts CONNECTED frames: first connections and
	// reconnections. (stomp.py counts connection attempts in
	// on_connecting; a refused attempt is not a connection.)
	Connections uint64
	// Reconnections counts the automatic reconnections among them.
	Reconnections uint64
	// Disconnects counts OnDisconnected: graceful or not.
	Disconnects uint64
	// MessagesSent counts SEND frames (other frames are not messages).
	MessagesSent uint64
	// MessagesReceived counts MESSAGE frames that reached the listeners.
	MessagesReceived uint64
	// HeartbeatsReceived counts heart-beats from the server.
	HeartbeatsReceived uint64
	// HeartbeatTimeouts counts heart-beat timeouts.
	HeartbeatTimeouts uint64
	// Receipts counts RECEIPT frames.
	Receipts uint64
	// Errors counts ERROR frames and protocol errors.
	Errors uint64
}

// Snapshot returns the current counts. Safe for concurrent use.
func (s *Stats) Snapshot() StatsSnapshot {
	return StatsSnapshot{
		Connections:        s.connections.Load(),
		Reconnections:      s.reconnections.Load(),
		Disconnects:        s.disconnects.Load(),
		MessagesSent:       s.messagesSent.Load(),
		MessagesReceived:   s.messagesReceived.Load(),
		HeartbeatsReceived: s.heartbeats.Load(),
		HeartbeatTimeouts:  s.heartbeatTimeouts.Load(),
		Receipts:           s.receipts.Load(),
		Errors:             s.errors.Load(),
	}
}

// String renders the current counts as [StatsSnapshot.String] does. Safe
// for concurrent use.
func (s *Stats) String() string { return s.Snapshot().String() }

// String renders the counts one per line, in the shape of stomp.py's
// StatsListener (its six lines first, in its order, then ours):
//
//	Connections: 1
//	Disconnects: 0
//	Messages sent: 4
//	Messages received: 2
//	Heartbeats received: 0
//	Errors: 0
//	Heartbeat timeouts: 0
//	Receipts: 1
//	Reconnections: 0
func (s StatsSnapshot) String() string {
	lines := [...]struct {
		name string
		n    uint64
	}{
		{"Connections", s.Connections},
		{"Disconnects", s.Disconnects},
		{"Messages sent", s.MessagesSent},
		{"Messages received", s.MessagesReceived},
		{"Heartbeats received", s.HeartbeatsReceived},
		{"Errors", s.Errors},
		{"Heartbeat timeouts", s.HeartbeatTimeouts},
		{"Receipts", s.Receipts},
		{"Reconnections", s.Reconnections},
	}
	b := make([]byte, 0, 192)
	for i, l := range lines {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, l.name...)
		b = append(b, ": "...)
		b = strconv.AppendUint(b, l.n, 10)
	}
	return string(b)
}

// OnConnected counts a connection.
func (s *Stats) OnConnected(*codec.Frame) { s.connections.Add(1) }

// OnReconnected counts a connection and a reconnection.
func (s *Stats) OnReconnected(*codec.Frame) {
	s.connections.Add(1)
	s.reconnections.Add(1)
}

// OnDisconnected counts a disconnect.
func (s *Stats) OnDisconnected(error) { s.disconnects.Add(1) }

// OnMessage counts a received message.
func (s *Stats) OnMessage(*Message) { s.messagesReceived.Add(1) }

// OnSend counts a sent message when f is a SEND frame. It runs on the
// sending goroutine, like every OnSend.
func (s *Stats) OnSend(f *codec.Frame) {
	if f != nil && f.Command == codec.Send {
		s.messagesSent.Add(1)
	}
}

// OnReceipt counts a receipt.
func (s *Stats) OnReceipt(*codec.Frame) { s.receipts.Add(1) }

// OnError counts an error.
func (s *Stats) OnError(*codec.Frame, error) { s.errors.Add(1) }

// OnHeartbeat counts a heart-beat received.
func (s *Stats) OnHeartbeat() { s.heartbeats.Add(1) }

// OnHeartbeatTimeout counts a heart-beat timeout.
func (s *Stats) OnHeartbeatTimeout() { s.heartbeatTimeouts.Add(1) }

var _ Listener = (*Stats)(nil)
