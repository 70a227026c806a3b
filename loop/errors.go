package loop

import "errors"

// Errors of the loop package. They are the same values the root stampede
// package returns, so errors.Is works at either level.
var (
	// ErrClosed: the connection or engine is closed.
	ErrClosed = errors.New("stampede: connection closed")
	// ErrEngineClosed: the engine is closed or not started.
	ErrEngineClosed = errors.New("stampede: engine closed")
	// ErrBackpressure: the connection's outbox is past its high-water mark
	// and the write was asked not to wait.
	ErrBackpressure = errors.New("stampede: outbound buffer full (backpressure)")
	// ErrHeartbeatTimeout: nothing arrived from the peer within the
	// negotiated heart-beat interval times the receive scale.
	ErrHeartbeatTimeout = errors.New("stampede: heart-beat timeout")
	// ErrQueueFull: an executor's queue for a key is full.
	ErrQueueFull = errors.New("stampede: executor queue full")
	// ErrExecutorClosed: the executor no longer accepts tasks.
	ErrExecutorClosed = errors.New("stampede: executor closed")
	// ErrUnsupportedConn: the net.Conn given to Enroll is not a TCP or Unix
	// socket.
	ErrUnsupportedConn = errors.New("stampede: unsupported net.Conn type for the event loops")
)
