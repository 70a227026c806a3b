package broker

import (
	"slices"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
)

// ServerName is the value of the server header of the broker's CONNECTED
// frames.
const ServerName = "stampede/0.1"

// onConnect negotiates the version, checks the virtual host and the
// credentials, agrees on heart-beats and answers CONNECTED. Loop only.
func (s *session) onConnect(f *codec.Frame) {
	cfg := &s.b.cfg
	offered, err := codec.ParseAcceptVersion(f.Header.Get(codec.HdrAcceptVersion))
	v, ok := codec.Highest(offered, cfg.versions)
	if err != nil || !ok {
		supported := codec.FormatAcceptVersion(cfg.versions)
		s.fail(f, "unsupported protocol version",
			"the broker speaks STOMP "+supported+"; the client offered "+quoteOr(f.Header.Get(codec.HdrAcceptVersion), "1.0"),
			codec.Field{Key: codec.HdrVersion, Value: supported})
		return
	}
	s.version = v
	if host, ok := f.Header.Lookup(codec.HdrHost); ok && len(cfg.hosts) > 0 && !slices.Contains(cfg.hosts, host) {
		s.fail(f, "unknown virtual host", "virtual host "+quoteOr(host, "")+" does not exist")
		return
	}
	if cfg.auth != nil {
		login := f.Header.Get(codec.HdrLogin)
		if !cfg.auth(login, f.Header.Get(codec.HdrPasscode)) {
			s.fail(f, "access refused", "login "+quoteOr(login, "")+" refused: bad login or passcode")
			return
		}
	}
	var client, offer codec.HeartBeat
	if v >= codec.V11 {
		if client, err = codec.ParseHeartBeat(f.Header.Get(codec.HdrHeartBeat)); err != nil {
			s.fail(f, "malformed heart-beat header", err.Error())
			return
		}
		offer = cfg.heartBeat
		if cfg.mirrorBeats {
			offer = codec.HeartBeat{Send: client.Receive, Receive: client.Send}
		}
	}
	s.state = connected
	if s.connectT != nil {
		s.connectT.Stop()
		s.connectT = nil
	}
	s.c.Decoder().SetVersion(v)
	h := codec.Header{
		{Key: codec.HdrVersion, Value: v.String()},
		{Key: codec.HdrServer, Value: ServerName},
		{Key: codec.HdrSession, Value: s.id},
	}
	if v >= codec.V11 {
		h = append(h, codec.Field{Key: codec.HdrHeartBeat, Value: offer.String()})
	}
	_ = s.reply(&codec.Frame{Command: codec.Connected, Header: h}, loop.Force)
	s.hbSend, s.hbRecv = codec.Negotiate(offer, client)
	s.applyHeartBeat()
	s.b.log.Debug("connected", "session", s.id, "version", v.String(), "send", s.hbSend, "receive", s.hbRecv)
}

// applyHeartBeat starts the negotiated heart-beats: the broker's own
// unless a fault withholds them, and the check that the client's arrive,
// with [HeartBeatGrace] times the interval of tolerance. Loop only.
func (s *session) applyHeartBeat() {
	send := s.hbSend
	if s.withholding {
		send = 0
	}
	s.c.SetHeartBeat(send, s.hbRecv*HeartBeatGrace)
}

func quoteOr(s, empty string) string {
	if s == "" && empty != "" {
		return empty
	}
	return `"` + s + `"`
}
