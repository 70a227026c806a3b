package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/chzyer/readline"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// shellCmd is one command of the shell.
type shellCmd struct {
	name    string
	aliases []string
	args    string // what follows the name in the usage line
	summary string
	details string // parameters and description, for "help <command>"
	min     int    // least number of arguments
	dest    bool   // its first argument completes to subscribed destinations
	run     func(s *shell, ctx context.Context, a cmdLine) error
}

// shellCommands lists the commands, in the order help shows them. The
// names, arguments and messages are stomp.py's.
func shellCommands() []shellCmd {
	return []shellCmd{
		{name: "subscribe", args: "<destination> [ack]", min: 1, run: (*shell).cmdSubscribe,
			summary: "subscribe to a destination and print what arrives",
			details: "destination - the name to subscribe to\n" +
				"ack - auto (default), client or client-individual: with client modes,\n" +
				"      acknowledge each message with ack (or reject it with nack)"},
		{name: "unsubscribe", args: "<destination>", min: 1, dest: true, run: (*shell).cmdUnsubscribe,
			summary: "end a subscription",
			details: "destination - the name to unsubscribe from"},
		{name: "send", args: "<destination> <message>", min: 2, dest: true, run: (*shell).cmdSend,
			summary: "send a message (within the open transaction, if any)",
			details: "destination - where to send the message\nmessage - the content to send, the rest of the line"},
		{name: "sendrec", args: "<destination> <message>", min: 2, dest: true, run: (*shell).cmdSendrec,
			summary: "send a message and wait for the broker's receipt",
			details: "destination - where to send the message\nmessage - the content to send\n" +
				"Unlike stomp.py's, it returns only when the receipt arrived (or fails)."},
		{name: "sendreply", args: "<destination> <correlation-id> <message>", min: 3, dest: true, run: (*shell).cmdSendreply,
			summary: "send a reply, with a correlation-id header",
			details: "destination - where to send the message\n" +
				"correlation-id - the correlating identifier to send with the response\nmessage - the content to send"},
		{name: "sendfile", args: "<destination> <filename> [headers.json]", min: 2, dest: true, run: (*shell).cmdSendfile,
			summary: "send a file; a shell that receives it saves it",
			details: "destination - where to send the message\nfilename - the file to send\n" +
				"headers.json - a JSON object of extra headers to send\n" +
				"The body is the file's bytes (content-type application/octet-stream), with a\n" +
				"filename header holding its base name. A receiving shell saves it in its\n" +
				"--download-dir, never overwriting a file (name-1.ext, name-2.ext, ...); it also\n" +
				"decodes the base64 bodies stomp.py's sendfile sends."},
		{name: "begin", run: (*shell).cmdBegin,
			summary: "start a transaction: send, ack and nack join it until commit or abort"},
		{name: "commit", run: (*shell).cmdCommit,
			summary: "commit the open transaction"},
		{name: "abort", aliases: []string{"rollback"}, run: (*shell).cmdAbort,
			summary: "roll back the open transaction: nothing sent in it is delivered"},
		{name: "ack", min: 1, run: (*shell).cmdAck,
			summary: "acknowledge a received message (client ack modes)",
			details: "STOMP 1.2: ack <ack-id>, the ack header of the message\n" +
				"STOMP 1.1: ack <message-id> <subscription-id> (the subscription may be left out\n" +
				"           when the message-id is enough)\n" +
				"STOMP 1.0: ack <message-id>\n" +
				"Within a transaction the acknowledgement joins it. In client mode an ack (or\n" +
				"nack) also covers the subscription's earlier messages."},
		{name: "nack", min: 1, run: (*shell).cmdNack,
			summary: "reject a received message (STOMP 1.1 and 1.2)",
			details: "Arguments as for ack. The broker redelivers or discards the message."},
		{name: "stats", args: "[on|off]", run: (*shell).cmdStats,
			summary: "count messages sent, received, errors...: on, off, or show the counts"},
		{name: "run", args: "<filename>", min: 1, run: (*shell).cmdRun,
			summary: "run the commands in a file"},
		{name: "version", aliases: []string{"ver"}, run: (*shell).cmdVersion,
			summary: "show the version of the client and the protocol version"},
		{name: "help", args: "[command]", run: (*shell).cmdHelp,
			summary: "list the commands, or explain one"},
		{name: "quit", aliases: []string{"exit", "EOF"}, run: func(*shell, context.Context, cmdLine) error { return errQuit },
			summary: "disconnect and leave (also Ctrl-D)"},
	}
}

// lookupCommand finds a command by name or alias.
func lookupCommand(name string) (shellCmd, bool) {
	for _, c := range shellCommands() {
		if c.name == name || slices.Contains(c.aliases, name) {
			return c, true
		}
	}
	return shellCmd{}, false
}

// cmdLine is a command line split into whitespace-separated fields, with
// where each starts, so that a message keeps its spacing.
type cmdLine struct {
	text   string
	fields []string
	starts []int
}

func splitLine(line string) cmdLine {
	a := cmdLine{text: strings.TrimRight(line, " \t\r")}
	in := false
	for i, r := range a.text {
		space := r == ' ' || r == '\t'
		switch {
		case !space && !in:
			a.starts = append(a.starts, i)
			in = true
		case space && in:
			a.fields = append(a.fields, a.text[a.starts[len(a.starts)-1]:i])
			in = false
		}
	}
	if in {
		a.fields = append(a.fields, a.text[a.starts[len(a.starts)-1]:])
	}
	return a
}

// arg returns field i (the command is field 0), or "".
func (a cmdLine) arg(i int) string {
	if i < len(a.fields) {
		return a.fields[i]
	}
	return ""
}

// rest returns the line from field i on, as typed.
func (a cmdLine) rest(i int) string {
	if i < len(a.starts) {
		return a.text[a.starts[i]:]
	}
	return ""
}

// exec runs one command line and reports whether the shell should quit.
// Errors are printed; the shell goes on.
func (s *shell) exec(ctx context.Context, line string) bool {
	a := splitLine(line)
	if len(a.fields) == 0 || strings.HasPrefix(a.fields[0], "#") {
		return false
	}
	c, ok := lookupCommand(a.fields[0])
	if !ok {
		s.fail("Unknown command: %s (type help for the list)", a.fields[0])
		return false
	}
	if len(a.fields)-1 < c.min {
		s.fail("Expecting: %s", s.usage(c))
		return false
	}
	err := c.run(s, ctx, a)
	switch {
	case errors.Is(err, errQuit):
		return true
	case err != nil:
		s.fail("%s: %v", c.name, err)
	}
	return false
}

// usage returns a command's usage line; ack's depends on the version.
func (s *shell) usage(c shellCmd) string {
	if c.name == "ack" || c.name == "nack" {
		return ackUsage(c.name, s.version())
	}
	return strings.TrimSpace(c.name + " " + c.args)
}

func (s *shell) version() codec.Version {
	if s.proto == 0 {
		return codec.V12
	}
	return s.proto
}

// The cmd methods run the commands of shellCommands; exec has checked
// the number of arguments.

func (s *shell) cmdSubscribe(ctx context.Context, a cmdLine) error {
	ack := a.arg(2)
	if ack == "" {
		ack = "auto"
	}
	return s.subscribe(ctx, a.arg(1), ack)
}

// subscribe subscribes to dest; messages are printed by onMessage.
func (s *shell) subscribe(ctx context.Context, dest, ack string) error {
	switch ack {
	case "auto", "client", "client-individual":
	default:
		return fmt.Errorf("ack %q: want auto, client or client-individual", ack)
	}
	s.mu.Lock()
	if _, dup := s.subs[dest]; dup {
		s.mu.Unlock()
		return fmt.Errorf("Already subscribed to %s", dest)
	}
	s.nextID++
	id := strconv.Itoa(s.nextID)
	s.mu.Unlock()
	unsub, err := s.cl.subscribe(ctx, dest, subscribeSpec{id: id, ack: ack}, handlers.HandlerFunc(s.onMessage))
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.subs[dest] = &shellSub{id: id, ack: ack, unsubscribe: unsub}
	s.mu.Unlock()
	s.con.printf("Subscribing to '%s' with acknowledge set to '%s', id set to '%s'", dest, ack, id)
	return nil
}

// onMessage prints a received message, saves the file it carries, and
// keeps it for ack and nack when its subscription needs them.
func (s *shell) onMessage(_ context.Context, m *handlers.Message) error {
	f := m.Frame
	body := displayBody(f)
	if name, ok := f.Header.Lookup(hdrFilename); ok {
		if path, err := saveFile(s.downloadDir, name, fileContent(f)); err != nil {
			s.con.errorf("could not save file %q: %v", printable(name), err)
		} else {
			body = "Saved file: " + path
		}
	}
	s.acks.add(m)
	s.con.write(appendBlock(nil, "MESSAGE", f.Header, body))
	return nil
}

func (s *shell) cmdUnsubscribe(ctx context.Context, a cmdLine) error {
	dest := a.arg(1)
	s.mu.Lock()
	sub := s.subs[dest]
	delete(s.subs, dest)
	s.mu.Unlock()
	if sub == nil {
		return fmt.Errorf("Subscription %s not found", dest)
	}
	s.con.printf("Unsubscribing from '%s'", dest)
	return sub.unsubscribe(ctx)
}

// destinations lists the subscribed destinations, for completion.
func (s *shell) destinations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.subs))
	for d := range s.subs {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

func (s *shell) cmdSend(ctx context.Context, a cmdLine) error {
	_, err := s.cl.send(ctx, a.arg(1), []byte(a.rest(2)), nil, s.tx, false)
	return err
}

func (s *shell) cmdSendrec(ctx context.Context, a cmdLine) error {
	id, err := s.cl.send(ctx, a.arg(1), []byte(a.rest(2)), nil, s.tx, true)
	if err != nil {
		return err
	}
	s.con.write(appendBlock(nil, "RECEIPT", codec.Header{{Key: codec.HdrReceiptID, Value: id}}, ""))
	return nil
}

func (s *shell) cmdSendreply(ctx context.Context, a cmdLine) error {
	h := codec.Header{{Key: "correlation-id", Value: a.arg(2)}}
	_, err := s.cl.send(ctx, a.arg(1), []byte(a.rest(3)), h, s.tx, false)
	return err
}

func (s *shell) cmdSendfile(ctx context.Context, a cmdLine) error {
	path := a.arg(2)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("File %s cannot be read: %w", path, err)
	}
	h := codec.Header{{Key: hdrFilename, Value: filepath.Base(path)}}
	if extra := a.arg(3); extra != "" {
		more, err := loadHeaders(extra)
		if err != nil {
			return err
		}
		h = append(h, more...)
	}
	if !h.Has(codec.HdrContentType) {
		h.Add(codec.HdrContentType, fileContentType)
	}
	_, err = s.cl.send(ctx, a.arg(1), data, h, s.tx, false)
	return err
}

// loadHeaders reads a JSON object of headers (stomp.py's headers.json):
// strings, numbers and booleans.
func loadHeaders(path string) (codec.Header, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("File %s cannot be read: %w", path, err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: want a JSON object of headers: %w", path, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := make(codec.Header, 0, len(m))
	for _, k := range keys {
		var v string
		switch x := m[k].(type) {
		case string:
			v = x
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			v = strconv.FormatBool(x)
		default:
			return nil, fmt.Errorf("%s: header %q: want a string, number or boolean", path, k)
		}
		h.Add(k, v)
	}
	return h, nil
}

func (s *shell) cmdBegin(ctx context.Context, _ cmdLine) error {
	if s.tx != nil {
		return fmt.Errorf("Currently in a transaction (%s)", s.tx.ID())
	}
	tx, err := s.cl.begin(ctx)
	if err != nil {
		return err
	}
	s.tx = tx
	s.con.printf("Transaction id: %s", tx.ID())
	return nil
}

func (s *shell) cmdCommit(ctx context.Context, _ cmdLine) error {
	if s.tx == nil {
		return errors.New("Not currently in a transaction")
	}
	tx := s.tx
	s.tx = nil
	s.con.printf("Committing %s", tx.ID())
	return tx.commit(ctx)
}

func (s *shell) cmdAbort(ctx context.Context, _ cmdLine) error {
	if s.tx == nil {
		return errors.New("Not currently in a transaction")
	}
	tx := s.tx
	s.tx = nil
	if err := tx.abort(ctx); err != nil {
		return err
	}
	s.con.printf("Aborted transaction: %s", tx.ID())
	return nil
}

func (s *shell) cmdAck(ctx context.Context, a cmdLine) error  { return s.acknowledge(ctx, a, false) }
func (s *shell) cmdNack(ctx context.Context, a cmdLine) error { return s.acknowledge(ctx, a, true) }

func (s *shell) acknowledge(ctx context.Context, a cmdLine, nack bool) error {
	v := s.version()
	if nack && v == codec.V10 {
		return errors.New("STOMP 1.0 has no NACK")
	}
	m, err := s.acks.take(v, a.fields[1:])
	if err != nil {
		return err
	}
	return s.cl.acknowledge(ctx, m, s.tx, nack)
}

func (s *shell) cmdStats(_ context.Context, a cmdLine) error {
	switch a.arg(1) {
	case "":
		st, ok := s.cl.listener("stats").(*handlers.Stats)
		if !ok {
			return errors.New("No stats available (turn them on with: stats on)")
		}
		s.con.printf("%s", st.String())
	case "on":
		if _, ok := s.cl.listener("stats").(*handlers.Stats); !ok {
			s.cl.setListener("stats", handlers.NewStats())
		}
	case "off":
		s.cl.removeListener("stats")
	default:
		return errors.New("Expecting: stats [on|off]")
	}
	return nil
}

func (s *shell) cmdRun(ctx context.Context, a cmdLine) error {
	return s.runFile(ctx, a.rest(1))
}

func (s *shell) cmdVersion(context.Context, cmdLine) error {
	s.con.printf("%s [Protocol version %s]", versionString(), s.version())
	return nil
}

func (s *shell) cmdHelp(_ context.Context, a cmdLine) error {
	if name := a.arg(1); name != "" {
		c, ok := lookupCommand(name)
		if !ok {
			return fmt.Errorf("no command %q", name)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Usage:\n\t%s\n\n", s.usage(c))
		if c.details != "" {
			fmt.Fprintf(&b, "Parameters:\n\t%s\n\n", strings.ReplaceAll(c.details, "\n", "\n\t"))
		}
		fmt.Fprintf(&b, "Description:\n\t%s", c.summary)
		if len(c.aliases) > 0 {
			fmt.Fprintf(&b, " (also: %s)", strings.Join(c.aliases, ", "))
		}
		s.con.printf("%s", b.String())
		return nil
	}
	var b strings.Builder
	b.WriteString("Commands (type help <command> for details):\n")
	const width = 30
	for _, c := range shellCommands() {
		if u := s.usage(c); len(u) <= width {
			fmt.Fprintf(&b, "  %-*s %s\n", width, u, c.summary)
		} else {
			fmt.Fprintf(&b, "  %s\n  %-*s %s\n", u, width, "", c.summary)
		}
	}
	b.WriteString("Received messages are printed as they arrive; lines starting with # are ignored.")
	s.con.printf("%s", b.String())
	return nil
}

// completer completes command names, subscribed destinations where a
// command takes one, and the arguments of stats and help.
func (s *shell) completer() readline.AutoCompleter {
	dests := readline.PcItemDynamic(func(string) []string { return s.destinations() })
	ackIDs := readline.PcItemDynamic(func(string) []string { return s.acks.ids(s.version()) })
	var names []readline.PrefixCompleterInterface
	for _, c := range shellCommands() {
		names = append(names, readline.PcItem(c.name))
	}
	var items []readline.PrefixCompleterInterface
	for _, c := range shellCommands() {
		for _, n := range append([]string{c.name}, c.aliases...) {
			switch {
			case c.dest:
				items = append(items, readline.PcItem(n, dests))
			case n == "stats":
				items = append(items, readline.PcItem(n, readline.PcItem("on"), readline.PcItem("off")))
			case n == "help":
				items = append(items, readline.PcItem(n, names...))
			case n == "ack" || n == "nack":
				items = append(items, readline.PcItem(n, ackIDs))
			default:
				items = append(items, readline.PcItem(n))
			}
		}
	}
	return readline.NewPrefixCompleter(items...)
}
