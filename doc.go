// Package stampede is a STOMP 1.0, 1.1 and 1.2 client for Go that drives
// thousands of connections from a few goroutines.
//
// A [Conn] is one logical connection to a broker. It is dialed through an
// [Engine]: a handful of event loops (gnet) that read and write every
// socket, a timing wheel for heart-beats and deadlines, and an executor on
// which listeners and handlers run. User code never runs on an event loop.
//
//	conn, err := stampede.Dial(ctx, "localhost:61613", stampede.WithLogin("guest", "guest"))
//	if err != nil { ... }
//	defer conn.Disconnect(context.Background())
//	sub, err := conn.Subscribe(ctx, "/queue/orders", stampede.HandlerFunc(func(ctx context.Context, m *stampede.Message) error {
//		fmt.Printf("%s\n", m.Body())
//		return nil
//	}))
//	err = conn.Send(ctx, "/queue/orders", []byte("hello"))
//
// Inbound frames flow codec → session → listeners → middleware → handler;
// outbound frames flow Send → listeners' OnSend → send hooks → encoder →
// the connection's outbox, which the event loop writes in batches.
//
// [Conn.Request] and [Conn.Reply] do request/reply over a temp reply queue
// with correlation ids.
//
// Everything stomp.py offers has a counterpart: listeners (package
// handlers), heart-beats, receipts, transactions, failover and automatic
// reconnection (package reconnect), TLS, WebSocket, UDP multicast (package
// multicast), and a command-line client (cmd/stampede).
//
// # Goroutines
//
// Every method of [Conn], [Subscription] and [Transaction] is safe for
// concurrent use. Blocking calls take a context.Context. Listener methods
// and handlers run on the connection's executor: by default one at a time
// per connection, in the order the frames arrived.
package stampede
