package loop

import "time"

// heartbeat holds a connection's wheel timers. Loop-owned: the timers'
// callbacks only post work to the loop.
type heartbeat struct {
	send, receive time.Duration
	sendT, recvT  *Timer
	drainT        *Timer
}

func (h *heartbeat) start(c *Conn, send, receive time.Duration) {
	h.stopBeats()
	h.send, h.receive = send, receive
	w := c.rt.wheel
	if send > 0 {
		h.sendT = w.AfterFunc(send, func() { _ = c.Post(c.checkSend) })
	}
	if receive > 0 {
		if c.lastRead == 0 {
			c.lastRead = c.rt.now()
		}
		h.recvT = w.AfterFunc(receive, func() { _ = c.Post(c.checkReceive) })
	}
}

func (h *heartbeat) stopBeats() {
	if h.sendT != nil {
		h.sendT.Stop()
		h.sendT = nil
	}
	if h.recvT != nil {
		h.recvT.Stop()
		h.recvT = nil
	}
}

func (h *heartbeat) stop() {
	h.stopBeats()
	if h.drainT != nil {
		h.drainT.Stop()
	}
}

// watchDrain checks the socket's backlog again on the next tick, so that
// writers blocked on the high-water mark wake when it drains.
func (h *heartbeat) watchDrain(c *Conn) {
	if h.drainT == nil {
		h.drainT = c.rt.wheel.AfterFunc(c.rt.wheel.Tick(), func() {
			_ = c.Post(func() {
				if !c.closing.Load() || c.lingerUntil != 0 {
					c.sampleInflight()
				}
			})
		})
		return
	}
	h.drainT.Reset(c.rt.wheel.Tick())
}

// checkSend writes a heart-beat when nothing was written for the send
// interval (CONF-30), then waits for the next one. Loop only.
func (c *Conn) checkSend() {
	h := &c.hb
	if c.closing.Load() || h.sendT == nil {
		return
	}
	c.flush() // pending frames count as traffic
	idle := time.Duration(c.rt.now() - c.lastWrite)
	tolerance := c.rt.wheel.Tick()
	if idle+tolerance >= h.send {
		c.writeRaw([]byte{'\n'}) // fresh: a layer may modify what it is given
		c.sampleInflight()
		idle = 0
	}
	h.sendT.Reset(h.send - idle)
}

// checkReceive closes the connection when nothing arrived within the
// receive interval (CONF-31, CONF-32). Loop only.
func (c *Conn) checkReceive() {
	h := &c.hb
	if c.closing.Load() || h.recvT == nil {
		return
	}
	idle := time.Duration(c.rt.now() - c.lastRead)
	if idle >= h.receive {
		c.fail(ErrHeartbeatTimeout)
		_ = c.gc.Close()
		return
	}
	h.recvT.Reset(h.receive - idle)
}
