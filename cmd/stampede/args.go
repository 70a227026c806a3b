package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
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

// String shows the headers given so far.
func (h *headerFlags) String() string {
	parts := make([]string, len(*h))
	for i, f := range *h {
		parts[i] = f.Key + ":" + f.Value
	}
	return strings.Join(parts, ", ")
}

// Set adds one key:value header.
func (h *headerFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, ":")
	if !ok || k == "" {
		return fmt.Errorf("want key:value, got %q", s)
	}
	*h = append(*h, codec.Field{Key: k, Value: v})
	return nil
}

// printDefaults prints fs's flags under a title, GNU style: an alias
// (a flag bound to the same variable, like -H and --host) is listed with
// the long name it stands for, "-H, --host string".
func printDefaults(w io.Writer, title string, fs *flag.FlagSet) {
	type group struct {
		names []string
		main  *flag.Flag // the longest name: its usage and default are shown
	}
	var groups []*group
	byValue := map[flag.Value]*group{}
	fs.VisitAll(func(f *flag.Flag) {
		var g *group
		if reflect.TypeOf(f.Value).Comparable() {
			g = byValue[f.Value]
		}
		if g == nil {
			g = &group{main: f}
			groups = append(groups, g)
			if reflect.TypeOf(f.Value).Comparable() {
				byValue[f.Value] = g
			}
		}
		g.names = append(g.names, f.Name)
		if len(f.Name) > len(g.main.Name) {
			g.main = f
		}
	})
	slices.SortFunc(groups, func(a, b *group) int { return strings.Compare(a.main.Name, b.main.Name) })
	fmt.Fprintf(w, "%s:\n", title)
	for _, g := range groups {
		slices.SortFunc(g.names, func(a, b string) int { return len(a) - len(b) })
		parts := make([]string, len(g.names))
		for i, n := range g.names {
			parts[i] = "--" + n
			if len(n) == 1 {
				parts[i] = "-" + n
			}
		}
		name, usage := flag.UnquoteUsage(g.main)
		line := "  " + strings.Join(parts, ", ")
		if name != "" {
			line += " " + name
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if d := g.main.DefValue; d != "" && d != "false" && d != "0" && d != "0s" {
			line += fmt.Sprintf(" (default %q)", d)
		}
		fmt.Fprintln(w, line)
	}
}
