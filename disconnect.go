package stampede

import (
	"context"
	"errors"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// Disconnect says goodbye (CONF-51): listeners' OnDisconnecting runs (on
// the calling goroutine, before DISCONNECT is sent), DISCONNECT goes out
// with a receipt, and Disconnect waits for that receipt, or for the server
// to close the connection, which also counts as success (CONF-52), under ctx
// (or the disconnect timeout when ctx has no deadline). Then the connection
// closes. Nothing is sent after DISCONNECT: later calls fail with
// ErrClosed. Disconnect on a closed connection returns nil.
func (c *Conn) Disconnect(ctx context.Context) error {
	c.mu.Lock()
	st, s := c.status, c.sess
	if st == StatusClosed || st == StatusDisconnecting {
		c.mu.Unlock()
		<-c.Done()
		return nil
	}
	c.status = StatusDisconnecting
	r := c.reconn
	c.mu.Unlock()
	r.stop()
	if s == nil { // not connected: nothing to say goodbye to
		c.Close()
		return nil
	}
	for _, nl := range c.listenerList() {
		nl.l.OnDisconnecting()
	}
	id := c.nextReceipt()
	ch, err := s.receipts.expect(id, true)
	if err == nil {
		f := &codec.Frame{Command: codec.Disconnect, Header: codec.Header{{Key: codec.HdrReceipt, Value: id}}}
		if err = s.lc.WriteFrame(ctx, 0, s.enc, f); err == nil {
			err = c.awaitReceipt(ctx, s, id, ch, c.cfg.disconnectTimeout)
		}
	}
	s.lc.Close(nil)
	<-s.lc.Done()
	<-c.Done()
	if errors.Is(err, ErrReceiptLost) {
		err = nil
	}
	return err
}

// Close closes the connection at once, without DISCONNECT (the server sees
// the connection drop), and stops automatic reconnection. Listeners see
// OnDisconnected and OnClosed. Close on a closed connection does nothing.
// It returns when the transport is closed.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.status == StatusClosed {
		c.mu.Unlock()
		<-c.Done()
		return nil
	}
	s := c.sess
	wasNew := c.status == StatusNew
	c.status = StatusClosed
	r := c.reconn
	c.mu.Unlock()
	r.stop()
	if s != nil {
		s.lc.Close(nil)
		<-s.lc.Done()
	}
	c.mu.Lock()
	finished := c.finished
	c.mu.Unlock()
	if !finished {
		// No live session went through sessionClosed: finish here.
		c.finish(nil, !wasNew)
	}
	<-c.Done()
	return nil
}

// sessionClosed handles the end of the live session: final, or the start
// of automatic reconnection. Loop.
func (c *Conn) sessionClosed(s *session, cause error) {
	c.mu.Lock()
	if c.sess != s {
		c.mu.Unlock()
		return
	}
	c.sess = nil
	c.rpc.Load().lost(s) // their reply queue is gone with s
	userEnded := c.status == StatusDisconnecting || c.status == StatusClosed
	var se *ServerError
	again := !userEnded && c.reconnectEnabled() && (!errors.As(cause, &se) || c.cfg.reconnectOnError) && c.eng.unsettle(c)
	if again {
		c.status = StatusReconnecting
		ctx, cancel := context.WithCancel(context.Background())
		r := &reconnecting{cancel: cancel, done: make(chan struct{})}
		c.reconn = r
		go c.reconnectLoop(ctx, r, cause)
	}
	c.mu.Unlock()

	reported := cause
	if userEnded {
		reported = nil
	}
	hbTimeout := errors.Is(cause, ErrHeartbeatTimeout)
	c.emit(func(l handlers.Listener) {
		if hbTimeout {
			l.OnHeartbeatTimeout()
		}
		l.OnDisconnected(reported)
	})
	if !again {
		c.finish(reported, true)
	}
}
