// Package loop is stampede's reactor: a few gnet event loops that drive many
// connections, a timing wheel for their deadlines, and the executors that
// run user code away from the loops.
//
// An [Engine] owns one gnet client (connections it dials or enrolls) and,
// when asked, listeners (connections it accepts). Every connection is a
// [Conn]: its bytes are read on its loop, pass through an optional [Layer]
// (TLS, WebSocket) and the codec's incremental decoder, and the frames reach
// the connection's [Handler] on that loop. Writes come from any goroutine:
// [Conn.WriteFrame] encodes on the caller's goroutine into the connection's
// outbox, and the loop writes whatever has gathered in one system call.
// The outbox is bounded; past its high-water mark a writer waits on its
// context or fails with [ErrBackpressure].
//
// Heart-beats and deadlines use one [Wheel] per engine: a connection costs a
// timer entry, not a goroutine or a runtime timer.
//
// # Goroutines
//
// Handler methods run on the connection's event loop and must not block.
// User code belongs on an [Executor]: [Serial] (the default: per-connection
// order on a bounded pool of workers), [Pool], [Goroutine], [Inline], or any
// function through [ExecutorFunc].
package loop
