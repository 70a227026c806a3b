package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/stampede-mq/stampede/broker"
)

// shutdownGrace bounds how long the broker subcommand waits for clients
// to take what is queued for them once it is told to stop.
const shutdownGrace = 10 * time.Second

func brokerCommand() command {
	return command{
		name:    "broker",
		summary: "run the embedded STOMP broker in the foreground until SIGINT or SIGTERM",
		run:     runBroker,
	}
}

// brokerFlags are the broker subcommand's flags.
type brokerFlags struct {
	listen     string
	ws         []string
	tlsListen  string
	tlsCert    string
	tlsKey     string
	login      string
	passcode   string
	heartBeat  time.Duration
	maxPending int
	verbose    bool
}

func (f *brokerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "listen", "tcp://127.0.0.1:61613", "TCP listener, tcp://host:port (port 0 picks a free one)")
	fs.Func("ws", "WebSocket listener, ws://host:port/path or wss://host:port/path (repeatable; RabbitMQ's is ws://127.0.0.1:15674/ws)", func(v string) error {
		f.ws = append(f.ws, v)
		return nil
	})
	fs.StringVar(&f.tlsListen, "tls", "", "STOMP over TLS listener, host:port")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "server certificate (PEM) for --tls and wss:// (default: a generated self-signed one)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key (PEM) of --tls-cert")
	fs.StringVar(&f.login, "login", "", "accept only this login (with --passcode)")
	fs.StringVar(&f.passcode, "passcode", "", "the passcode that goes with --login")
	fs.DurationVar(&f.heartBeat, "heartbeat", 0, "heart-beat interval the broker offers both ways, e.g. 10s (0: none)")
	fs.IntVar(&f.maxPending, "max-pending", broker.DefaultMaxPending, "messages a slow topic subscriber may fall behind before it is closed")
	fs.BoolVar(&f.verbose, "v", false, "log every connection")
}

// options turns the flags into broker options.
func (f *brokerFlags) options(stderr io.Writer) ([]broker.Option, error) {
	if f.passcode != "" && f.login == "" {
		return nil, errors.New("--passcode needs --login")
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	opts := []broker.Option{
		broker.WithListen(f.listen),
		broker.WithHeartBeat(f.heartBeat, f.heartBeat),
		broker.WithMaxPending(f.maxPending),
		broker.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))),
	}
	if f.login != "" {
		opts = append(opts, broker.WithAuth(f.login, f.passcode))
	}
	var cfg *tls.Config
	if f.tlsCert != "" || f.tlsKey != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if f.tlsListen != "" {
		opts = append(opts, broker.WithTLSListener(f.tlsListen, cfg))
	}
	for _, u := range f.ws {
		opts = append(opts, broker.WithWebSocketListener(u, cfg))
	}
	return opts, nil
}

// runBroker starts the broker, prints where it listens on stdout, and
// shuts it down gracefully when ctx ends.
func runBroker(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stampede broker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f brokerFlags
	f.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagFailure(err, "stampede broker", stdout, stderr, func(w io.Writer) {
			fmt.Fprintln(w, "usage: stampede broker [flags]")
			fmt.Fprintln(w)
			fmt.Fprintln(w, "Runs the embedded STOMP broker in the foreground until SIGINT or SIGTERM.")
			fmt.Fprintln(w)
			printDefaults(w, "Flags", fs)
		})
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "stampede broker: unexpected argument %q\n", pos[0])
		return 2
	}
	opts, err := f.options(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "stampede broker: %v\n", err)
		return 2
	}
	b, err := broker.Start(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "stampede broker: %v\n", err)
		if errors.Is(err, broker.ErrInvalidOption) {
			return 2 // a flag it cannot honour
		}
		return 1
	}
	fmt.Fprintf(stdout, "stampede broker listening on %s\n", strings.Join(b.URLs(), " "))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := b.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "stampede broker: shutdown: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "stampede broker stopped")
	return 0
}
