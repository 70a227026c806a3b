package confreport

// Line is one numbered assertion of the STOMP conformance checklist.
type Line struct {
	N       int
	Section string
	Text    string // Markdown, as in the checklist
}

// Lines is the checklist (the project's shared CONFORMANCE.md), copied
// here so that the report never depends on a file outside the module.
var Lines = []Line{
	{1, "Framing", "A frame is COMMAND EOL, header lines, EOL, body, NUL, then any number of EOLs. Commands are case-sensitive."},
	{2, "Framing", "1.0/1.1 lines end in LF; 1.2 lines may end in CRLF. Accept CRLF from any server."},
	{3, "Framing", "EOLs between frames are skipped; on 1.1+ each one is a heart-beat."},
	{4, "Framing", "A header line splits at its first `:`. An empty name is an error."},
	{5, "Framing", "1.1/1.2 never trim header names or values (`k: v` has the value ` v`)."},
	{6, "Framing", "A repeated header: the first value is the value; all values stay available."},
	{7, "Framing", "1.2 escapes `\\` `\\\\`, CR `\\r`, LF `\\n`, `:` `\\c` in every frame but CONNECT and CONNECTED."},
	{8, "Framing", "1.1 escapes only `\\\\`, `\\n`, `\\c`; it never emits `\\r` (undefined in 1.1)."},
	{9, "Framing", "1.0 neither escapes nor unescapes. A CR or LF in a 1.0 header value cannot be sent: reject it."},
	{10, "Framing", "CONNECT and CONNECTED are never escaped or unescaped (a passcode with `:` or `\\` goes verbatim)."},
	{11, "Framing", "Unescaping is one left-to-right pass: `\\\\n` decodes to backslash followed by `n`."},
	{12, "Framing", "An undefined escape (`\\t`, a trailing `\\`) in a 1.1/1.2 frame is a protocol error."},
	{13, "Framing", "With content-length N the body is exactly N octets, NULs included, and the next octet must be NUL."},
	{14, "Framing", "Without content-length the body ends at the first NUL."},
	{15, "Framing", "SEND carries content-length by default (opt-out per message); it is the byte length, always."},
	{16, "Framing", "Only SEND, MESSAGE and ERROR carry a body; a body on CONNECTED is an error."},
	{17, "Framing", "No content-type means binary; text types default to UTF-8; `charset=` is honoured."},
	{18, "Framing", "Limits are enforced before allocation: frame size, header count, header line length, body size. A content-length of 4 GiB allocates nothing."},
	{19, "Connect and negotiation", "A 1.1+ CONNECT carries `accept-version` and `host`."},
	{20, "Connect and negotiation", "No `accept-version` means 1.0; CONNECTED without `version` means 1.0."},
	{21, "Connect and negotiation", "A negotiated version outside the offered list fails the connect."},
	{22, "Connect and negotiation", "ERROR instead of CONNECTED fails the connect with the server's message."},
	{23, "Connect and negotiation", "The `STOMP` command is used only when asked for, and only when 1.0 is not offered."},
	{24, "Connect and negotiation", "CONNECT never carries a receipt."},
	{25, "Connect and negotiation", "`host` defaults to the dialed host name and can be overridden (RabbitMQ wants `/`)."},
	{26, "Connect and negotiation", "Silence after CONNECT fails the connect at its deadline."},
	{27, "Heart-beating (1.1+)", "`heart-beat:x,y` is two non-negative integers in ms; absent is 0,0; malformed is an error."},
	{28, "Heart-beating (1.1+)", "Client sends every max(cx, sy) ms, or never when either is 0."},
	{29, "Heart-beating (1.1+)", "Client expects data every max(sx, cy) ms, or never when either is 0."},
	{30, "Heart-beating (1.1+)", "A heart-beat is one EOL, sent only when nothing else was written in the interval."},
	{31, "Heart-beating (1.1+)", "Any received octet proves liveness."},
	{32, "Heart-beating (1.1+)", "Receive timeout = interval × a configurable scale (default 1.5; brokers may be 2× late); on expiry the connection closes with a distinct error and the heart-beat-timeout event."},
	{33, "Heart-beating (1.1+)", "1.0 negotiates no heart-beat; TCP keepalive is the tool there."},
	{34, "Subscribe and acknowledge", "1.1+ SUBSCRIBE has an `id` unique on the connection; 1.0 may omit it and unsubscribe by destination."},
	{35, "Subscribe and acknowledge", "`ack` is auto, client or client-individual (the last not on 1.0)."},
	{36, "Subscribe and acknowledge", "MESSAGE is routed by `subscription`; an unknown id goes to an unhandled-message route, never a panic."},
	{37, "Subscribe and acknowledge", "1.2 MESSAGE carries `ack` when the mode is client or client-individual."},
	{38, "Subscribe and acknowledge", "1.2 ACK/NACK send `id` = the MESSAGE's `ack` value."},
	{39, "Subscribe and acknowledge", "1.1 ACK/NACK send `message-id` and `subscription`."},
	{40, "Subscribe and acknowledge", "1.0 ACK sends `message-id`; NACK on 1.0 is a local error."},
	{41, "Subscribe and acknowledge", "client mode acknowledges cumulatively; client-individual does not."},
	{42, "Subscribe and acknowledge", "MESSAGEs that arrive after UNSUBSCRIBE are handled without error."},
	{43, "Receipts, transactions, errors, disconnect", "Any frame but CONNECT may ask for a receipt; RECEIPT `receipt-id` matches, and acknowledges all earlier frames."},
	{44, "Receipts, transactions, errors, disconnect", "Receipt ids are unique per connection; an unmatched receipt goes to the receipt listener."},
	{45, "Receipts, transactions, errors, disconnect", "BEGIN/COMMIT/ABORT carry a transaction id unique per connection; SEND/ACK/NACK join with `transaction`."},
	{46, "Receipts, transactions, errors, disconnect", "Open transactions are dead after the connection drops; using one is an error."},
	{47, "Receipts, transactions, errors, disconnect", "ERROR is terminal: fail pending receipts and waits with the server's error, then close."},
	{48, "Receipts, transactions, errors, disconnect", "ERROR's `receipt-id` maps it to the failed operation; its body is read by content-length."},
	{49, "Receipts, transactions, errors, disconnect", "An ERROR without `receipt-id` is connection-level."},
	{50, "Receipts, transactions, errors, disconnect", "SEND needs a destination (local error before anything is written)."},
	{51, "Receipts, transactions, errors, disconnect", "Graceful close: DISCONNECT with a receipt, wait with a deadline, close; nothing is sent after DISCONNECT."},
	{52, "Receipts, transactions, errors, disconnect", "EOF right after DISCONNECT counts as success (some brokers close without the RECEIPT, e.g. RabbitMQ over WebSocket)."},
	{53, "Receipts, transactions, errors, disconnect", "An unknown server command is a protocol error reported to the error listener, never a panic."},
}
