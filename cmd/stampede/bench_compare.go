package main

import (
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
	help := func(w io.Writer) {
		fmt.Fprintln(w, "usage: stampede bench compare A.json B.json [--report FILE.html]")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagFailure(err, fs.Name(), stdout, stderr, help)
	}
	if len(files) != 2 {
		return usageError(stderr, fs.Name(), "want two JSON files, got %d", len(files))
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
