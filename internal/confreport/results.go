package confreport

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// Result is one spec or test that ran, passed or failed.
type Result struct {
	Name    string   // what the report shows: the spec's leaf text, or the test's name
	Full    string   // the containers' texts and the leaf text
	Labels  []string // container and leaf labels
	File    string   // where the spec is defined ("" for go test results)
	Test    bool     // a go test (codec unit test), not a ginkgo spec
	Suite   bool     // a suite-level node (BeforeSuite, AfterSuite...) that failed
	Passed  bool
	Failure string // the failure's message and location
	// Entries are the spec's report entries by name (AddReportEntry), in
	// the order they were added.
	Entries map[string][]string
}

// Run is what one conformance run produced.
type Run struct {
	Started time.Time
	Results []Result
}

// ReadGinkgo reads a ginkgo JSON report (-ginkgo.json-report). It keeps the
// It specs that passed or failed; skipped and pending specs did not run.
func ReadGinkgo(r io.Reader) (Run, error) {
	var reports []types.Report
	if err := json.NewDecoder(r).Decode(&reports); err != nil {
		return Run{}, fmt.Errorf("confreport: ginkgo report: %w", err)
	}
	if len(reports) == 0 {
		return Run{}, errors.New("confreport: ginkgo report: no suite")
	}
	run := Run{Started: reports[0].StartTime}
	for _, rep := range reports {
		for _, s := range rep.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt {
				if s.State.Is(types.SpecStateFailureStates) {
					run.Results = append(run.Results, Result{
						Name: s.LeafNodeType.String(), Full: s.LeafNodeType.String(), File: s.LeafNodeLocation.FileName,
						Suite: true, Failure: failure(s),
					})
				}
				continue
			}
			if !s.State.Is(types.SpecStatePassed | types.SpecStateFailureStates) {
				continue
			}
			res := Result{
				Name:   s.LeafNodeText,
				Full:   s.FullText(),
				Labels: s.Labels(),
				File:   s.LeafNodeLocation.FileName,
				Passed: s.State == types.SpecStatePassed,
			}
			if !res.Passed {
				res.Failure = failure(s)
			}
			for _, e := range s.ReportEntries {
				if res.Entries == nil {
					res.Entries = map[string][]string{}
				}
				v := e.Value.Representation
				if v == "" {
					v = e.Value.AsJSON
				}
				res.Entries[e.Name] = append(res.Entries[e.Name], v)
			}
			run.Results = append(run.Results, res)
		}
	}
	return run, nil
}

func failure(s types.SpecReport) string {
	msg, _, _ := strings.Cut(strings.TrimSpace(s.Failure.Message), "\n")
	loc := s.Failure.Location
	if loc.FileName == "" {
		return msg
	}
	return fmt.Sprintf("%s (%s:%d)", msg, shortPath(loc.FileName), loc.LineNumber)
}

// shortPath keeps a file name from the module's root: specs/x_test.go.
func shortPath(file string) string {
	for _, dir := range []string{"/specs/", "/codec/"} {
		if i := strings.LastIndex(file, dir); i >= 0 {
			return file[i+1:]
		}
	}
	return file
}

// testEvent is one line of `go test -json`.
type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// ReadGoTest reads `go test -json` output and keeps the top-level tests
// that passed or failed.
func ReadGoTest(r io.Reader) ([]Result, error) {
	var results []Result
	output := map[string]*strings.Builder{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // build output before the events
		}
		var ev testEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("confreport: go test event %q: %w", line, err)
		}
		if ev.Test == "" || strings.Contains(ev.Test, "/") {
			continue
		}
		switch ev.Action {
		case "output":
			if output[ev.Test] == nil {
				output[ev.Test] = &strings.Builder{}
			}
			output[ev.Test].WriteString(ev.Output)
		case "pass", "fail":
			res := Result{Name: ev.Test, Full: ev.Package + "." + ev.Test, Test: true, Passed: ev.Action == "pass"}
			if !res.Passed && output[ev.Test] != nil {
				res.Failure = firstFailureLine(output[ev.Test].String())
			}
			results = append(results, res)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("confreport: go test output: %w", err)
	}
	return results, nil
}

func firstFailureLine(out string) string {
	for l := range strings.Lines(out) {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") {
			return l
		}
	}
	return ""
}

var (
	confRef   = regexp.MustCompile(`\bCONF-(\d+)(?:\.\.(\d+))?\b`)
	confTest  = regexp.MustCompile(`^TestCONF(\d+)_`)
	quirkName = regexp.MustCompile(`^QUIRK \S`)
)

// ParseLines returns the checklist lines a spec name covers: every CONF-n
// in a name that starts with one ("CONF-37 CONF-38 ...", "CONF-28 ... and
// CONF-30 ...", "CONF-37..40 ..."), or n for a test named TestCONFnn_...
// Other names cover nothing.
func ParseLines(name string) []int {
	if m := confTest.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return []int{n}
	}
	if !strings.HasPrefix(name, "CONF-") {
		return nil
	}
	var lines []int
	for _, m := range confRef.FindAllStringSubmatch(name, -1) {
		from, _ := strconv.Atoi(m[1])
		to := from
		if m[2] != "" {
			to, _ = strconv.Atoi(m[2])
		}
		for n := from; n <= to && n-from < len(Lines); n++ {
			if !slices.Contains(lines, n) {
				lines = append(lines, n)
			}
		}
	}
	return lines
}

// IsQuirk reports whether name is a quirk spec's ("QUIRK RabbitMQ ...").
func IsQuirk(name string) bool { return quirkName.MatchString(name) }

// labelValues returns the values of the labels with prefix.
func labelValues(labels []string, prefix string) []string {
	var vs []string
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, prefix); ok && !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	return vs
}
