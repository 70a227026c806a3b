package stampede

import "github.com/stampede-mq/stampede/handlers"

// The handler types live in package handlers; these aliases let code that
// only deals with connections use the stampede names.
type (
	// Message is an inbound MESSAGE with the means to acknowledge it.
	Message = handlers.Message
	// Handler handles one message.
	Handler = handlers.Handler
	// HandlerFunc adapts a function to a Handler.
	HandlerFunc = handlers.HandlerFunc
	// Middleware wraps a Handler.
	Middleware = handlers.Middleware
	// Listener observes a connection's events.
	Listener = handlers.Listener
)
