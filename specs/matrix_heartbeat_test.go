package specs_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

// beating is one connection of a heart-beat spec with what it heard.
type beating struct {
	v      codec.Version
	conn   *stampede.Conn
	beats  *beatCounter
	log    *eventLog
	remote codec.HeartBeat // the broker's heart-beat header
	closed chan time.Duration
}

// dialBeating connects at v with heart-beats (send, receive) and parses
// the broker's answer (CONF-27).
func (c *cell) dialBeating(l *link, v codec.Version, send, receive time.Duration) *beating {
	GinkgoHelper()
	b := &beating{v: v, beats: &beatCounter{}, log: newEventLog()}
	opts := []stampede.Option{
		stampede.WithHeartBeat(send, receive), stampede.WithHeartBeatScale(c.p.flags.hbScale),
		stampede.WithListener("beats", b.beats), stampede.WithListener("log", b.log),
	}
	if l != nil {
		b.conn = c.dialVia(l, v, opts...)
	} else {
		b.conn = c.dial(v, opts...)
	}
	var err error
	b.remote, err = codec.ParseHeartBeat(b.conn.Connected().Header.Get(codec.HdrHeartBeat))
	Expect(err).NotTo(HaveOccurred())
	return b
}

// window is how long a spec idles: long enough for the broker to drop a
// silent client, and at least two seconds.
func (c *cell) window() time.Duration {
	f := c.p.flags
	return max(time.Duration((f.hbGrace+0.5)*float64(f.hb)), 2*time.Second)
}

var heartBeatSpecs = []matrixSpec{
	{
		name: "CONF-27 CONF-28 CONF-29 exchanges heart-beats at the negotiated rates, and the broker keeps the client that beats",
		run: func(c *cell) {
			f := c.p.flags
			var all []*beating
			for _, v := range []codec.Version{codec.V11, codec.V12} {
				b := c.dialBeating(nil, v, f.hb, f.hb)
				Expect(b.remote.Send).To(BeNumerically(">", 0), "the broker can send heart-beats")
				Expect(b.remote.Receive).To(BeNumerically(">", 0), "the broker wants heart-beats")
				all = append(all, b)
			}
			window := c.window()
			By(fmt.Sprintf("idling for %v: %s drops a client silent for %.0f intervals", window, c.p.name, f.hbGrace))
			start := time.Now()
			Consistently(func() []stampede.Status {
				var s []stampede.Status
				for _, b := range all {
					s = append(s, b.conn.Status())
				}
				return s
			}, window, f.hb/4).Should(HaveEach(stampede.StatusConnected), func() string {
				var errs []string
				for _, b := range all {
					errs = append(errs, fmt.Sprintf("STOMP %s: %v", b.v, b.conn.Err()))
				}
				return strings.Join(errs, "; ")
			})
			idle := time.Since(start)
			if f.hbHalf {
				stateDifference("CONF-29: %s rounds heart-beat intervals below 1 s up to 1 s and beats every half interval.", c.p.name)
			}
			for _, b := range all {
				interval := max(b.remote.Send, f.hb) // max(sx, cy)
				want := int(idle / interval)
				if f.hbHalf {
					want *= 2 // every half interval
				}
				n := int(b.beats.n.Load())
				Expect(n).To(BeNumerically(">=", want-2), "STOMP %s: %d heart-beats in %v at %v (%s beats every half interval: %v)", b.v, n, idle, interval, c.p.name, f.hbHalf)
				Expect(n).To(BeNumerically("<=", want+3), "STOMP %s: %d heart-beats in %v at %v", b.v, n, idle, interval)
			}
		},
	},
	{
		name: "CONF-29 CONF-32 closes a connection whose broker falls silent after interval × scale, with ErrHeartbeatTimeout and the heart-beat-timeout event; one that expects no beats stays",
		run: func(c *cell) {
			f := c.p.flags
			l := newLink(c.hostPort())
			var all []*beating
			for _, v := range []codec.Version{codec.V11, codec.V12} {
				b := c.dialBeating(l, v, 0, f.hb)
				b.closed = make(chan time.Duration, 1)
				all = append(all, b)
			}
			quiet := c.dialVia(l, codec.V12) // asks for no heart-beats: expects nothing
			if f.hbScale != stampede.DefaultHeartBeatScale {
				stateDifference("CONF-32: receive scale %.1f instead of the default %.1f: %s's first heart-beat comes about 2× late.", f.hbScale, stampede.DefaultHeartBeatScale, c.p.name)
			}
			for _, b := range all {
				Eventually(b.beats.n.Load, 10*f.hb).Should(BeNumerically(">=", 1), "a first heart-beat")
			}
			l.hold()
			held := time.Now()
			for _, b := range all {
				go func() {
					<-b.conn.Done()
					b.closed <- time.Since(held)
				}()
			}
			for _, b := range all {
				interval := max(b.remote.Send, f.hb)
				timeout := time.Duration(f.hbScale * float64(interval))
				var after time.Duration
				Eventually(b.closed, timeout+5*time.Second).Should(Receive(&after))
				Expect(after).To(BeNumerically(">=", timeout-interval), "STOMP %s closed %v after the silence began (timeout %v)", b.v, after, timeout)
				Expect(after).To(BeNumerically("<", timeout+interval+time.Second), "STOMP %s closed %v after the silence began (timeout %v)", b.v, after, timeout)
				Expect(b.conn.Err()).To(MatchError(stampede.ErrHeartbeatTimeout))
				Eventually(b.log.events).Should(Receive(Equal("heartbeat-timeout")))
			}
			Expect(quiet.Status()).To(Equal(stampede.StatusConnected), "no heart-beat negotiated, no receive timeout")
			l.release()
		},
	},
	{
		name: "CONF-33 negotiates no heart-beat on 1.0, so the broker expects none",
		run: func(c *cell) {
			f := c.p.flags
			b := c.dialBeating(nil, codec.V10, f.hb, f.hb)
			header := b.conn.Connected().Header.Get(codec.HdrHeartBeat)
			Expect(b.remote).To(Equal(codec.HeartBeat{}),
				"the 1.0 CONNECTED says heart-beat:%s: the CONNECT asked for heart-beats, and %s negotiates them on 1.0 when asked (%v)", header, c.p.name, f.hbOn10)
			window := c.window()
			By(fmt.Sprintf("idling for %v: a broker expecting heart-beats would drop the client", window))
			Consistently(b.conn.Status, window, f.hb/4).Should(Equal(stampede.StatusConnected))
			Expect(b.beats.n.Load()).To(BeZero(), "1.0 has no heart-beats")
		},
	},
}
