// Package broker is an embedded, in-memory STOMP 1.0/1.1/1.2 broker on
// gnet event loops: the default peer of stampede's command line, examples,
// specs and benchmarks, and the only peer that misbehaves on demand.
//
//	b, err := broker.Start(broker.WithListen("127.0.0.1:0"))
//	...
//	defer b.Shutdown(ctx)
//	fmt.Println(b.URL()) // tcp://127.0.0.1:41234
//
// # Behaviour
//
//   - Version negotiation (accept-version, CONNECT or STOMP), an optional
//     set of virtual hosts, optional login/passcode authentication; a
//     refusal is an ERROR and the connection closes.
//   - /queue/... destinations give each message to one subscriber, round
//     robin, and hold messages while no subscriber can take them;
//     /topic/... destinations give each message to every subscriber and drop
//     it when there is none; any other name is a queue. A reply-to header
//     naming /temp-queue/x creates the connection's private reply queue, as
//     RabbitMQ does: the MESSAGE carries reply-to:/reply-queue/..., and the
//     replies arrive on a subscription the client never sent, whose id is
//     /temp-queue/x.
//   - Ack modes auto, client (cumulative) and client-individual; NACKed
//     messages and the unacknowledged messages of a connection that goes
//     away are redelivered with redelivered:true; prefetch-count (or
//     activemq.prefetchSize) bounds the unacknowledged messages of a
//     subscription. 1.2 MESSAGEs carry an ack header for client modes; 1.1
//     ACKs name message-id and subscription, 1.0 ACKs message-id.
//   - Receipts for every frame that asks; transactions over SEND, ACK and
//     NACK; heart-beats negotiated and enforced both ways (see
//     [WithHeartBeat] and [WithMirroredHeartBeat]); DISCONNECT answers its
//     receipt, then closes. ERROR frames carry a message header, a detail in
//     the body and the receipt-id of the offending frame, and close the
//     connection.
//   - Limits on frame size and header count ([WithLimits]) and on the
//     backlog of a slow topic subscriber ([WithMaxPending]): past one, that
//     client alone gets an ERROR and is closed.
//   - [Broker.Shutdown] writes what is queued and closes gracefully;
//     [Broker.Close] drops everything at once.
//   - [Broker.Faults] drops, hangs, delays, corrupts, sends an ERROR or
//     refuses new connections; [Broker.Restart] restarts on the same port.
//
// # Concurrency
//
// A connection's state lives on its event loop; no goroutine is started
// per connection. Routing state is shared: the destination map is a
// sync.Map, each queue has its own mutex, each topic publishes a
// copy-on-write list of subscribers (a publish takes no lock but the
// subscriber's own), and each connection guards what other loops touch
// when they deliver to it. Deliveries never wait: past a connection's
// outbound high-water mark, queues keep their messages for another
// consumer and topics keep a bounded backlog per subscription.
//
// A MESSAGE is encoded once per message and STOMP version (everything but
// the subscription, ack and redelivered lines, which are per delivery), so
// a fan-out to a thousand subscribers copies bytes rather than re-encodes
// headers.
//
// Listeners are endpoints whose accepted connections may get a loop.Layer
// between socket and codec; the TCP listener has none. TLS and WebSocket
// listeners plug in there.
package broker
