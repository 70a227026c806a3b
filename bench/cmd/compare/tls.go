package main

import (
	"os"
	"path/filepath"

	"github.com/stampede-mq/stampede/internal/testcert"
)

// stampedeTCP is the column of the TLS scenarios that measures stampede
// over the broker's plain TCP listener, in the same runs as the TLS ones.
const stampedeTCP = "stampede (TCP)"

// certFiles are the PEM files of the TLS scenarios, made once per run: a
// CA, and the broker's certificate for 127.0.0.1 signed by it, with its key.
type certFiles struct {
	ca, cert, key string
}

// writeCerts makes a CA and a server certificate for 127.0.0.1 and writes
// them into dir.
func writeCerts(dir string) (certFiles, error) {
	ca := testcert.NewCA("stampede bench CA")
	leaf := ca.Issue(testcert.Options{Hosts: []string{"127.0.0.1"}, Name: "stampede bench broker"})
	f := certFiles{
		ca:   filepath.Join(dir, "ca.pem"),
		cert: filepath.Join(dir, "broker.pem"),
		key:  filepath.Join(dir, "broker-key.pem"),
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{f.ca, ca.PEM}, {f.cert, leaf.CertPEM}, {f.key, leaf.KeyPEM}} {
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return certFiles{}, err
		}
	}
	return f, nil
}

// brokerFlags give the embedded broker a TLS listener next to its TCP one.
func (f certFiles) brokerFlags() []string {
	return []string{"--tls", "127.0.0.1:0", "--tls-cert", f.cert, "--tls-key", f.key}
}

// childLib is the library a column measures and whether it connects over
// TLS: every column of a TLS scenario does, but stampedeTCP.
func childLib(sc *scenario, lib string) (child string, overTLS bool) {
	if lib == stampedeTCP {
		return "stampede", false
	}
	return lib, sc.tls
}

// vsLabel is the header of the ratio column of stampede against other.
func vsLabel(other string) string {
	if other == stampedeTCP {
		return "stampede TLS vs TCP"
	}
	return "stampede vs " + other
}
