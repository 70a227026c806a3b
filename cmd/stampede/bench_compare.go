package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/stampede-mq/stampede/internal/loadgen"
)

// runBenchCompare prints two JSON results side by side with the ratio of
// each headline number, and with --report writes them overlaid in one HTML
// report. Flags may come before or after the two files.
func runBenchCompare(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stampede bench compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	report := fs.String("report", "", "write an HTML report of both runs overlaid to this file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: stampede bench compare A.json B.json [--report FILE.html]")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return benchOK
		}
		return benchUsage
	}
	if len(files) != 2 {
		fmt.Fprintf(stderr, "stampede bench compare: want two JSON files, got %d\n", len(files))
		fs.Usage()
		return benchUsage
	}
	a, err := loadgen.LoadJSON(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "stampede bench compare: %v\n", err)
		return benchFailed
	}
	b, err := loadgen.LoadJSON(files[1])
	if err != nil {
		fmt.Fprintf(stderr, "stampede bench compare: %v\n", err)
		return benchFailed
	}
	na, nb := label(files[0]), label(files[1])
	if na == nb {
		na, nb = "A", "B"
	}
	if err := loadgen.WriteComparison(stdout, a, b, na, nb); err != nil {
		return benchFailed
	}
	if *report != "" {
		if err := loadgen.SaveReport(*report, loadgen.Labeled{Label: na, Result: a}, loadgen.Labeled{Label: nb, Result: b}); err != nil {
			fmt.Fprintf(stderr, "stampede bench compare: --report: %v\n", err)
			return benchFailed
		}
	}
	return benchOK
}

// label names a run after its file: "runs/rabbit.json" is "rabbit".
func label(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// parseInterspersed parses flags that may come after positional
// arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
