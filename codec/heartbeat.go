package codec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HeartBeat is the value of a heart-beat header as written by one side:
// Send is the smallest interval at which that side can send heart-beats,
// Receive the interval at which it wants to receive them. Zero means never.
type HeartBeat struct {
	Send    time.Duration
	Receive time.Duration
}

// ParseHeartBeat parses "x,y" (CONF-27): two non-negative integers in
// milliseconds. An empty value means 0,0; anything else malformed is an
// error wrapping [ErrBadHeartBeat].
func ParseHeartBeat(s string) (HeartBeat, error) {
	if s == "" {
		return HeartBeat{}, nil
	}
	x, y, ok := strings.Cut(s, ",")
	if !ok {
		return HeartBeat{}, fmt.Errorf("%w: %q", ErrBadHeartBeat, s)
	}
	sx, err1 := parseMillis(x)
	sy, err2 := parseMillis(y)
	if err1 != nil || err2 != nil {
		return HeartBeat{}, fmt.Errorf("%w: %q", ErrBadHeartBeat, s)
	}
	return HeartBeat{Send: sx, Receive: sy}, nil
}

// parseMillis accepts digits only (some brokers pad with spaces, which we
// tolerate), at most 2^31-1 ms (about 24 days).
func parseMillis(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrBadHeartBeat
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrBadHeartBeat
		}
	}
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return 0, ErrBadHeartBeat
	}
	return time.Duration(n) * time.Millisecond, nil
}

// String renders the header value, in whole milliseconds ("10000,10000").
func (h HeartBeat) String() string {
	return strconv.FormatInt(h.Send.Milliseconds(), 10) + "," + strconv.FormatInt(h.Receive.Milliseconds(), 10)
}

// Negotiate computes the intervals that apply to the local side once both
// headers are known (CONF-28, CONF-29): the local side sends every
// max(local.Send, remote.Receive), or never when either is zero, and expects
// data every max(remote.Send, local.Receive), or never when either is zero.
// It works the same way for a client (local = its CONNECT header, remote =
// CONNECTED) and for a server (the other way round).
func Negotiate(local, remote HeartBeat) (send, receive time.Duration) {
	if local.Send > 0 && remote.Receive > 0 {
		send = max(local.Send, remote.Receive)
	}
	if remote.Send > 0 && local.Receive > 0 {
		receive = max(remote.Send, local.Receive)
	}
	return send, receive
}
