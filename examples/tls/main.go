// Command tls shows STOMP over TLS with the server's certificate verified,
// which is stampede's default: an ssl:// address, and WithTLS naming the
// certificate authorities to trust. Here that is the embedded broker's
// self-signed certificate: the example first shows that a client that
// does not trust it is refused, then connects with it trusted.
//
//	go run ./examples/tls                                # the embedded broker's TLS listener
//	go run ./examples/tls -url ssl://rabbit.example:61614 -ca ca.pem -login guest -passcode guest -vhost /   # RabbitMQ
//	go run ./examples/tls -url ssl://amq.example:61614 -ca ca.pem -cert client.pem -key client-key.pem       # ActiveMQ, mutual TLS
//
// It prints:
//
//	broker: embedded broker at ssl://127.0.0.1:40123
//	without the broker's certificate authority: refused (certificate signed by unknown authority)
//	connected over TLS 1.3, certificate of "stampede embedded broker" verified
//	received 10/10
//
// and exits 0; 1 when the untrusted connection is not refused, the trusted
// one fails or messages are missing, 2 on bad flags. Against -url the
// refusal is not tried: the broker's certificate may well be trusted by
// the system.
//
// With -url, -ca names a PEM file of authorities to trust (default: the
// system's), -cert and -key a client certificate for brokers that ask for
// one, and -server-name the name to verify when it differs from the host
// dialed. stampede.LoadTLSConfig reads them; WithInsecureSkipVerify exists,
// by that name, for test servers only.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/examples/internal/target"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type settings struct {
	broker  *target.Flags
	files   stampede.TLSFiles
	queue   string
	count   int
	timeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("tls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	s := settings{broker: target.Register(fs)}
	fs.StringVar(&s.files.CAFile, "ca", "", "PEM file of the authorities to trust, with -url (default: the system's)")
	fs.StringVar(&s.files.CertFile, "cert", "", "PEM file of a client certificate, with -url")
	fs.StringVar(&s.files.KeyFile, "key", "", "PEM file of the client certificate's key, with -url")
	fs.StringVar(&s.files.ServerName, "server-name", "", "name to verify in the broker's certificate (default: the host dialed)")
	fs.StringVar(&s.queue, "queue", "/queue/stampede.tls", "queue to send to and receive from")
	fs.IntVar(&s.count, "count", 10, "messages to send")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if s.count < 1 || s.timeout <= 0 || s.queue == "" {
		err := errors.New("-count must be at least 1, -timeout positive, -queue set")
		fmt.Fprintln(stderr, err)
		return s, err
	}
	return s, nil
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := overTLS(ctx, s, stdout); err != nil {
		fmt.Fprintln(stderr, "tls:", err)
		return 1
	}
	return 0
}

func overTLS(ctx context.Context, s settings, stdout io.Writer) error {
	t, err := s.broker.Open("ssl")
	if err != nil {
		return err
	}
	defer t.Close()
	fmt.Fprintf(stdout, "broker: %s\n", t)
	eng, err := stampede.NewEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	opts := append(s.broker.Options(), stampede.WithEngine(eng))

	var cfg *tls.Config
	if t.Embedded != nil {
		// The system's authorities do not know the self-signed
		// certificate: verification must refuse it.
		_, err := stampede.Dial(ctx, t.URL, opts...)
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			return fmt.Errorf("a client that does not trust the broker's certificate got %v, want a refusal", err)
		}
		fmt.Fprintln(stdout, "without the broker's certificate authority: refused (certificate signed by unknown authority)")
		cfg = &tls.Config{RootCAs: t.Embedded.RootCAs()}
	} else if cfg, err = stampede.LoadTLSConfig(s.files); err != nil {
		return err
	}

	// The check runs during the handshake, after the standard
	// verification succeeded, on the dialing goroutine: Dial returns after
	// it, so reading state afterwards needs no lock.
	var state tls.ConnectionState
	record := stampede.WithTLSVerify(func(cs tls.ConnectionState) error {
		state = cs
		return nil
	})
	conn, err := stampede.Dial(ctx, t.URL, append(opts, stampede.WithTLS(cfg), record)...)
	if err != nil {
		return err
	}
	defer conn.Disconnect(context.Background())
	subject := "?"
	if len(state.PeerCertificates) > 0 {
		subject = state.PeerCertificates[0].Subject.CommonName
	}
	fmt.Fprintf(stdout, "connected over %s, certificate of %q verified\n", tls.VersionName(state.Version), subject)

	sub, err := conn.Subscribe(ctx, s.queue, nil, stampede.WithSubscribeReceipt())
	if err != nil {
		return err
	}
	for i := range s.count {
		if err := conn.Send(ctx, s.queue, fmt.Appendf(nil, "secret %d", i+1)); err != nil {
			return err
		}
	}
	received := 0
	for received < s.count {
		select {
		case _, ok := <-sub.C():
			if !ok {
				return fmt.Errorf("subscription ended: %v", conn.Err())
			}
			received++
		case <-ctx.Done():
			fmt.Fprintf(stdout, "received %d/%d\n", received, s.count)
			return ctx.Err()
		}
	}
	fmt.Fprintf(stdout, "received %d/%d\n", received, s.count)
	return nil
}
