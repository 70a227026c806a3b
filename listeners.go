package stampede

import (
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/loop"
)

type namedListener struct {
	name string
	l    handlers.Listener
}

// SetListener adds a listener under name, or replaces the listener of that
// name in place (stomp.py set_listener). Listeners run in the order they
// were first added, after the connection's own processing. Safe for
// concurrent use; a listener added while events are in flight sees the
// events dispatched after it was added.
func (c *Conn) SetListener(name string, l handlers.Listener) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	old := c.listenerList()
	next := make([]namedListener, 0, len(old)+1)
	replaced := false
	for _, nl := range old {
		if nl.name == name {
			nl.l = l
			replaced = true
		}
		next = append(next, nl)
	}
	if !replaced {
		next = append(next, namedListener{name, l})
	}
	c.listeners.Store(&next)
}

// RemoveListener removes the listener of that name, if any (stomp.py
// remove_listener).
func (c *Conn) RemoveListener(name string) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	old := c.listenerList()
	next := make([]namedListener, 0, len(old))
	for _, nl := range old {
		if nl.name != name {
			next = append(next, nl)
		}
	}
	c.listeners.Store(&next)
}

// Listener returns the listener of that name, or nil (stomp.py
// get_listener).
func (c *Conn) Listener(name string) handlers.Listener {
	for _, nl := range c.listenerList() {
		if nl.name == name {
			return nl.l
		}
	}
	return nil
}

func (c *Conn) listenerList() []namedListener {
	if p := c.listeners.Load(); p != nil {
		return *p
	}
	return nil
}

// emit runs fn for every listener on the connection's executor, after the
// events queued before it.
func (c *Conn) emit(fn func(l handlers.Listener)) {
	ls := c.listenerList()
	if len(ls) == 0 {
		return
	}
	c.post(loop.TaskFunc(func() {
		for _, nl := range ls {
			fn(nl.l)
		}
	}))
}

// post hands a task to the executor, applying the slow-consumer policy when
// the executor's queue for this connection is full. It runs on an event
// loop or a user goroutine and never blocks unless the policy says so.
func (c *Conn) post(t loop.Task) {
	err := c.exec.Execute(c.key, t)
	if err == nil {
		return
	}
	if err == loop.ErrQueueFull && c.cfg.slowConsumer == SlowConsumerBlock {
		if b, ok := c.exec.(loop.Blocking); ok {
			if b.ExecuteWait(c.key, t) == nil {
				return
			}
		}
	}
	if err == loop.ErrQueueFull {
		c.cfg.logger.Warn("stampede: slow consumer, closing the connection", "conn", c.key)
		if s := c.session(); s != nil {
			s.lc.Close(ErrSlowConsumer)
		}
		return
	}
	c.cfg.logger.Debug("stampede: executor refused a task", "err", err)
}

func (c *Conn) emitConnected(f *codec.Frame, reconnected bool) {
	c.emit(func(l handlers.Listener) {
		if reconnected {
			l.OnReconnected(f)
		} else {
			l.OnConnected(f)
		}
	})
}
