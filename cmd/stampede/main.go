// Command stampede is the command line of the stampede STOMP framework.
//
//	stampede [flags]            the STOMP shell, stomp.py's CLI (python -m stomp)
//	stampede <command> [flags]  a subcommand: shell, send, subscribe, broker, ...
//
// Each subcommand lives in a file of its own and is listed in commands.
// Run "stampede help" for the list.
//
// # The shell
//
// The shell takes stomp.py's flags (-H -P -U -W -F -S -L -V, --heartbeats,
// --ssl...) and commands (subscribe, send, sendrec, sendfile, begin, ack,
// stats, run, ...; type "help"), and prints frames in stomp.py's shape:
// the command, "key: value" header lines, an empty line, the body. Bodies
// that are not text (not UTF-8, or with control characters that would
// drive the terminal) are summarised as their size and first bytes.
//
// On a terminal it edits lines with readline, keeps history in
// $XDG_STATE_HOME/stampede/history or ~/.stampede_history, completes
// command names, subscribed destinations and waiting ack ids, and prints
// messages above the line being typed. Ctrl-C cancels the running command
// (or clears the line), never the session; Ctrl-D or quit leaves. From a
// pipe or a file (-F) it reads plain lines, without a prompt.
//
// Unlike stomp.py's, sendfile sends the file's bytes (content-type
// application/octet-stream) with a filename header naming its base name,
// not base64 text; a receiving shell saves the file in --download-dir
// under that name, never overwriting a file (name-1.ext, name-2.ext, ...),
// and decodes stomp.py's base64 bodies (no content-type) too.
//
// Exit status: 0 ok; 1 a connection or protocol failure (for the shell on
// a pipe or file, also a command that failed); 2 a usage error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand. run gets the arguments after the command's
// name and returns the process exit code; ctx ends on SIGINT or SIGTERM.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands, in the order help shows them.
func commands() []command {
	return []command{
		shellCommand(),
		sendCommand(),
		subscribeCommand(),
		brokerCommand(),
		benchCommand(),
		versionCommand(),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once, as without a handler
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to the subcommand args[0] names. Without one (no
// arguments, or flags only) it runs the shell, as stomp.py's CLI does.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runShell(ctx, args, stdout, stderr)
	}
	if args[0] == "help" {
		if len(args) > 1 { // help <command>: the command's own -h
			for _, c := range commands() {
				if c.name == args[1] {
					return c.run(ctx, []string{"-h"}, stdout, stderr)
				}
			}
		}
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "stampede: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: stampede [flags]            the STOMP shell (see stampede -h)")
	fmt.Fprintln(w, "       stampede <command> [flags]")
	fmt.Fprintln(w)
	listCommands(w)
}

// listCommands prints the subcommands and how to learn more.
func listCommands(w io.Writer) {
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "stampede <command> -h" for a command's flags.`)
}
