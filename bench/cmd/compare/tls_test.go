package main

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
)

func TestListening(t *testing.T) {
	for _, c := range []struct{ line, addr, tlsAddr string }{
		{"stampede broker listening on tcp://127.0.0.1:1234\n", "127.0.0.1:1234", ""},
		{"stampede broker listening on tcp://127.0.0.1:1234 ssl://127.0.0.1:5678\n", "127.0.0.1:1234", "127.0.0.1:5678"},
		{"stampede broker listening on ssl://127.0.0.1:5678 tcp://127.0.0.1:1234", "127.0.0.1:1234", "127.0.0.1:5678"},
		{"something else tcp://127.0.0.1:1234", "", ""},
	} {
		addr, tlsAddr := listening(c.line)
		if addr != c.addr || tlsAddr != c.tlsAddr {
			t.Errorf("listening(%q) = %q, %q; want %q, %q", c.line, addr, tlsAddr, c.addr, c.tlsAddr)
		}
	}
}

// The files writeCerts makes are a CA and a broker certificate for
// 127.0.0.1 that verifies against it.
func TestWriteCerts(t *testing.T) {
	f, err := writeCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(f.ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("no certificate in the CA file")
	}
	pair, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: pool}); err != nil {
		t.Errorf("broker certificate: %v", err)
	}
}

func TestChildLib(t *testing.T) {
	sc := &scenario{tls: true}
	if lib, overTLS := childLib(sc, "go-stomp"); lib != "go-stomp" || !overTLS {
		t.Errorf("go-stomp in a TLS scenario: %q, %v", lib, overTLS)
	}
	if lib, overTLS := childLib(sc, stampedeTCP); lib != "stampede" || overTLS {
		t.Errorf("%s: %q, %v", stampedeTCP, lib, overTLS)
	}
	if _, overTLS := childLib(&scenario{}, "stampede"); overTLS {
		t.Error("stampede over TLS in a plain scenario")
	}
}
