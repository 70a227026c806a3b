package broker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
)

// listenerSpec is a listener besides the plain TCP one, as configured.
type listenerSpec struct {
	scheme  string // "ssl", "ws" or "wss"
	address string
	path    string // WebSocket path
	tls     *tls.Config
}

// WithTLSListener adds a STOMP-over-TLS listener on address ("host:port";
// port 0 picks a free one, which [Broker.URLs] reports). With a nil cfg the
// broker makes itself a self-signed certificate for localhost and
// 127.0.0.1 at Start; [Broker.RootCAs] returns what clients must trust.
// TLS 1.2 is the minimum unless cfg says otherwise; ask for client
// certificates with cfg.ClientAuth.
func WithTLSListener(address string, cfg *tls.Config) Option {
	return func(c *config) error {
		if _, _, err := net.SplitHostPort(address); err != nil {
			return invalid("TLS listen address %q: %v", address, err)
		}
		c.extra = append(c.extra, listenerSpec{scheme: "ssl", address: address, tls: cfg})
		return nil
	}
}

// WithWebSocketListener adds a STOMP-over-WebSocket listener:
// "ws://host:port/path" (RabbitMQ's is /ws) or "wss://host:port/path",
// whose TLS configuration is cfg (nil: the self-signed certificate, as for
// [WithTLSListener]). The STOMP subprotocols v10.stomp, v11.stomp and
// v12.stomp are offered.
func WithWebSocketListener(wsURL string, cfg *tls.Config) Option {
	return func(c *config) error {
		u, err := url.Parse(wsURL)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			return invalid("WebSocket listener %q: want ws://host:port/path or wss://host:port/path", wsURL)
		}
		if _, _, err := net.SplitHostPort(u.Host); err != nil {
			return invalid("WebSocket listener %q: %v", wsURL, err)
		}
		path := u.EscapedPath()
		if path == "" {
			path = "/ws"
		}
		c.extra = append(c.extra, listenerSpec{scheme: u.Scheme, address: u.Host, path: path, tls: cfg})
		return nil
	}
}

// endpointsFor turns the configured listeners into endpoints, making the
// self-signed certificate if one is needed.
func (b *Broker) endpointsFor(specs []listenerSpec) ([]*endpoint, error) {
	var out []*endpoint
	for _, sp := range specs {
		cfg := sp.tls
		if cfg == nil && (sp.scheme == "ssl" || sp.scheme == "wss") {
			if b.selfSigned == nil {
				cert, pool, err := selfSigned()
				if err != nil {
					return nil, err
				}
				b.selfSigned, b.rootCAs = &cert, pool
			}
			cfg = &tls.Config{Certificates: []tls.Certificate{*b.selfSigned}}
		}
		if cfg != nil {
			cfg = cfg.Clone()
			if cfg.MinVersion == 0 {
				cfg.MinVersion = tls.VersionTLS12
			}
		}
		ep := &endpoint{scheme: sp.scheme, address: sp.address, path: sp.path}
		switch sp.scheme {
		case "ssl":
			ep.newLayer = func() loop.Layer { return loop.ServerTLS(cfg) }
		case "ws", "wss":
			up, err := websocket.NewUpgrader(websocket.ServerConfig{Path: sp.path, Versions: b.cfg.versions, TLS: cfg})
			if err != nil {
				return nil, fmt.Errorf("broker: %w", err)
			}
			ep.newLayer = up.NewLayer
		}
		out = append(out, ep)
	}
	return out, nil
}

// URLs returns the URL of every listener, the TCP one first:
// "tcp://127.0.0.1:61613", "ssl://...", "ws://127.0.0.1:15674/ws".
func (b *Broker) URLs() []string {
	b.life.Lock()
	defer b.life.Unlock()
	out := make([]string, 0, len(b.endpoints))
	for _, ep := range b.endpoints {
		out = append(out, ep.url())
	}
	return out
}

// URLFor returns the URL of the first listener with the given scheme ("tcp",
// "ssl", "ws", "wss"), or "" if there is none.
func (b *Broker) URLFor(scheme string) string {
	for _, u := range b.URLs() {
		if strings.HasPrefix(u, scheme+"://") {
			return u
		}
	}
	return ""
}

// RootCAs returns the pool that trusts the broker's self-signed
// certificate, or nil when every TLS listener has its own configuration.
func (b *Broker) RootCAs() *x509.CertPool { return b.rootCAs }

func (ep *endpoint) url() string {
	u := ep.scheme + "://" + ep.address
	if ep.scheme == "ws" || ep.scheme == "wss" {
		u += ep.path
	}
	return u
}

// selfSigned makes a certificate for localhost and 127.0.0.1, valid for a
// year, and a pool holding it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "stampede embedded broker"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
