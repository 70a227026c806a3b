// Package websocket carries STOMP over WebSocket (RFC 6455) on stampede's
// event loops, with github.com/gobwas/ws: ws:// and wss:// for clients, and
// the server side of a WebSocket listener.
//
// # Client
//
// [NewClient] checks a [Config] (Host, Path, extra Header, offered STOMP
// Versions, Binary frames, TLS for wss). Its [Client.Handshake] has the
// signature of loop.DialConfig.Handshake: it runs on the dialing goroutine,
// performs the TLS handshake for wss (loop.ClientTLS), then the HTTP
// upgrade over it, offering the subprotocols v12.stomp, v11.stomp and
// v10.stomp (those of the offered versions, highest first), and returns a
// [ClientLayer]. Bytes the server sent along with its 101 response are kept
// in the layer and handed to the STOMP decoder first, on the loop.
//
// # Server
//
// [NewUpgrader] checks a [ServerConfig]; [Upgrader.NewLayer] gives the
// layer of one accepted connection (loop.Listen's AcceptFunc returns it in
// its ConnConfig). The layer reads the upgrade request on the event loop as
// it arrives, checks the path, picks the highest STOMP subprotocol both
// sides speak, answers 101 (or 404, 400, 431...), and then carries frames.
//
// # Frames
//
// After the upgrade both sides parse frames incrementally with
// ws.ReadHeaderBuffer over whatever arrived: partial headers and payloads
// are kept across calls; payload bytes go to the STOMP decoder as they
// arrive, so a STOMP frame may span several WebSocket messages and a
// message may hold several STOMP frames. Fragmented messages, control
// frames between fragments, ping (answered with pong), pong and close
// (answered with close, reported as a [*CloseError]) are handled; protocol
// violations close with status 1002, oversized messages with 1009. Client
// frames are masked (ws.NewMask, ws.Cipher) into a pooled buffer: the bytes
// given to Outbound are never modified. Each Outbound call sends one
// message, text by default (binary when the bytes are not UTF-8, or always
// with Binary).
//
// # Goroutines
//
// Layers run on their connection's event loop: Inbound, Outbound and Close
// are called by the loop, one at a time, and never block. Client.Handshake
// blocks on its caller's goroutine under its context and starts no
// goroutine that outlives it. Methods say when they are safe for concurrent
// use.
//
// # Versions
//
// The subprotocol names one STOMP version. Every layer implements
// [Negotiated]; a STOMP session can read the version the server chose and
// offer only that one in CONNECT's accept-version, so that the version
// CONNECTED answers matches the subprotocol (RabbitMQ answers by
// accept-version alone).
package websocket
