package specs_test

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

// ackMode is the acknowledging mode a spec uses at v: client-individual,
// or client on 1.0 which has no other.
func ackMode(v codec.Version) stampede.AckMode {
	if v == codec.V10 {
		return stampede.AckClient
	}
	return stampede.AckClientIndividual
}

// bodiesOf waits for n messages on ch and returns their bodies.
func bodiesOf(ch chan *stampede.Message, n int) []string {
	GinkgoHelper()
	out := make([]string, n)
	for i := range out {
		out[i] = string(next(ch).Body())
	}
	return out
}

var subscribeSpecs = []matrixSpec{
	{
		name: "CONF-34 CONF-35 CONF-36 routes each subscription's messages by its id, in every ack mode of the version, and stops after unsubscribing",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				modes := []stampede.AckMode{stampede.AckAuto, stampede.AckClient, stampede.AckClientIndividual}
				if v == codec.V10 {
					modes = modes[:2]
					_, err := conn.Subscribe(ctxT(), c.queue("ci"), nil, stampede.WithAck(stampede.AckClientIndividual))
					Expect(err).To(MatchError(stampede.ErrUnsupported))
				}
				type route struct {
					q   string
					sub *stampede.Subscription
					got chan *stampede.Message
				}
				var routes []route
				ids := map[string]bool{}
				for _, mode := range modes {
					q := c.queue("route")
					sub, got := subscribeInbox(conn, q, stampede.WithAck(mode))
					Expect(ids).NotTo(HaveKey(sub.ID()))
					ids[sub.ID()] = true
					routes = append(routes, route{q, sub, got})
				}
				for _, r := range routes {
					Expect(conn.Send(ctxT(), r.q, []byte(r.q), stampede.WithReceipt())).To(Succeed())
				}
				for i, r := range routes {
					m := next(r.got)
					Expect(string(m.Body())).To(Equal(r.q))
					Expect(m.Subscription).To(Equal(r.sub.ID()))
					Expect(m.AckMode).To(Equal(string(modes[i])))
					if modes[i] != stampede.AckAuto {
						Expect(m.Ack(ctxT())).To(Succeed())
					}
				}
				By("unsubscribing the first (by id, and by destination on 1.0)")
				Expect(routes[0].sub.Unsubscribe(ctxT(), true)).To(Succeed())
				Expect(conn.Send(ctxT(), routes[0].q, []byte("kept in the queue"), stampede.WithReceipt())).To(Succeed())
				Expect(conn.Send(ctxT(), routes[1].q, []byte("still routed"), stampede.WithReceipt())).To(Succeed())
				Expect(string(next(routes[1].got).Body())).To(Equal("still routed"))
				Consistently(routes[0].got, 100*time.Millisecond).ShouldNot(Receive())
			})
		},
	},
	{
		name: "CONF-36 routes a reply to /temp-queue/: to the unhandled route when the broker invents the subscription, else to the client's own",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				unhandled, lost := inbox()
				requester := c.dial(v, stampede.WithUnhandled(unhandled))
				responder := c.dial(v)
				q := c.queue("service")
				_, requests := subscribeInbox(responder, q)
				temp := fmt.Sprintf("/temp-queue/replies-%d", destSeq.Add(1))
				var replies chan *stampede.Message
				if !c.p.flags.tempQueueReplies {
					_, replies = subscribeInbox(requester, temp)
				}
				Expect(requester.Send(ctxT(), q, []byte("ping"), stampede.WithHeader(codec.HdrReplyTo, temp), stampede.WithReceipt())).To(Succeed())
				req := next(requests)
				replyTo := req.Header(codec.HdrReplyTo)
				Expect(replyTo).NotTo(BeEmpty())
				Expect(responder.Send(ctxT(), replyTo, []byte("pong"), stampede.WithReceipt())).To(Succeed())
				if c.p.flags.tempQueueReplies {
					m := next(lost)
					Expect(string(m.Body())).To(Equal("pong"))
					Expect(m.AckMode).To(BeEmpty(), "a subscription the client does not know")
				} else {
					m := next(replies)
					Expect(string(m.Body())).To(Equal("pong"), "%s delivers replies on the client's own subscription", c.p.name)
					Expect(lost).NotTo(Receive())
					stateDifference("CONF-36: %s delivers temp-queue replies on the client's own subscription, so the unknown-id route is exercised against RabbitMQ and the embedded broker.", c.p.name)
				}
				Expect(requester.Status()).To(Equal(stampede.StatusConnected))
			})
		},
	},
	{
		name: "CONF-37 CONF-38 CONF-39 CONF-40 acknowledges with each version's headers: the broker takes the ACK and releases the next message",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("ack")
				_, got := subscribeInbox(conn, q, stampede.WithAck(ackMode(v)), stampede.WithPrefetch(1))
				Expect(conn.Send(ctxT(), q, []byte("1"), stampede.WithReceipt())).To(Succeed())
				Expect(conn.Send(ctxT(), q, []byte("2"), stampede.WithReceipt())).To(Succeed())
				m := next(got)
				Expect(m.NeedsAck()).To(BeTrue())
				if v == codec.V12 {
					Expect(m.Header(codec.HdrAck)).NotTo(BeEmpty(), "a 1.2 MESSAGE of a client-acknowledged subscription carries ack")
				}
				Consistently(got, 200*time.Millisecond).ShouldNot(Receive(), "prefetch 1: the second waits for the ACK")
				Expect(m.Ack(ctxT())).To(Succeed())
				m = next(got)
				Expect(string(m.Body())).To(Equal("2"))
				Expect(m.Ack(ctxT())).To(Succeed())
				Expect(conn.Send(ctxT(), c.queue("sync"), nil, stampede.WithReceipt())).To(Succeed())
				Expect(conn.Status()).To(Equal(stampede.StatusConnected))
			})
		},
	},
	{
		name: "CONF-38 CONF-39 CONF-40 NACKs with each version's headers (the embedded broker and RabbitMQ requeue, ActiveMQ dead-letters); NACK on 1.0 is a local error",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("nack")
				_, got := subscribeInbox(conn, q, stampede.WithAck(ackMode(v)))
				Expect(conn.Send(ctxT(), q, []byte("nack me"), stampede.WithReceipt())).To(Succeed())
				m := next(got)
				if v == codec.V10 {
					Expect(m.Nack(ctxT())).To(MatchError(stampede.ErrUnsupported))
					Expect(m.Ack(ctxT())).To(Succeed())
					return
				}
				Expect(m.Nack(ctxT())).To(Succeed())
				if c.p.features.nackRequeues {
					again := next(got)
					Expect(again.Body()).To(Equal(m.Body()))
					Expect(again.Redelivered()).To(BeTrue())
					Expect(again.Ack(ctxT())).To(Succeed())
					return
				}
				stateDifference("CONF-38 CONF-39: %s dead-letters a NACKed message instead of requeueing it.", c.p.name)
				Expect(conn.Send(ctxT(), q, []byte("marker"), stampede.WithReceipt())).To(Succeed())
				marker := next(got)
				Expect(string(marker.Body())).To(Equal("marker"), "%s moved the NACKed message to its dead-letter queue", c.p.name)
				Expect(marker.Ack(ctxT())).To(Succeed())
				Consistently(got, 200*time.Millisecond).ShouldNot(Receive())
			})
		},
	},
	{
		name: "CONF-41 acknowledges cumulatively in client mode and one message at a time in client-individual mode",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				modes := []stampede.AckMode{stampede.AckClient}
				if v >= codec.V11 {
					modes = append(modes, stampede.AckClientIndividual)
				}
				for _, mode := range modes {
					By(string(mode))
					q := c.queue("cumulative")
					conn := c.dial(v)
					_, got := subscribeInbox(conn, q, stampede.WithAck(mode))
					for i := range 3 {
						Expect(conn.Send(ctxT(), q, []byte{'0' + byte(i)}, stampede.WithReceipt())).To(Succeed())
					}
					var last *stampede.Message
					for range 3 {
						last = next(got)
					}
					Expect(string(last.Body())).To(Equal("2"))
					Expect(last.Ack(ctxT())).To(Succeed())
					Expect(conn.Disconnect(ctxT())).To(Succeed())

					again := c.dial(v)
					_, rest := subscribeInbox(again, q)
					Expect(again.Send(ctxT(), q, []byte("marker"), stampede.WithReceipt())).To(Succeed())
					if mode == stampede.AckClient {
						Expect(string(next(rest).Body())).To(Equal("marker"), "the ACK of the last covered the earlier ones")
						Consistently(rest, 200*time.Millisecond).ShouldNot(Receive())
					} else {
						Expect(bodiesOf(rest, 3)).To(ConsistOf("0", "1", "marker"), "only the last was acknowledged")
					}
				}
			})
		},
	},
	{
		name: "CONF-42 handles the MESSAGEs that arrive after UNSUBSCRIBE without error (RabbitMQ may answer them with an ERROR)",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				log := newEventLog()
				unhandled, late := inbox()
				conn := c.dial(v, stampede.WithListener("log", log), stampede.WithUnhandled(unhandled))
				sender := c.dial(v)
				t := c.topic("late")
				sub, got := subscribeInbox(conn, t)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				for i := range 200 {
					Expect(sender.Send(ctx, t, []byte(fmt.Sprint(i)))).To(Succeed())
				}
				next(got)
				Expect(sub.Unsubscribe(ctxT(), true)).To(Succeed())
				Expect(sender.Send(ctxT(), t, []byte("after"), stampede.WithReceipt())).To(Succeed())
				err := conn.Send(ctxT(), c.queue("sync"), nil, stampede.WithReceipt())
				By(fmt.Sprintf("%d MESSAGEs reached the unhandled route after UNSUBSCRIBE", len(late)))
				if c.p.flags.lateDeliveryError {
					stateDifference(`CONF-42: %s may answer a MESSAGE in flight at UNSUBSCRIBE with ERROR "Subscription not found", which closes the connection (an ERROR is terminal).`, c.p.name)
				}
				if err != nil {
					Expect(c.p.flags.lateDeliveryError).To(BeTrue(), "the connection closed: %v", err)
					Eventually(conn.Done()).Should(BeClosed())
					Expect(serverError(conn.Err()).Message()).To(Equal("Subscription not found"),
						"%s answers a delivery in flight at UNSUBSCRIBE with an ERROR, which is terminal", c.p.name)
				} else {
					Expect(conn.Status()).To(Equal(stampede.StatusConnected))
				}
				for len(log.errs) > 0 {
					serverError(<-log.errs) // the broker's ERRORs, never one of the client's
				}
			})
		},
	},
}
