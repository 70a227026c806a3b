package confreport

import (
	"fmt"
	"slices"
)

// Peer is a STOMP server the conformance specs run against.
type Peer string

// The peers. Scripted is the raw server of specs/rawpeer_test.go that sends
// exact bytes, together with the codec's unit tests; the others are real
// brokers.
const (
	Scripted Peer = "scripted"
	Embedded Peer = "embedded"
	RabbitMQ Peer = "rabbitmq"
	ActiveMQ Peer = "activemq"
)

// Brokers are the real peers, in the order of the report's columns.
var Brokers = []Peer{Embedded, RabbitMQ, ActiveMQ}

// Title is the peer's name in the report.
func (p Peer) Title() string {
	switch p {
	case Scripted:
		return "scripted peer"
	case Embedded:
		return "embedded"
	case RabbitMQ:
		return "RabbitMQ"
	case ActiveMQ:
		return "ActiveMQ"
	}
	return string(p)
}

// Transport is how a connection reaches a peer.
type Transport string

// The transports, in the order of the report's columns.
const (
	TCP Transport = "tcp"
	TLS Transport = "tls"
	WS  Transport = "ws"
	WSS Transport = "wss"
)

// Transports are every transport a broker cell can use.
var Transports = []Transport{TCP, TLS, WS, WSS}

// Column is one column of the matrix: the scripted peer (no transport), or
// a broker over a transport.
type Column struct {
	Peer      Peer
	Transport Transport
}

func (c Column) String() string {
	if c.Peer == Scripted {
		return Scripted.Title()
	}
	return c.Peer.Title() + " " + string(c.Transport)
}

// Columns returns the report's columns: the scripted peer, then every
// broker over tcp, tls and ws, and the embedded broker over wss too: it is
// the only peer here with WebSocket over TLS (RabbitMQ's Web-STOMP
// listener is plain ws, ActiveMQ has no WebSocket at all).
func Columns() []Column {
	cols := []Column{{Peer: Scripted}}
	for _, p := range Brokers {
		for _, t := range Transports {
			if t != WSS || p == Embedded {
				cols = append(cols, Column{p, t})
			}
		}
	}
	return cols
}

// Label prefixes: a matrix spec carries one peer and one transport label;
// a quirk spec also carries a quirk label.
const (
	peerPrefix      = "peer:"
	transportPrefix = "transport:"
	quirkPrefix     = "quirk:"
)

// PeerLabel is the ginkgo label of specs that run against p.
func PeerLabel(p Peer) string { return peerPrefix + string(p) }

// TransportLabel is the ginkgo label of specs that run over t.
func TransportLabel(t Transport) string { return transportPrefix + string(t) }

// QuirkLabel is the ginkgo label of the specs that exercise a quirk.
func QuirkLabel(id string) string { return quirkPrefix + id }

// Exemption declares cells of the matrix that no spec can cover, and why.
type Exemption struct {
	Tag     string   // shown in the cell: "n/a (Tag)"
	Why     string   // the full reason, listed under the tables
	Lines   []int    // nil: every line (the cell does not exist)
	Columns []Column // the columns it applies to
}

// noWebSocket is the column that no spec can reach, with its reason in
// NotApplicable.
var noWebSocket = []Column{{ActiveMQ, WS}}

// reachable returns the broker columns of peers that specs can reach.
func reachable(peers ...Peer) []Column {
	var cols []Column
	for _, c := range Columns() {
		if slices.Contains(peers, c.Peer) && !slices.Contains(noWebSocket, c) {
			cols = append(cols, c)
		}
	}
	return cols
}

var (
	allBrokers = reachable(Brokers...)
	scripted   = []Column{{Peer: Scripted}}
)

// NotApplicable is the one table of what the matrix cannot cover. A cell
// that no exemption names must be covered by a spec; a cell that one names
// must not be (the report refuses both mistakes).
var NotApplicable = []Exemption{
	{Tag: "no WebSocket", Columns: noWebSocket,
		Why: "ActiveMQ's Debian build (activemq 5.17) ships no WebSocket transport (no activemq-http jar): there is nothing to dial."},
	{Tag: "client-side", Lines: []int{2}, Columns: allBrokers,
		Why: "Accepting CRLF needs a server that sends it; every broker here ends its lines with LF (measured). Covered by codec TestCONF02 on every version."},
	{Tag: "client-side", Lines: []int{12}, Columns: allBrokers,
		Why: "A broker never sends an undefined escape. Covered against exact bytes: codec TestCONF12 and the scripted peer's malformed-frame spec."},
	{Tag: "client-side", Lines: []int{24}, Columns: allBrokers,
		Why: "A local refusal: WithConnectHeader(\"receipt\", ...) fails before anything is dialed, so no broker takes part (scripted peer CONF-24)."},
	{Tag: "client-side", Lines: []int{26}, Columns: allBrokers,
		Why: "Needs a server that stays silent after CONNECT; a broker always answers (scripted peer CONF-26)."},
	{Tag: "client-side", Lines: []int{30}, Columns: allBrokers,
		Why: "What the client writes between frames cannot be seen through a broker (scripted peer CONF-28/CONF-30 reads it byte by byte)."},
	{Tag: "client-side", Lines: []int{31}, Columns: allBrokers,
		Why: "Needs a server that sends frames but no EOLs at a chosen rate; brokers send EOLs on their own schedule (scripted peer CONF-31)."},
	{Tag: "client-side", Lines: []int{53}, Columns: allBrokers,
		Why: "No broker sends an unknown command (scripted peer CONF-53)."},
	{Tag: "no such account", Lines: []int{10}, Columns: reachable(RabbitMQ, ActiveMQ),
		Why: "Needs an account whose passcode has ':' and '\\'; the broker scripts create guest/guest only. The embedded broker is given one."},
	{Tag: "broker-side", Lines: []int{41}, Columns: scripted,
		Why: "Cumulative acknowledgement is what the broker does with one ACK; the client's part (an ACK with the right headers) is CONF-37..40. Covered against every broker."},
	{Tag: "broker-side", Lines: []int{46}, Columns: scripted,
		Why: "A transaction dies with its session on the broker; covered against every broker through a link that drops the connection."},
}

// Exempt returns the exemption that covers line in col, if any.
func Exempt(line int, col Column) (Exemption, bool) {
	for _, e := range NotApplicable {
		if !slices.Contains(e.Columns, col) {
			continue
		}
		if e.Lines == nil || slices.Contains(e.Lines, line) {
			return e, true
		}
	}
	return Exemption{}, false
}

// CellExists reports whether the broker p over t is a column of the
// report that specs can reach: not when an exemption covers every line of
// it.
func CellExists(p Peer, t Transport) bool {
	c := Column{p, t}
	if !slices.Contains(Columns(), c) {
		return false
	}
	for _, e := range NotApplicable {
		if e.Lines == nil && slices.Contains(e.Columns, c) {
			return false
		}
	}
	return true
}

// Quirk is a documented or measured broker difference that specs exercise.
type Quirk struct {
	ID     string // the suffix of its label, quirk:ID
	Broker string
	Text   string // Markdown
	Source string // "documented" (the checklist) or "measured" (on this machine)
	NA     string // why no spec can exercise it here; "" when specs must
}

// Quirks are the rows of the report's second table.
var Quirks = []Quirk{
	{ID: "rabbitmq-vhost", Broker: "RabbitMQ", Source: "documented", Text: "`host` is the vhost (`/`)."},
	{ID: "rabbitmq-destinations", Broker: "RabbitMQ", Source: "documented", Text: "Destinations need `/queue/`, `/topic/`, `/exchange/`, `/amq/queue/` (or `/temp-queue/`, `/reply-queue/`); anything else is an ERROR."},
	{ID: "rabbitmq-temp-queue", Broker: "RabbitMQ", Source: "documented", Text: "`/temp-queue/` is for reply-to only; replies arrive on a subscription the client never sent."},
	{ID: "rabbitmq-reply-queue", Broker: "RabbitMQ", Source: "documented", Text: "The responder sees reply-to as `/reply-queue/...` and replies there."},
	{ID: "rabbitmq-heartbeat", Broker: "RabbitMQ", Source: "documented", Text: "Heart-beats are rounded up to whole seconds and sent every half interval."},
	{ID: "rabbitmq-frame-limit", Broker: "RabbitMQ", Source: "documented", Text: "4 MiB default frame limit. Measured on 3.10.8: not in this release; over STOMP and Web-STOMP a 5 MiB frame is delivered and only `max_message_size` (128 MiB) refuses a SEND."},
	{ID: "rabbitmq-nack", Broker: "RabbitMQ", Source: "documented", Text: "NACK requeues (`requeue` header; `requeue:false` drops)."},
	{ID: "rabbitmq-escapes-10", Broker: "RabbitMQ", Source: "measured", Text: "Escapes header values even on STOMP 1.0, and unescapes them: a lone `\\` in a 1.0 header drops the connection."},
	{ID: "rabbitmq-error-receipt", Broker: "RabbitMQ", Source: "measured", Text: "An ERROR carries no `receipt-id`, even when the offending frame asked for a receipt."},
	{ID: "rabbitmq-late-delivery", Broker: "RabbitMQ", Source: "measured", Text: "A MESSAGE still in flight when UNSUBSCRIBE is processed draws an ERROR \"Subscription not found\"; RabbitMQ keeps the connection open, the client (an ERROR being terminal) closes it."},
	{ID: "broker-eol", Broker: "RabbitMQ, ActiveMQ", Source: "measured", Text: "An EOL (`\\n`) follows every frame; on 1.1+ the client counts each as a heart-beat."},
	{ID: "broker-heartbeat-10", Broker: "RabbitMQ, ActiveMQ", Source: "measured", Text: "A 1.0 CONNECT that carries `heart-beat` gets heart-beats negotiated, although 1.0 has none."},
	{ID: "activemq-destinations", Broker: "ActiveMQ Classic", Source: "documented", Text: "Any destination name is accepted."},
	{ID: "activemq-bytes-message", Broker: "ActiveMQ Classic", Source: "documented", Text: "content-length present means a bytes message; without it, a text message (delivered without content-length)."},
	{ID: "activemq-nack-dlq", Broker: "ActiveMQ Classic", Source: "documented", Text: "NACK sends the message to the dead-letter queue (`ActiveMQ.DLQ`); measured: only a persistent one (`persistent:true`), a non-persistent one is dropped."},
	{ID: "activemq-late-heartbeat", Broker: "ActiveMQ Classic", Source: "documented", Text: "The first heart-beat after idling can be about 2× late: a receive scale above 2 tolerates it."},
	{ID: "activemq-no-websocket", Broker: "ActiveMQ Classic", Source: "documented", Text: "No WebSocket in the Debian build."},
	{ID: "activemq-prefetch", Broker: "ActiveMQ Classic", Source: "documented", Text: "`activemq.prefetchSize` bounds unacknowledged deliveries."},
	{ID: "activemq-error", Broker: "ActiveMQ Classic", Source: "measured", Text: "An ERROR carries no content-length (its body is read to the NUL) and the connection stays open after it (the client closes it)."},
	{ID: "artemis-host", Broker: "Artemis", Source: "documented", Text: "`host` is ignored.", NA: artemisNA},
	{ID: "artemis-heartbeat", Broker: "Artemis", Source: "documented", Text: "Heart-beats are altered by the server.", NA: artemisNA},
	{ID: "artemis-window", Broker: "Artemis", Source: "documented", Text: "`consumer-window-size` is in bytes.", NA: artemisNA},
}

const artemisNA = "Artemis is not installable here: Debian 12 has no package for it."

// QuirkByID returns the quirk with that id.
func QuirkByID(id string) (Quirk, bool) {
	for _, q := range Quirks {
		if q.ID == id {
			return q, true
		}
	}
	return Quirk{}, false
}

// LineByNumber returns checklist line n.
func LineByNumber(n int) (Line, error) {
	if n < 1 || n > len(Lines) || Lines[n-1].N != n {
		return Line{}, fmt.Errorf("confreport: no checklist line %d", n)
	}
	return Lines[n-1], nil
}
