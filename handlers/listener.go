package handlers

import "github.com/stampede-mq/stampede/codec"

// Listener observes a connection. It has every event of stomp.py's
// ConnectionListener, and reconnection. Embed [Base] so that adding an event
// to this interface later does not break your type.
//
// Methods run on the connection's executor, one at a time and in order,
// except OnSend, which runs on the goroutine that sends. Internal processing
// always runs first: when OnReceipt runs, the call that waited for the
// receipt has already been released; when OnConnected runs, the connection
// is usable.
type Listener interface {
	// OnConnecting: a transport connection to addr is about to be opened
	// (stomp.py on_connecting).
	OnConnecting(addr string)
	// OnConnected: the server answered the first CONNECT (stomp.py
	// on_connected). After an automatic reconnection OnReconnected fires
	// instead.
	OnConnected(f *codec.Frame)
	// OnDisconnecting: DISCONNECT is about to be sent; it has not been
	// sent yet when this runs (stomp.py on_disconnecting). It runs on the
	// goroutine that called Disconnect, so it may come before events still
	// queued on the connection's executor (the OnConnected of a connection
	// disconnected at once, a message being handled).
	OnDisconnecting()
	// OnDisconnected: the connection to the server is gone. cause is nil
	// after a graceful disconnect, else why (stomp.py on_disconnected).
	// With automatic reconnection it fires for each drop.
	OnDisconnected(cause error)
	// OnHeartbeatTimeout: nothing arrived from the server within the
	// negotiated interval times the receive scale; the connection is
	// being closed (stomp.py on_heartbeat_timeout).
	OnHeartbeatTimeout()
	// OnBeforeMessage runs before a MESSAGE is handled and may change it:
	// return the frame (modified or not) to go on, another frame to
	// replace it, or nil to drop it, in which case no later listener and
	// no handler sees it (stomp.py on_before_message, whose return value
	// stomp.py ignores).
	OnBeforeMessage(f *codec.Frame) *codec.Frame
	// OnMessage: a MESSAGE arrived (stomp.py on_message). It runs before
	// the subscription's handler.
	OnMessage(m *Message)
	// OnReceipt: a RECEIPT arrived (stomp.py on_receipt), including those
	// no call waits for.
	OnReceipt(f *codec.Frame)
	// OnError: the server sent an ERROR frame (f is that frame and err a
	// value wrapping it), or the client found a protocol error in what the
	// server sent (f is nil) (stomp.py on_error).
	OnError(f *codec.Frame, err error)
	// OnSend: a frame is about to be encoded and sent; it may add or change
	// headers (stomp.py on_send). It runs on the sending goroutine.
	OnSend(f *codec.Frame)
	// OnHeartbeat: a heart-beat arrived from the server (stomp.py
	// on_heartbeat).
	OnHeartbeat()
	// OnReconnected: automatic reconnection succeeded; f is the new
	// CONNECTED frame. Subscriptions have been re-established.
	OnReconnected(f *codec.Frame)
	// OnClosed: the connection is finished for good: no event follows
	// (stomp.py on_receiver_loop_completed).
	OnClosed()
}

// Base implements every [Listener] method as a no-op. OnBeforeMessage
// returns the frame unchanged.
type Base struct{}

// OnConnecting does nothing.
func (Base) OnConnecting(string) {}

// OnConnected does nothing.
func (Base) OnConnected(*codec.Frame) {}

// OnDisconnecting does nothing.
func (Base) OnDisconnecting() {}

// OnDisconnected does nothing.
func (Base) OnDisconnected(error) {}

// OnHeartbeatTimeout does nothing.
func (Base) OnHeartbeatTimeout() {}

// OnBeforeMessage returns f unchanged.
func (Base) OnBeforeMessage(f *codec.Frame) *codec.Frame { return f }

// OnMessage does nothing.
func (Base) OnMessage(*Message) {}

// OnReceipt does nothing.
func (Base) OnReceipt(*codec.Frame) {}

// OnError does nothing.
func (Base) OnError(*codec.Frame, error) {}

// OnSend does nothing.
func (Base) OnSend(*codec.Frame) {}

// OnHeartbeat does nothing.
func (Base) OnHeartbeat() {}

// OnReconnected does nothing.
func (Base) OnReconnected(*codec.Frame) {}

// OnClosed does nothing.
func (Base) OnClosed() {}

var _ Listener = Base{}
