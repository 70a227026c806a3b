package codec

// Command is a STOMP frame command. Commands are case-sensitive: "send" is
// not [Send].
type Command string

// Client commands.
const (
	Connect     Command = "CONNECT"
	Stomp       Command = "STOMP"
	Send        Command = "SEND"
	Subscribe   Command = "SUBSCRIBE"
	Unsubscribe Command = "UNSUBSCRIBE"
	Ack         Command = "ACK"
	Nack        Command = "NACK"
	Begin       Command = "BEGIN"
	Commit      Command = "COMMIT"
	Abort       Command = "ABORT"
	Disconnect  Command = "DISCONNECT"
)

// Server commands.
const (
	Connected Command = "CONNECTED"
	Message   Command = "MESSAGE"
	Receipt   Command = "RECEIPT"
	Error     Command = "ERROR"
)

// lookupCommand maps the bytes of a command line to its constant without
// allocating (the compiler turns the string conversion in a switch into a
// comparison). ok is false for a command STOMP does not define.
func lookupCommand(b []byte) (Command, bool) {
	switch string(b) {
	case "MESSAGE":
		return Message, true
	case "SEND":
		return Send, true
	case "ACK":
		return Ack, true
	case "RECEIPT":
		return Receipt, true
	case "NACK":
		return Nack, true
	case "SUBSCRIBE":
		return Subscribe, true
	case "UNSUBSCRIBE":
		return Unsubscribe, true
	case "BEGIN":
		return Begin, true
	case "COMMIT":
		return Commit, true
	case "ABORT":
		return Abort, true
	case "CONNECTED":
		return Connected, true
	case "CONNECT":
		return Connect, true
	case "STOMP":
		return Stomp, true
	case "DISCONNECT":
		return Disconnect, true
	case "ERROR":
		return Error, true
	}
	return "", false
}

// IsClient reports whether a client sends c.
func (c Command) IsClient() bool {
	switch c {
	case Connect, Stomp, Send, Subscribe, Unsubscribe, Ack, Nack, Begin, Commit, Abort, Disconnect:
		return true
	}
	return false
}

// IsServer reports whether a server sends c.
func (c Command) IsServer() bool {
	switch c {
	case Connected, Message, Receipt, Error:
		return true
	}
	return false
}

// Known reports whether c is a command STOMP defines.
func (c Command) Known() bool { return c.IsClient() || c.IsServer() }

// HasBody reports whether frames of this command may carry a body. Only SEND,
// MESSAGE and ERROR do (CONF-16). Unknown commands are given the benefit of
// the doubt so that their frames can be read and reported.
func (c Command) HasBody() bool {
	switch c {
	case Send, Message, Error:
		return true
	}
	return !c.Known()
}

// escaped reports whether header names and values of this command are
// escaped. CONNECT and CONNECTED never are (CONF-10); the STOMP command is
// a CONNECT.
func (c Command) escaped() bool {
	return c != Connect && c != Connected && c != Stomp
}
