// Package multicast is broker-less STOMP over UDP multicast: the members of
// a multicast group send each other STOMP frames with the programming model
// of a broker connection. It covers stomp.py's MulticastConnection (as
// [Conn]) and MulticastTransport (as [Transport]).
//
// # Model
//
// [Dial] joins the group and returns a [Conn] that is connected at once
// (there is no broker to answer CONNECT). [Conn.Send] writes one SEND frame
// as one datagram to the group. Every member receives it, and each member
// that has a subscription whose destination matches turns it into a
// MESSAGE for that subscription; the others ignore it. Subscriptions,
// receipts, transactions and acknowledgements are therefore all local to a
// member:
//
//   - [Conn.Subscribe] sends nothing; the ack mode is accepted and
//     recorded, and Ack and Nack succeed and do nothing.
//   - A receipt ([WithReceipt]) is produced by the sender itself once the
//     datagram is written. No other member answers it.
//   - A transaction ([Conn.Begin]) buffers encoded frames; Commit writes
//     them in order, Abort drops them.
//
// Listeners ([handlers.Listener]) and middleware ([handlers.Middleware])
// are those of a broker connection and fire the same way: OnConnecting and
// OnConnected (with a synthetic CONNECTED frame) on Dial, OnBeforeMessage,
// OnMessage and the handler per message, OnReceipt for local receipts,
// OnError for unusable datagrams, dropped messages and handler errors,
// OnDisconnecting, OnDisconnected(nil) and OnClosed on Disconnect.
//
// # Wire format
//
// A datagram's payload is exactly one STOMP 1.2 frame, NUL-terminated,
// optionally followed by EOLs: a SEND with a destination, a content-length,
// the user's headers, and two headers of this package: [HdrSender] (the
// sender's random instance id) and [HdrSequence] (its sequence number).
// The receipt and transaction headers mean something only to the sender
// and are not sent. A receiving member delivers
//
//	MESSAGE
//	destination:<destination>
//	message-id:<stampede-sender>-<stampede-seq>
//	subscription:<subscription id>
//	<the sender's other headers, content-length included>
//
// so that a message has the same id at every member. Frames from senders
// that set no sender header (stomp.py) get a message-id from the receiving
// member's own counter. Well-formed frames other than SEND are ignored
// (counted in [Stats].Ignored); anything else is a malformed datagram.
//
// # Sizes
//
// A frame must fit in one datagram: at most [MaxDatagramSize] (65507)
// bytes by default, the most an IPv4 UDP datagram carries, or less with
// [WithMaxDatagramSize]. A larger frame fails with [ErrFrameTooLarge]
// before anything is sent. Received datagrams are read into a 64 KiB
// buffer and are never truncated.
//
// # Goroutines
//
// A [Conn] runs two goroutines: a reader for its socket and a dispatcher
// that runs listeners and handlers one event at a time, in order, never on
// the reader. Between them is a bounded queue ([WithQueueSize]); when it
// is full, received messages are dropped, counted and reported to the
// error listeners with [ErrQueueFull] once there is room: a slow handler
// costs messages, never unbounded memory or a stalled socket. Send, Begin,
// Commit, Subscribe and the listener methods may be called from any
// goroutine; OnSend listeners and send hooks run on the sending goroutine.
// Disconnect and Close join both goroutines.
//
// # Many members on one host
//
// Every member binds the group's port with SO_REUSEADDR and SO_REUSEPORT,
// so processes (and connections of one process) on one host can join the
// same group and port, and each receives every datagram. To keep traffic
// on one host, join on the loopback interface: [WithInterface]("lo") both
// joins the group there and sends through it.
//
// # What stomp.py gets wrong, fixed here
//
// stomp.py's MulticastConnection is documented with multicast_group and
// multicast_port parameters (224.1.2.3 and 61616), but its adapter code
// hard-codes 224.1.1.1:5000, TTL 2 and the default interface.
// Here the group, port, interface, TTL, loopback, bind address and datagram
// size are options, with 224.1.2.3:61616 as the defaults. And:
//
//   - stomp.py's connect does nothing, so connected listeners never fire
//     and the connection never reports itself connected. Dial reports
//     connected locally: OnConnected gets a CONNECTED frame and [Conn.Status]
//     is [StatusConnected].
//   - stomp.py reads 1024 bytes per datagram and silently truncates
//     longer frames. Here a datagram is read whole, and a frame too large
//     for one datagram is an error for the sender.
//   - In stomp.py every member subscribed to the destination, the sender
//     included, answers a frame's receipt header with a RECEIPT into the
//     group, so the sender gets one receipt per such member and every
//     member gets everybody's. Here the sender produces exactly one
//     receipt locally, once the datagram is written, and the receipt
//     header is not sent.
//   - stomp.py raises KeyError when aborting an unknown transaction and
//     reports other unknown transactions only as an error event. Here
//     every use of an unknown, committed or aborted transaction returns a
//     [*TransactionError].
//   - stomp.py reads datagrams as a byte stream: a datagram without a NUL
//     is glued to the ones that follow and corrupts them, and a SEND
//     without a destination raises KeyError in the receiver thread, which
//     ends it. Here each datagram is decoded on its own; one that is not a
//     usable frame is counted ([Stats].Malformed), reported to the error
//     listeners as a [*DatagramError], and the member keeps working.
//   - stomp.py matches destinations only exactly and its message frames
//     carry neither message-id nor subscription. Here both are set, and
//     subscriptions may use "*" and ">" wildcards.
//   - stomp.py gives no way not to receive one's own messages. Here
//     [WithLoopback](false) drops them, also on interfaces that loop
//     multicast back regardless of the socket option.
package multicast
