// Package drivers puts stampede and go-stomp behind one small interface, so
// that every scenario of the comparison runs the same code against both
// libraries. stomp.py, a Python library, has its driver in bench/python.
package drivers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"
)

// Peer is the STOMP server a scenario talks to.
type Peer struct {
	Name     string // "embedded" or "rabbitmq"
	Addr     string // host:port
	Login    string
	Passcode string
	VHost    string // CONNECT's host header; empty: the library's default
	// TLS, when set, makes every connection STOMP over TLS with this
	// configuration (certificates verified); nil is plain TCP.
	TLS *tls.Config
}

// TLSConfig is the client configuration of the TLS scenarios: TLS 1.3,
// the server's certificate verified against the CA certificates in the PEM
// file caFile (and nothing else), the server name taken from the address.
func TLSConfig(caFile string) (*tls.Config, error) {
	data, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("drivers: no PEM certificate in %s", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}, nil
}

// DialOptions are the per-connection settings a scenario asks for.
type DialOptions struct {
	// HeartBeat is offered both ways; zero means no heart-beats.
	HeartBeat time.Duration
}

// Library dials connections of one client library.
type Library interface {
	// Name is how tables name the library.
	Name() string
	// Dial connects and returns once CONNECTED arrived.
	Dial(ctx context.Context, p Peer, o DialOptions) (Client, error)
	// Close releases what the library shares between connections (an
	// engine); connections must be closed first.
	Close() error
}

// Client is one connected session.
type Client interface {
	// Send sends a SEND frame without receipt.
	Send(dest string, body []byte) error
	// SendReceipt sends a SEND frame and waits for its RECEIPT: everything
	// sent before it has reached the server.
	SendReceipt(dest string, body []byte) error
	// Subscribe subscribes with auto acknowledgement; onMessage is called
	// once per MESSAGE, possibly concurrently with other subscriptions'.
	Subscribe(dest string, onMessage func()) error
	// Close ends the session without waiting for the server.
	Close() error
}

// Names lists the libraries New knows.
var Names = []string{"stampede", "go-stomp"}

// New returns the named library. loops sets the number of stampede's
// event loops (0: its default, one per CPU); go-stomp has none.
func New(name string, loops int) (Library, error) {
	switch name {
	case "stampede":
		return newStampede(loops)
	case "go-stomp":
		return goStomp{}, nil
	}
	return nil, fmt.Errorf("drivers: unknown library %q", name)
}
