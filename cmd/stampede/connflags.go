package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/secret"
)

// connFlags are the flags every command that connects to a broker shares:
// where (a URL, or stomp.py's host and port), who, which protocol version,
// heart-beats, TLS and WebSocket.
type connFlags struct {
	url        string
	host       string
	port       int
	user       string
	password   string
	vhost      string
	protocol   string
	heartbeats string
	ssl        bool
	sslKey     string
	sslCert    string
	sslCA      string
	insecure   bool
	ws         string
	wsBinary   bool
	timeout    time.Duration
}

// register adds the flags to fs; with stompPy, also stomp.py's one-letter
// names (-H, -P, -U, -W, -S).
func (f *connFlags) register(fs *flag.FlagSet, stompPy bool) {
	fs.StringVar(&f.url, "url", "", "broker URL: stomp://user:pass@host:port, ssl://..., ws://host:port/path, wss://... (overrides --host/--port)")
	fs.StringVar(&f.host, "host", "localhost", "broker host name")
	fs.IntVar(&f.port, "port", 61613, "broker port")
	fs.StringVar(&f.user, "user", "", "login")
	fs.StringVar(&f.password, "password", "", "passcode (never printed)")
	fs.StringVar(&f.vhost, "vhost", "", "virtual host: CONNECT's host header (RabbitMQ: /)")
	fs.StringVar(&f.protocol, "protocol", "1.2", "STOMP version: 1.0, 1.1 or 1.2")
	fs.StringVar(&f.heartbeats, "heartbeats", "0,0", "heart-beats cx,cy in milliseconds")
	fs.BoolVar(&f.ssl, "ssl", false, "connect with TLS")
	fs.StringVar(&f.sslKey, "ssl-key-file", "", "client private key (PEM) for mutual TLS")
	fs.StringVar(&f.sslCert, "ssl-cert-file", "", "client certificate (PEM) for mutual TLS")
	fs.StringVar(&f.sslCA, "ssl-ca-file", "", "CA certificates (PEM) to verify the broker with (default: the system's)")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "do not verify the broker's certificate (test servers only)")
	fs.StringVar(&f.ws, "ws", "", "connect over WebSocket to this path (RabbitMQ: /ws)")
	fs.BoolVar(&f.wsBinary, "ws-binary", false, "send binary WebSocket frames")
	fs.DurationVar(&f.timeout, "connect-timeout", 10*time.Second, "how long to wait for CONNECTED")
	if stompPy {
		fs.StringVar(&f.host, "H", "localhost", "broker host name (stomp.py -H)")
		fs.IntVar(&f.port, "P", 61613, "broker port (stomp.py -P)")
		fs.StringVar(&f.user, "U", "", "login (stomp.py -U)")
		fs.StringVar(&f.password, "W", "", "passcode (stomp.py -W)")
		fs.StringVar(&f.protocol, "S", "1.2", "STOMP version (stomp.py -S)")
	}
}

// address returns the address to dial.
func (f *connFlags) address() (string, error) {
	if f.url != "" {
		u, err := url.Parse(f.url)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // url.Error quotes the whole URL, passcode included
			}
			return "", fmt.Errorf("--url %q: %w", secret.Address(f.url), err)
		}
		if u.Scheme == "" || u.Host == "" {
			return "", fmt.Errorf("--url %q: want scheme://host:port", secret.Address(f.url))
		}
		return f.url, nil
	}
	scheme := "tcp"
	switch {
	case f.ws != "" && f.ssl:
		scheme = "wss"
	case f.ws != "":
		scheme = "ws"
	case f.ssl:
		scheme = "ssl"
	}
	addr := scheme + "://" + net.JoinHostPort(f.host, strconv.Itoa(f.port))
	if f.ws != "" {
		if !strings.HasPrefix(f.ws, "/") {
			return "", fmt.Errorf("--ws %q: a path starting with /", f.ws)
		}
		addr += f.ws
	}
	return addr, nil
}

// options turns the flags into connection options.
func (f *connFlags) options() ([]stampede.Option, error) {
	v, err := codec.ParseVersion(f.protocol)
	if err != nil {
		return nil, fmt.Errorf("--protocol: %w", err)
	}
	cx, cy, err := parseHeartbeats(f.heartbeats)
	if err != nil {
		return nil, err
	}
	opts := []stampede.Option{
		stampede.WithVersions(v),
		stampede.WithHeartBeat(cx, cy),
		stampede.WithConnectTimeout(f.timeout),
	}
	if f.user != "" || f.password != "" {
		opts = append(opts, stampede.WithLogin(f.user, f.password))
	}
	if f.vhost != "" {
		opts = append(opts, stampede.WithHost(f.vhost))
	}
	if f.sslKey != "" || f.sslCert != "" || f.sslCA != "" {
		cfg, err := stampede.LoadTLSConfig(stampede.TLSFiles{CAFile: f.sslCA, CertFile: f.sslCert, KeyFile: f.sslKey})
		if err != nil {
			return nil, err
		}
		opts = append(opts, stampede.WithTLS(cfg))
	}
	if f.insecure {
		opts = append(opts, stampede.WithInsecureSkipVerify())
	}
	if f.wsBinary {
		opts = append(opts, stampede.WithWebSocketBinary())
	}
	return opts, nil
}

// parseHeartbeats parses "cx,cy" in milliseconds.
func parseHeartbeats(s string) (time.Duration, time.Duration, error) {
	hb, err := codec.ParseHeartBeat(s)
	if err != nil {
		return 0, 0, errors.New("--heartbeats: want cx,cy in milliseconds, e.g. 10000,10000")
	}
	return hb.Send, hb.Receive, nil
}
