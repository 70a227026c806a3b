package multicast

import (
	"slices"

	"github.com/stampede-mq/stampede/handlers"
)

// SetListener adds l under name, or replaces the listener of that name in
// its place. Listeners run on the dispatcher goroutine in the order they
// were added, after the connection's own processing (when OnReceipt runs,
// Send has returned; when OnConnected runs, the connection is usable);
// OnSend runs on the sending goroutine. A nil l removes the listener.
// Listeners that must see OnConnecting and OnConnected are given to Dial
// with [WithListener]. Safe for concurrent use, also from a listener; the
// change applies from the next event.
func (c *Conn) SetListener(name string, l handlers.Listener) {
	if l == nil {
		c.RemoveListener(name)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ls := setListener(*c.listeners.Load(), name, l)
	c.listeners.Store(&ls)
}

// RemoveListener removes the listener called name, if there is one. Safe
// for concurrent use.
func (c *Conn) RemoveListener(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ls := slices.DeleteFunc(slices.Clone(*c.listeners.Load()), func(nl namedListener) bool { return nl.name == name })
	c.listeners.Store(&ls)
}

// Listener returns the listener called name, or nil. Safe for concurrent
// use.
func (c *Conn) Listener(name string) handlers.Listener {
	for _, nl := range *c.listeners.Load() {
		if nl.name == name {
			return nl.l
		}
	}
	return nil
}
