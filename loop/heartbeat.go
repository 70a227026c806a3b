package loop

import "time"

// heartbeat holds a connection's wheel timers: one for both heart-beat
// directions, due at the earlier of the two checks, and one for drain
// checks. Loop-owned: the timers' callbacks only post work to the loop.
type heartbeat struct {
	send, receive time.Duration
	beatT         *Timer
	drainT        *Timer
}

func (h *heartbeat) start(c *Conn, send, receive time.Duration) {
	h.stopBeats()
	h.send, h.receive = send, receive
	if send <= 0 && receive <= 0 {
		return
	}
	if receive > 0 && c.lastRead == 0 {
		c.lastRead = c.rt.now()
	}
	first := send
	if first <= 0 || (receive > 0 && receive < first) {
		first = receive
	}
	h.beatT = c.rt.wheel.AfterFunc(first, func() { _ = c.Post(c.checkBeats) })
}

func (h *heartbeat) stopBeats() {
	if h.beatT != nil {
		h.beatT.Stop()
		h.beatT = nil
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

// checkBeats writes a heart-beat when nothing was written for the send
// interval (CONF-30), closes the connection when nothing arrived within the
// receive interval (CONF-31, CONF-32), and sets the timer for the earlier
// of the next two checks. Loop only.
func (c *Conn) checkBeats() {
	h := &c.hb
	if c.closing.Load() || h.beatT == nil {
		return
	}
	now := c.rt.now()
	next := time.Duration(-1)
	if h.receive > 0 {
		idle := time.Duration(now - c.lastRead)
		if idle >= h.receive {
			c.fail(ErrHeartbeatTimeout)
			_ = c.gc.Close()
			return
		}
		next = h.receive - idle
	}
	if h.send > 0 {
		c.flush() // pending frames count as traffic
		idle := time.Duration(c.rt.now() - c.lastWrite)
		if idle+c.rt.wheel.Tick() >= h.send {
			c.writeRaw([]byte{'\n'}) // fresh: a layer may modify what it is given
			c.sampleInflight()
			idle = 0
		}
		if d := h.send - idle; next < 0 || d < next {
			next = d
		}
	}
	if c.gone {
		return // a write failed and gnet closed the connection inside it: OnClose stopped the timers
	}
	h.beatT.Reset(next)
}
