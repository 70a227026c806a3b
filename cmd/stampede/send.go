package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// The send command sends one message (or one per input line) and exits:
// for scripts and pipes.
//
//	stampede send --url stomp://host:61613 /queue/a 'hello'
//	date | stampede send /queue/a -
//	tail -f app.log | stampede send --lines /topic/logs

func sendCommand() command {
	return command{
		name:    "send",
		summary: "send a message (the body, or standard input) and exit",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return sendMain(ctx, args, os.Stdin, stdout, stderr)
		},
	}
}

// sendFlags are the send command's flags.
type sendFlags struct {
	conn        connFlags
	mc          multicastFlags
	headers     headerFlags
	contentType string
	receipt     bool
	lines       bool
	verbose     bool
}

func (f *sendFlags) register(fs *flag.FlagSet) {
	f.conn.register(fs, true)
	f.mc.register(fs)
	fs.Var(&f.headers, "header", "add a header, key:value (repeatable)")
	fs.StringVar(&f.contentType, "content-type", "", "content-type header, e.g. text/plain;charset=utf-8 (default: none, a binary body)")
	fs.BoolVar(&f.receipt, "receipt", true, "wait for the broker's receipt before exiting 0 (--receipt=false: only for the DISCONNECT)")
	fs.BoolVar(&f.lines, "lines", false, "send each line of standard input as a message of its own")
	fs.BoolVar(&f.verbose, "v", false, "print every frame on standard error (passcodes masked)")
	fs.BoolVar(&f.verbose, "verbose", false, "print every frame on standard error (passcodes masked)")
}

func sendHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: stampede send [flags] <destination> [<body> | -]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Sends a message and exits. Without a body, or with -, the body is standard input")
	fmt.Fprintln(w, "(all of it, or one message per line with --lines). Flags may follow the arguments.")
	fmt.Fprintln(w, "Exit status: 0 sent (and confirmed); 1 connection or protocol failure; 2 usage error.")
	fmt.Fprintln(w)
	printDefaults(w, "Flags", fs)
}

// sendMain is the send command with its standard input given.
func sendMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const name = "stampede send"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f sendFlags
	f.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagFailure(err, name, stdout, stderr, func(w io.Writer) { sendHelp(w, fs) })
	}
	switch {
	case len(pos) == 0:
		return usageError(stderr, name, "missing <destination>")
	case len(pos) > 2:
		return usageError(stderr, name, "unexpected argument %q (quote a body with spaces)", pos[2])
	case pos[0] == "":
		return usageError(stderr, name, "empty <destination>")
	case f.lines && len(pos) == 2 && pos[1] != "-":
		return usageError(stderr, name, "--lines reads standard input: give no body, or -")
	}
	spec := dialSpec{conn: &f.conn, mc: &f.mc}
	if err := spec.check(); err != nil {
		return usageError(stderr, name, "%v", err)
	}
	h := codec.Header(f.headers)
	if f.contentType != "" {
		h.Set(codec.HdrContentType, f.contentType)
	}
	spec.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if f.verbose {
		spec.listeners = append(spec.listeners, namedListener{"verbose", handlers.NewPrinting(stderr)})
	}

	// The whole body is read before connecting: a slow producer does not
	// hold a connection open, and a read error sends nothing.
	var body []byte
	fromStdin := len(pos) == 1 || pos[1] == "-"
	if fromStdin && !f.lines {
		if body, err = io.ReadAll(stdin); err != nil {
			fmt.Fprintf(stderr, "%s: reading standard input: %v\n", name, err)
			return 1
		}
	} else if !fromStdin {
		body = []byte(pos[1])
	}

	cl, err := dialClient(ctx, spec)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot connect to %s: %v%s\n", name, spec.where(), err, refusedHint(err))
		return 1
	}
	code := 0
	if f.lines {
		err = sendLines(ctx, cl, pos[0], stdin, h, f.receipt)
	} else {
		_, err = cl.send(ctx, pos[0], body, h, nil, f.receipt)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		code = 1
	}
	if err := cl.disconnect(context.WithoutCancel(ctx)); err != nil && code == 0 {
		fmt.Fprintf(stderr, "%s: disconnect: %v\n", name, err)
		code = 1
	}
	return code
}

// sendLines sends each line of r as a message as soon as it is read (CR
// LF endings too). With receipt, a line asks for one when no more input is
// at hand: the last line, and the last of each burst, so a piped file asks
// about once per 64 KiB read and `tail -f` once per line. The broker
// handles a connection's frames in order, so a receipt confirms every line
// before it.
func sendLines(ctx context.Context, cl stompClient, dest string, r io.Reader, h codec.Header, receipt bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxLine {
			return fmt.Errorf("reading standard input: %w", bufio.ErrTooLong)
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue // a line longer than the buffer
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading standard input: %w", err)
		}
		if len(line) > 0 {
			body := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			last := err == io.EOF || br.Buffered() == 0
			if _, err := cl.send(ctx, dest, bytes.Clone(body), h, nil, receipt && last); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		line = line[:0]
	}
}
