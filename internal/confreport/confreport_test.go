package confreport

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseLines(t *testing.T) {
	for name, want := range map[string][]int{
		"CONF-11 decodes \\\\n as backslash + n":                        {11},
		"CONF-37 CONF-38 1.2 by the ack header":                         {37, 38},
		"CONF-28 sends heart-beats, and CONF-30 only when nothing else": {28, 30},
		"CONF-37..40 acknowledges with the headers":                     {37, 38, 39, 40},
		"CONF-7 CONF-7 twice":                                           {7},
		"TestCONF09_Version10NeitherEscapesNorUnescapes":                {9},
		"escapes headers for each version (CONF-7, CONF-8)":             nil, // not a CONF name
		"QUIRK RabbitMQ CONF-25 host":                                   nil,
		"TestMaxSizeBoundsAppend":                                       nil,
		"CONF-123 beyond the checklist":                                 {123},
	} {
		if got := ParseLines(name); !slices.Equal(got, want) {
			t.Errorf("ParseLines(%q) = %v, want %v", name, got, want)
		}
	}
}

func readFixture(t *testing.T) (Run, []Result) {
	t.Helper()
	f, err := os.Open("testdata/specs.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := ReadGinkgo(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Open("testdata/codec.json")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	tests, err := ReadGoTest(g)
	if err != nil {
		t.Fatal(err)
	}
	return run, tests
}

func TestReadGinkgo(t *testing.T) {
	run, _ := readFixture(t)
	if want := time.Date(2026, 11, 25, 21, 2, 18, 64297049, time.UTC); !run.Started.Equal(want) {
		t.Errorf("Started = %v, want %v", run.Started, want)
	}
	var names []string
	for _, r := range run.Results {
		names = append(names, r.Name)
	}
	// The passed BeforeSuite and the skipped spec are not results.
	want := []string{
		"CONF-19 CONF-20 CONF-21 negotiates every version offered alone",
		"CONF-33 negotiates no heart-beat on 1.0",
		"CONF-20 reads a CONNECTED without version as 1.0",
		"CONF-37 CONF-38 1.2 by the ack header",
		"QUIRK RabbitMQ takes host as the vhost",
		"CONF-43 answers every frame that asks for a receipt, in order",
		"AfterSuite",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("results %q\nwant %q", names, want)
	}
	rabbit, failed, suite := run.Results[0], run.Results[1], run.Results[6]
	if !rabbit.Passed || !slices.Equal(rabbit.Labels, []string{"peer:rabbitmq", "transport:tcp"}) {
		t.Errorf("RabbitMQ spec: %+v", rabbit)
	}
	if got := rabbit.Entries[EntryServer]; !slices.Equal(got, []string{"RabbitMQ/3.10.8"}) {
		t.Errorf("server entries %q", got)
	}
	if failed.Passed || failed.Failure != "the 1.0 CONNECTED says heart-beat:200,200 (specs/matrix_heartbeat_test.go:129)" {
		t.Errorf("failed spec: passed %v, failure %q", failed.Passed, failed.Failure)
	}
	if !suite.Suite || suite.Passed || !strings.Contains(suite.Failure, "broker did not stop") {
		t.Errorf("AfterSuite: %+v", suite)
	}
	if got := run.Results[4].Labels; !slices.Equal(got, []string{"peer:rabbitmq", "transport:tcp", "quirk:rabbitmq-vhost"}) {
		t.Errorf("quirk labels %q", got)
	}
}

func TestReadGoTest(t *testing.T) {
	_, tests := readFixture(t)
	if len(tests) != 3 {
		t.Fatalf("%d tests, want 3 (subtests and the package line are not tests): %+v", len(tests), tests)
	}
	if !tests[0].Passed || !tests[0].Test || tests[0].Name != "TestCONF01_FrameLayoutAndCaseSensitiveCommands" {
		t.Errorf("first: %+v", tests[0])
	}
	if tests[1].Passed || tests[1].Failure != "conf_test.go:36: 1.1: 0 frames" {
		t.Errorf("second: passed %v, failure %q", tests[1].Passed, tests[1].Failure)
	}
}

func TestBuildPlacesTheFixture(t *testing.T) {
	run, tests := readFixture(t)
	rep, err := Build(run, tests)
	if err == nil || !strings.Contains(err.Error(), "CONF-3 × scripted peer: no spec covers it and no n/a reason is declared") {
		t.Fatalf("a fixture that covers a few cells must be refused as incomplete, got %v", err)
	}
	cell := func(line int, col Column) Cell {
		t.Helper()
		for i, c := range rep.Columns {
			if c == col {
				return rep.Rows[line-1].Cells[i]
			}
		}
		t.Fatalf("no column %v", col)
		return Cell{}
	}
	if c := cell(20, Column{Peer: Scripted}); c.State != Pass || len(c.Results) != 1 {
		t.Errorf("CONF-20 scripted: %+v", c)
	}
	if c := cell(38, Column{Peer: Scripted}); c.State != Pass {
		t.Errorf("CONF-38 scripted (a table entry): %+v", c)
	}
	if c := cell(1, Column{Peer: Scripted}); c.State != Pass || !c.Results[0].Test {
		t.Errorf("CONF-1 scripted (codec test): %+v", c)
	}
	if c := cell(2, Column{Peer: Scripted}); c.State != Fail {
		t.Errorf("CONF-2 scripted (failed codec test): %+v", c)
	}
	if c := cell(21, Column{RabbitMQ, TCP}); c.State != Pass || !slices.Equal(c.Differences, []string{"CONF-21: a difference of line 21", "a difference of every line"}) {
		t.Errorf("CONF-21 RabbitMQ tcp: %+v", c)
	}
	if c := cell(19, Column{RabbitMQ, TCP}); !slices.Equal(c.Differences, []string{"a difference of every line"}) {
		t.Errorf("CONF-19 RabbitMQ tcp: differences %q", c.Differences)
	}
	if c := cell(33, Column{ActiveMQ, TLS}); c.State != Fail {
		t.Errorf("CONF-33 ActiveMQ tls: %+v", c)
	}
	if c := cell(43, Column{Peer: Scripted}); c.State != Missing {
		t.Errorf("CONF-43 scripted: the broker's own spec is outside the matrix, got %+v", c)
	}
	if c := cell(2, Column{Embedded, WS}); c.State != NA || c.Exemption.Tag != "client-side" {
		t.Errorf("CONF-2 embedded ws: %+v", c)
	}
	if c := cell(5, Column{ActiveMQ, WS}); c.State != NA || c.Exemption.Tag != "no WebSocket" {
		t.Errorf("CONF-5 ActiveMQ ws: %+v", c)
	}
	if !slices.Equal(rep.Servers[RabbitMQ], []string{"RabbitMQ/3.10.8"}) {
		t.Errorf("servers %v", rep.Servers)
	}
	if len(rep.Broken) != 1 {
		t.Errorf("broken %v", rep.Broken)
	}
	if q := rep.Quirks[0]; q.Quirk.ID != "rabbitmq-vhost" || q.State != Pass {
		t.Errorf("first quirk %+v", q)
	}
}

// completeRun covers every cell that is not exempt, and every quirk that
// can be exercised, with a passing spec.
func completeRun() Run {
	run := Run{Started: time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)}
	for _, line := range Lines {
		for _, col := range Columns() {
			if _, ok := Exempt(line.N, col); ok {
				continue
			}
			r := Result{Name: "CONF-" + strconv.Itoa(line.N) + " holds", Passed: true, File: "/x/specs/conf_x_test.go"}
			if col.Peer != Scripted {
				r.File = "/x/specs/matrix_x_test.go"
				r.Labels = []string{PeerLabel(col.Peer), TransportLabel(col.Transport)}
			}
			r.Full = col.String() + " " + r.Name
			run.Results = append(run.Results, r)
		}
	}
	for _, q := range Quirks {
		if q.NA == "" {
			run.Results = append(run.Results, Result{Name: "QUIRK " + q.Broker + " " + q.ID, Full: q.ID, Passed: true,
				File: "/x/specs/matrix_q_test.go", Labels: []string{QuirkLabel(q.ID)}})
		}
	}
	return run
}

func TestBuildAndRenderACompleteRun(t *testing.T) {
	run := completeRun()
	i := slices.IndexFunc(run.Results, func(r Result) bool { return r.Name == "CONF-2 holds" }) // scripted only
	run.Results[i].Passed = false
	run.Results[i].Failure = "boom (specs/x_test.go:1)"
	for i, r := range run.Results {
		if r.Name == "CONF-48 holds" && slices.Contains(r.Labels, PeerLabel(RabbitMQ)) {
			run.Results[i].Entries = map[string][]string{EntryDifference: {"CONF-48: no receipt-id | here"}}
		}
	}
	rep, err := Build(run, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := rep.Counts()
	if n[Missing] != 0 || n[Fail] != 1 || n[Pass]+n[Fail]+n[NA] != len(Lines)*len(Columns()) {
		t.Errorf("counts %v", n)
	}
	var out bytes.Buffer
	if err := rep.Render(&out, RenderOptions{GoVersion: "go1.26", Command: "make conformance-report"}); err != nil {
		t.Fatal(err)
	}
	doc := out.String()
	for _, want := range []string{
		"# STOMP conformance matrix",
		"from the run of 2026-11-25 21:00 UTC",
		"| 1 | A frame is COMMAND EOL",
		"❌ [F1](#f1)",
		`<a id="f1"></a>**F1**`,
		"boom (specs/x_test.go:1)",
		"n/a (no WebSocket)",
		"n/a (client-side)",
		"## Broker quirks",
		"| Artemis | `host` is ignored. | documented | n/a | " + artemisNA,
		"- **CONF-53**: scripted peer: `CONF-53 holds`; brokers: none",
		"| ✅ [D1](#d1) | ✅ [D1](#d1) | ✅ [D1](#d1) | ✅ |",
		`<a id="d1"></a>**D1** (RabbitMQ tcp, RabbitMQ tls, RabbitMQ ws): CONF-48: no receipt-id \| here`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Count(doc, "\n## ") != 1+5+5 { // the legend, the checklist's five sections, quirks, differences, failures, reasons, specs
		t.Errorf("%d sections", strings.Count(doc, "\n## "))
	}
}

func TestBuildRefusesContradictions(t *testing.T) {
	for name, tc := range map[string]struct {
		add  Result
		want string
	}{
		"a spec in an exempt cell": {
			Result{Name: "CONF-2 accepts CRLF", Passed: true, File: "/x/specs/matrix_x_test.go", Labels: []string{"peer:rabbitmq", "transport:tcp"}},
			"declared n/a (client-side) but covered",
		},
		"a spec in a cell that does not exist": {
			Result{Name: "CONF-5 keeps spaces", Passed: true, File: "/x/specs/matrix_x_test.go", Labels: []string{"peer:activemq", "transport:ws"}},
			"ActiveMQ ws does not exist",
		},
		"a spec in a column the report does not have": {
			Result{Name: "CONF-5 keeps spaces", Passed: true, File: "/x/specs/matrix_x_test.go", Labels: []string{"peer:rabbitmq", "transport:wss"}},
			"RabbitMQ wss does not exist",
		},
		"an unknown peer": {
			Result{Name: "CONF-5 keeps spaces", Passed: true, File: "/x/specs/matrix_x_test.go", Labels: []string{"peer:artemis", "transport:tcp"}},
			"unknown peer or transport",
		},
		"a matrix spec without its lines": {
			Result{Name: "keeps spaces", Passed: true, File: "/x/specs/matrix_x_test.go", Labels: []string{"peer:rabbitmq", "transport:tcp"}},
			"must start with the CONF lines",
		},
		"a line beyond the checklist": {
			Result{Name: "CONF-99 is made up", Passed: true, File: "/x/specs/conf_x_test.go"},
			"no checklist line 99",
		},
		"a quirk spec without its label": {
			Result{Name: "QUIRK RabbitMQ something", Passed: true, File: "/x/specs/matrix_q_test.go", Labels: []string{"peer:rabbitmq", "transport:tcp"}},
			"needs a \"quirk:<id>\" label",
		},
		"an unknown quirk": {
			Result{Name: "QUIRK RabbitMQ something", Passed: true, File: "/x/specs/matrix_q_test.go", Labels: []string{"quirk:nope"}},
			`unknown quirk "nope"`,
		},
		"a difference of a line the spec does not cover": {
			Result{Name: "CONF-5 keeps spaces", Passed: true, File: "/x/specs/matrix_x_test.go", Labels: []string{"peer:rabbitmq", "transport:tcp"},
				Entries: map[string][]string{EntryDifference: {"CONF-6: not this spec's"}}},
			"a difference names CONF-6, which the spec does not cover",
		},
		"a quirk declared n/a but exercised": {
			Result{Name: "QUIRK Artemis host", Passed: true, File: "/x/specs/matrix_q_test.go", Labels: []string{"quirk:artemis-host"}},
			"quirk artemis-host is declared n/a",
		},
	} {
		t.Run(name, func(t *testing.T) {
			run := completeRun()
			run.Results = append(run.Results, tc.add)
			_, err := Build(run, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}

func TestTablesAreConsistent(t *testing.T) {
	for i, l := range Lines {
		if l.N != i+1 || l.Text == "" || l.Section == "" {
			t.Errorf("line %d: %+v", i+1, l)
		}
	}
	if len(Lines) != 53 {
		t.Errorf("%d lines, the checklist has 53", len(Lines))
	}
	for _, e := range NotApplicable {
		if e.Tag == "" || e.Why == "" || len(e.Columns) == 0 {
			t.Errorf("exemption %+v lacks a tag, a reason or columns", e)
		}
		for _, n := range e.Lines {
			if _, err := LineByNumber(n); err != nil {
				t.Error(err)
			}
		}
		for _, c := range e.Columns {
			if !slices.Contains(Columns(), c) {
				t.Errorf("exemption %q names column %v, which the report does not have", e.Tag, c)
			}
		}
	}
	// One reason per cell: overlapping exemptions would make the report
	// depend on the table's order.
	for _, l := range Lines {
		for _, c := range Columns() {
			n := 0
			for _, e := range NotApplicable {
				if slices.Contains(e.Columns, c) && (e.Lines == nil || slices.Contains(e.Lines, l.N)) {
					n++
				}
			}
			if n > 1 {
				t.Errorf("CONF-%d × %s has %d exemptions", l.N, c, n)
			}
		}
	}
	seen := map[string]bool{}
	for _, q := range Quirks {
		if seen[q.ID] || q.Text == "" || (q.Source != "documented" && q.Source != "measured") {
			t.Errorf("quirk %+v", q)
		}
		seen[q.ID] = true
	}
}
