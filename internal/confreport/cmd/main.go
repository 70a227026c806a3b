// Command cmd writes the STOMP conformance matrix (docs/CONFORMANCE.md)
// from a ginkgo JSON report of the specs and the `go test -json` output of
// the codec's TestCONFnn tests. `make conformance-report` runs both and
// then this:
//
//	go run ./internal/confreport/cmd -specs specs.json -codec codec.json -out docs/CONFORMANCE.md
//
// It exits 1, writing nothing, when a cell of the matrix has neither a
// spec nor a declared reason to be n/a, or when the results contradict the
// tables of package confreport. Failed cells are written as ❌: they are
// results, not errors of the report.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/stampede-mq/stampede/internal/confreport"
)

func main() {
	specs := flag.String("specs", "", "ginkgo JSON report of ./specs/ (-ginkgo.json-report)")
	codec := flag.String("codec", "", "`go test -json` output of ./codec/")
	out := flag.String("out", "docs/CONFORMANCE.md", "the Markdown file to write")
	command := flag.String("command", "make conformance-report", "the command that regenerates the file, named in it")
	flag.Parse()
	if err := run(*specs, *codec, *out, *command); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(specsPath, codecPath, out, command string) error {
	if specsPath == "" || codecPath == "" {
		return fmt.Errorf("confreport: -specs and -codec are required")
	}
	sf, err := os.Open(specsPath)
	if err != nil {
		return err
	}
	defer sf.Close()
	run, err := confreport.ReadGinkgo(sf)
	if err != nil {
		return err
	}
	cf, err := os.Open(codecPath)
	if err != nil {
		return err
	}
	defer cf.Close()
	tests, err := confreport.ReadGoTest(cf)
	if err != nil {
		return err
	}
	rep, err := confreport.Build(run, tests)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rep.Render(&buf, confreport.RenderOptions{GoVersion: runtime.Version(), Command: command}); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	n := rep.Counts()
	fmt.Fprintf(os.Stderr, "%s: %d cells pass, %d fail, %d n/a; %d failed specs\n", out, n[confreport.Pass], n[confreport.Fail], n[confreport.NA], len(rep.Failed()))
	return nil
}
