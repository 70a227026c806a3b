package broker

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// sessionState is where a connection is in the STOMP conversation.
type sessionState uint8

const (
	awaitingConnect sessionState = iota // nothing but CONNECT or STOMP is accepted
	connected
	finished // after ERROR or DISCONNECT: input is ignored
)

// session is the broker's side of one connection: the loop.Handler that
// gets its frames, and the target that other connections deliver to.
//
// Fields marked loop-owned are touched only on the connection's event
// loop. Deliveries come from any loop (the publisher's), so what they read
// and change is guarded by mu. Lock order: a destination's lock, then a
// session's mu, then its output's mu, then the connection's outbox.
//
// A session is kept small and allocates its maps and slices on first use:
// a broker holds tens of thousands of idle ones.
type session struct {
	b    *Broker
	c    *loop.Conn
	id   string
	wire wire // the connection's layer

	// Loop-owned.
	state       sessionState
	version     codec.Version
	hbSend      time.Duration // negotiated: how often the broker beats
	hbRecv      time.Duration // negotiated: how often the client beats
	withholding bool          // a fault stops the broker's heart-beats
	subs        []*subscription
	txs         map[string]*transaction
	temps       map[string]*queue // temp queues by /temp-queue/ name
	nextSub     uint32
	seq         uint64 // messages published, for message-ids
	connectT    *loop.Timer

	// Guarded by mu (blocked is also read without it, as a hint).
	mu      sync.Mutex
	dead    bool        // closed or closing: deliveries are refused
	hung    bool        // a fault made it silent: deliveries are refused
	blocked atomic.Bool // its outbound buffer is past the high-water mark
	drainT  *loop.Timer

	out atomic.Pointer[output] // output faults, made when first used
}

// OnOpen registers the connection and starts the CONNECT deadline.
func (s *session) OnOpen(c *loop.Conn) {
	s.c = c
	if !s.b.register(s) {
		s.state = finished
		c.Close(ErrClosed)
		return
	}
	s.connectT = s.b.wheel.AfterFunc(s.b.cfg.connectTimeout, func() { _ = c.Post(s.connectExpired) })
	s.b.log.Debug("connection opened", "session", s.id, "remote", c.RemoteAddr())
}

func (s *session) connectExpired() {
	if s.state == awaitingConnect && !s.wire.hung.Load() {
		s.fail(nil, "connect timeout", fmt.Sprintf("no CONNECT frame within %v", s.b.cfg.connectTimeout))
	}
}

// OnFrame handles one frame from the client.
func (s *session) OnFrame(_ *loop.Conn, f *codec.Frame) {
	switch s.state {
	case finished:
		return
	case awaitingConnect:
		if f.Command == codec.Connect || f.Command == codec.Stomp {
			s.onConnect(f)
			return
		}
		s.fail(f, "expected CONNECT", fmt.Sprintf("the first frame must be CONNECT or STOMP, not %s", f.Command))
		return
	}
	switch f.Command {
	case codec.Send:
		s.onSend(f)
	case codec.Subscribe:
		s.onSubscribe(f)
	case codec.Unsubscribe:
		s.onUnsubscribe(f)
	case codec.Ack:
		s.onAck(f, false)
	case codec.Nack:
		s.onAck(f, true)
	case codec.Begin:
		s.onBegin(f)
	case codec.Commit:
		s.onCommit(f)
	case codec.Abort:
		s.onAbort(f)
	case codec.Disconnect:
		s.onDisconnect(f)
	case codec.Connect, codec.Stomp:
		s.fail(f, "already connected", "a second CONNECT on a connected session")
	default:
		s.fail(f, "unknown command", fmt.Sprintf("%q is not a STOMP client command", string(f.Command)))
	}
}

// OnHeartBeat: the loop already counted the EOL as a sign of life.
func (s *session) OnHeartBeat(*loop.Conn) {}

// OnDecodeError answers a frame the decoder refused with an ERROR; the
// loop then closes the connection once the ERROR is out.
func (s *session) OnDecodeError(_ *loop.Conn, se *codec.SyntaxError) {
	if s.state != finished {
		s.lastWords(se)
	}
	s.state = finished
}

// OnClose hands back what the session had: unacknowledged messages go back
// to their queues, subscriptions and temp queues go away.
func (s *session) OnClose(_ *loop.Conn, cause error) {
	s.state = finished
	if s.connectT != nil {
		s.connectT.Stop()
	}
	s.out.Load().stop()
	s.mu.Lock()
	s.dead = true
	if s.drainT != nil {
		s.drainT.Stop()
	}
	s.mu.Unlock()
	buf := getBuffer()
	for _, sub := range s.subs {
		s.release(sub, buf)
	}
	putBuffer(buf)
	s.b.subscriptions.Add(-int64(len(s.subs)))
	s.subs = nil
	s.txs = nil
	for _, q := range s.temps {
		s.b.dests.CompareAndDelete(q.name, q)
		q.drop()
	}
	s.temps = nil
	s.b.unregister(s)
	s.b.log.Debug("connection closed", "session", s.id, "cause", cause)
}

// release detaches a subscription and gives its unacknowledged messages
// back to the destination, marked redelivered. Loop only.
func (s *session) release(sub *subscription, buf *[]byte) {
	s.mu.Lock()
	sub.gone = true
	un := sub.unacked
	sub.unacked = nil
	sub.dest.counts().dropped.Add(uint64(sub.backlog.len()))
	sub.backlog.reset()
	s.mu.Unlock()
	sub.dest.detach(sub)
	if len(un) > 0 {
		sub.dest.redeliver(sub, redeliveries(un), buf)
	}
}

// removeSub ends a subscription (UNSUBSCRIBE, or an implicit temp-queue
// subscription replaced by an explicit one). Loop only.
func (s *session) removeSub(sub *subscription) {
	if i := slices.Index(s.subs, sub); i >= 0 {
		s.subs = slices.Delete(s.subs, i, i+1)
		s.b.subscriptions.Add(-1)
	}
	buf := getBuffer()
	s.release(sub, buf)
	putBuffer(buf)
}

// findSub returns the subscription with the client's id. Loop only.
func (s *session) findSub(id string) *subscription {
	for _, sub := range s.subs {
		if sub.id == id {
			return sub
		}
	}
	return nil
}

// subByNum returns the subscription with the session's number. Loop only.
func (s *session) subByNum(num uint32) *subscription {
	for _, sub := range s.subs {
		if sub.num == num {
			return sub
		}
	}
	return nil
}

// onLoop runs fn on the session's loop and waits for it, or for the
// connection to end.
func (s *session) onLoop(fn func()) {
	done := make(chan struct{})
	if s.c.Post(func() { fn(); close(done) }) != nil {
		return
	}
	select {
	case <-done:
	case <-s.c.Done():
	}
}
