// Package handlers is what users plug into a stampede connection: listeners
// that observe connection events, handlers that process messages, and
// middleware that wraps handlers.
//
// # Listeners
//
// A [Listener] receives every event stomp.py's ConnectionListener does,
// Go-shaped, plus reconnection. Embed [Base] to implement only the events you
// need. A connection runs its internal processing first and then its
// listeners in the order they were added.
//
// Shipped listeners, the counterparts of stomp.py's:
//
//   - [Stats] counts connections, messages, receipts, errors and heart-beats
//     (StatsListener); one may serve many connections.
//   - [Waiting] waits, with a context, for a receipt, the connection or the
//     disconnection (WaitingListener), without missing what happened before
//     the wait.
//   - [Printing] shows every event on one line, to an io.Writer or a
//     slog.Logger (PrintingListener).
//   - [Recorder] keeps what arrives and lets tests wait for it; it is also a
//     Stats and a Waiting (TestListener).
//   - [Heartbeat] logs heart-beats and timeouts.
//
// # Handlers and middleware
//
// A [Handler] processes one [Message] and returns an error. A [Middleware]
// wraps a Handler; [Chain] composes middleware so that the first one given is
// the outermost. Outbound, [SendHook] wraps the function that sends a frame.
//
// [Mux] routes messages to handlers by destination pattern. The shipped
// middleware, each in its own file: [Recover] (a panic becomes a
// *[PanicError]), [Log], [Timeout], [Retry], [AckOnSuccess], and
// [Metrics.Middleware]. An order that works, outermost first:
//
//	handlers.Apply(mux,
//		metrics.Middleware(),     // counts what the connection sees
//		handlers.Log(logger),     // logs the final outcome, ack errors included
//		handlers.AckOnSuccess(),  // acks or nacks the final outcome
//		handlers.Recover(),       // a panic becomes an error, so it is nacked
//		handlers.Retry(policy),   // retries what failed
//		handlers.Timeout(d),      // bounds each attempt
//	)
//
// Middleware options cannot fail: each says how it treats an out-of-range
// value, so a chain is one expression. [Mux.Handle], whose pattern can be
// malformed, returns an error.
//
// # Errors
//
// Sentinel errors ([ErrNoRoute], [ErrInvalidPattern], [ErrDuplicatePattern],
// [ErrTimeout], [ErrClosed], [ErrNoAcknowledger]) and the error types
// [PanicError] and [NoRouteError] are in errors.go; messages start with
// "handlers: ". [Permanent] marks an error that [Retry] must not retry.
//
// # Goroutines
//
// Listener methods and handlers run on the connection's executor, never on
// an event loop, one event at a time per connection and in order (unless the
// executor is a concurrent pool). [Listener.OnSend] runs on the goroutine
// that sends. Shipped listeners and middleware say in their docs whether they
// are safe to share between connections. Nothing in this package starts a
// goroutine.
package handlers
