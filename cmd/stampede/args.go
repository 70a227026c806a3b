package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/stampede-mq/stampede/codec"
)

// parseFlags parses args with fs, letting flags and positional arguments
// come in any order ("send /queue/a --receipt=false hello"), as the issue's
// "stampede subscribe --url ... DEST --count N" needs; the standard flag
// package stops at the first positional argument. Everything after "--" is
// positional. It returns the positional arguments.
//
// Usage text is the caller's: on -h it returns flag.ErrHelp having printed
// nothing, so that help goes to stdout and exits 0; on a bad flag the flag
// package has already printed the reason to fs's output.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.Usage = func() {}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagFailure turns a parse error into an exit code: 0 for -h (after
// printing help with usage), 2 for a bad flag.
func flagFailure(err error, name string, stdout, stderr io.Writer, help func(io.Writer)) int {
	if errors.Is(err, flag.ErrHelp) {
		help(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "Run \"%s -h\" for help.\n", name)
	return 2
}

// usageError prints a usage error the way flag errors look and returns 2.
func usageError(stderr io.Writer, name, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", name, fmt.Sprintf(format, args...))
	fmt.Fprintf(stderr, "Run \"%s -h\" for help.\n", name)
	return 2
}

// headerFlags is a repeatable --header key:value flag.
type headerFlags codec.Header

func (h *headerFlags) String() string {
	parts := make([]string, len(*h))
	for i, f := range *h {
		parts[i] = f.Key + ":" + f.Value
	}
	return strings.Join(parts, ", ")
}

func (h *headerFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, ":")
	if !ok || k == "" {
		return fmt.Errorf("want key:value, got %q", s)
	}
	*h = append(*h, codec.Field{Key: k, Value: v})
	return nil
}

// printDefaults prints fs's flags under a title, with GNU-style double
// dashes for long names.
func printDefaults(w io.Writer, title string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s:\n", title)
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		name, usage := flag.UnquoteUsage(f)
		line := "  " + dash + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 {
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}
