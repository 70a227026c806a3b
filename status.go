package stampede

// Status is where a connection is in its life.
type Status uint8

// Statuses.
const (
	// StatusNew: made with New, not connected yet.
	StatusNew Status = iota
	// StatusConnecting: dialing, CONNECT sent, waiting for CONNECTED.
	StatusConnecting
	// StatusConnected: CONNECTED received; sends go out.
	StatusConnected
	// StatusReconnecting: the connection dropped and automatic
	// reconnection is trying again; sends wait.
	StatusReconnecting
	// StatusDisconnecting: Disconnect sent DISCONNECT and waits for the
	// receipt.
	StatusDisconnecting
	// StatusClosed: finished for good.
	StatusClosed
)

// String returns the status in lower case ("connected").
func (s Status) String() string {
	switch s {
	case StatusNew:
		return "new"
	case StatusConnecting:
		return "connecting"
	case StatusConnected:
		return "connected"
	case StatusReconnecting:
		return "reconnecting"
	case StatusDisconnecting:
		return "disconnecting"
	case StatusClosed:
		return "closed"
	}
	return "unknown"
}
