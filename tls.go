package stampede

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
)

// WithTLS sets the TLS configuration of ssl:// and wss:// addresses (the
// default is the system's roots and full verification). The server name
// defaults to the dialed host, TLS 1.2 is the minimum unless cfg says
// otherwise. A cfg with InsecureSkipVerify is refused: skipping
// verification must be asked for by name, with [WithInsecureSkipVerify].
func WithTLS(cfg *tls.Config) Option {
	return func(c *config) error {
		if cfg == nil {
			return invalidOption("nil TLS config")
		}
		if cfg.InsecureSkipVerify {
			return invalidOption("TLS config skips verification: use WithInsecureSkipVerify to say so")
		}
		c.transports.tls = cfg.Clone()
		return nil
	}
}

// WithTLSFor sets the TLS configuration for one host name of the address
// list (stomp.py set_ssl(for_hosts=...)); other hosts use [WithTLS]'s or the
// default.
func WithTLSFor(host string, cfg *tls.Config) Option {
	return func(c *config) error {
		if cfg == nil {
			return invalidOption("nil TLS config for %s", host)
		}
		if cfg.InsecureSkipVerify {
			return invalidOption("TLS config for %s skips verification: use WithInsecureSkipVerify", host)
		}
		if c.transports.tlsFor == nil {
			c.transports.tlsFor = make(map[string]*tls.Config)
		}
		c.transports.tlsFor[strings.ToLower(host)] = cfg.Clone()
		return nil
	}
}

// WithInsecureSkipVerify turns certificate verification off for every TLS
// connection. Anyone on the path can then read and change the traffic: use
// it only against a test server.
func WithInsecureSkipVerify() Option {
	return func(c *config) error {
		if c.transports.tls == nil {
			c.transports.tls = &tls.Config{}
		}
		c.transports.tls.InsecureSkipVerify = true
		for _, cfg := range c.transports.tlsFor {
			cfg.InsecureSkipVerify = true
		}
		return nil
	}
}

// WithTLSVerify adds a check of the peer's certificates after the standard
// verification (stomp.py cert_validator): return an error to refuse the
// connection.
func WithTLSVerify(check func(cs tls.ConnectionState) error) Option {
	return func(c *config) error {
		if check == nil {
			return invalidOption("nil TLS verification hook")
		}
		if c.transports.tls == nil {
			c.transports.tls = &tls.Config{}
		}
		c.transports.tls.VerifyConnection = check
		return nil
	}
}

// tlsConfig returns the configuration for ep: its own, the shared one, or
// the default; with the server name and minimum version filled in.
func (c *Conn) tlsConfig(ep *endpoint) (*tls.Config, error) {
	t := &c.cfg.transports
	host := strings.ToLower(ep.host)
	if fc := t.finished; fc != nil {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		if cfg := fc.m[host]; cfg != nil {
			return cfg, nil
		}
	}
	base := t.tlsFor[host]
	if base == nil {
		base = t.tls
	}
	var cfg *tls.Config
	if base != nil {
		cfg = base.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = ep.host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if t.tls != nil && t.tls.VerifyConnection != nil && cfg.VerifyConnection == nil {
		cfg.VerifyConnection = t.tls.VerifyConnection
	}
	if fc := t.finished; fc != nil {
		if fc.m == nil {
			fc.m = make(map[string]*tls.Config)
		}
		fc.m[host] = cfg
	}
	return cfg, nil
}

// TLSFiles names PEM files for a TLS configuration (stomp.py set_ssl's
// key_file, cert_file, ca_certs and password).
type TLSFiles struct {
	// CAFile holds the certificates that may sign the server's certificate;
	// empty uses the system's roots.
	CAFile string
	// CertFile and KeyFile hold the client's certificate chain and key,
	// for servers that ask for one (mutual TLS).
	CertFile, KeyFile string
	// Password decrypts a key in the legacy encrypted PEM format (RFC
	// 1423), as stomp.py's password does. That format is weak; prefer an
	// unencrypted key protected by file permissions.
	Password string
	// ServerName overrides the name verified and sent in SNI.
	ServerName string
}

// LoadTLSConfig builds a client TLS configuration from PEM files.
func LoadTLSConfig(f TLSFiles) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: f.ServerName, MinVersion: tls.VersionTLS12}
	if f.CAFile != "" {
		data, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("stampede: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("stampede: CA file %s: no PEM certificate", f.CAFile)
		}
		cfg.RootCAs = pool
	}
	if f.CertFile != "" || f.KeyFile != "" {
		if f.CertFile == "" || f.KeyFile == "" {
			return nil, fmt.Errorf("stampede: a client certificate needs both CertFile and KeyFile")
		}
		certPEM, err := os.ReadFile(f.CertFile)
		if err != nil {
			return nil, fmt.Errorf("stampede: certificate file: %w", err)
		}
		keyPEM, err := os.ReadFile(f.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("stampede: key file: %w", err)
		}
		if f.Password != "" {
			if keyPEM, err = decryptKey(keyPEM, f.Password); err != nil {
				return nil, err
			}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("stampede: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// decryptKey decrypts a legacy encrypted PEM key.
func decryptKey(data []byte, password string) ([]byte, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("stampede: key file: no PEM block")
	}
	//lint:ignore SA1019 stomp.py's password option reads this legacy format.
	if !x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck
		return data, nil
	}
	der, err := x509.DecryptPEMBlock(block, []byte(password)) //nolint:staticcheck
	if err != nil {
		return nil, fmt.Errorf("stampede: decrypting the key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}), nil
}
