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
// # Handlers and middleware
//
// A [Handler] processes one [Message] and returns an error. A [Middleware]
// wraps a Handler; [Chain] composes middleware so that the first one given is
// the outermost. Outbound, [SendHook] wraps the function that sends a frame.
//
// # Goroutines
//
// Listener methods and handlers run on the connection's executor, never on
// an event loop, one event at a time per connection and in order (unless the
// executor is a concurrent pool). [Listener.OnSend] runs on the goroutine
// that sends. Shipped listeners and middleware say in their docs whether they
// are safe to share between connections.
package handlers
