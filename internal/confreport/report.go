// Package confreport builds the STOMP conformance matrix (docs/CONFORMANCE.md)
// from what the specs and tests reported: every checklist line × every peer
// and transport is pass, fail, or not applicable for a declared reason.
//
// It holds the checklist (Lines), the columns (Columns), the one table of
// cells that cannot be covered (NotApplicable) and the broker quirks
// (Quirks). The specs use the same tables to decide which cells exist, so
// the report and the suite cannot drift apart. Spec names carry the lines
// they cover ("CONF-37 CONF-38 ..."); ginkgo labels carry the peer and the
// transport ("peer:rabbitmq", "transport:tls") and the quirk ("quirk:id").
package confreport

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// State is the outcome of one cell.
type State int

// Cell states.
const (
	Missing State = iota // no spec and no exemption: the report is refused
	Pass
	Fail
	NA // not applicable: an exemption names the cell
)

// Cell is one checklist line in one column.
type Cell struct {
	State     State
	Results   []*Result // the specs and tests that cover it
	Exemption Exemption // when NA
	// Differences are the broker differences its specs state: what a
	// feature flag changed in what they check.
	Differences []string
}

// Row is one checklist line across the columns.
type Row struct {
	Line  Line
	Cells []Cell // in the order of Report.Columns
}

// QuirkRow is one quirk with the specs that exercise it.
type QuirkRow struct {
	Quirk   Quirk
	State   State
	Results []*Result
}

// Report is the matrix, ready to render.
type Report struct {
	Started time.Time
	Columns []Column
	Rows    []Row
	Quirks  []QuirkRow
	// Servers are the server headers of CONNECTED that specs recorded
	// (report entry "server"), by peer.
	Servers map[Peer][]string
	// Broken are failures outside any spec (BeforeSuite, AfterSuite).
	Broken []*Result
}

// Report entries the specs add (AddReportEntry) for the report.
const (
	// EntryServer records the server header of a peer's CONNECTED frame.
	EntryServer = "server"
	// EntryDifference records a broker difference that changed what the
	// spec checks in its cell. A text that starts with CONF-n applies to
	// those lines only, else to every line the spec covers.
	EntryDifference = "difference"
)

// Build maps the results of a run (ginkgo specs and codec tests) to the
// cells of the matrix. It fails when a cell has neither a spec nor an
// exemption, when an exempt cell is covered anyway, and on labels or
// quirks the tables do not know.
func Build(run Run, tests []Result) (*Report, error) {
	rep := &Report{Started: run.Started, Columns: Columns(), Servers: map[Peer][]string{}}
	cover := map[int]map[Column][]*Result{}
	diffs := map[int]map[Column][]string{}
	quirks := map[string][]*Result{}
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	all := make([]*Result, 0, len(run.Results)+len(tests))
	for i := range run.Results {
		all = append(all, &run.Results[i])
	}
	for i := range tests {
		all = append(all, &tests[i])
	}
	for _, r := range all {
		if r.Suite {
			rep.Broken = append(rep.Broken, r)
			continue
		}
		col, inMatrix, err := columnOf(r)
		if err != nil {
			problem("%s: %v", r.Full, err)
			continue
		}
		if IsQuirk(r.Name) {
			ids := labelValues(r.Labels, quirkPrefix)
			if len(ids) == 0 {
				problem("%s: a QUIRK spec needs a %q label", r.Full, quirkPrefix+"<id>")
			}
			for _, id := range ids {
				if _, ok := QuirkByID(id); !ok {
					problem("%s: unknown quirk %q", r.Full, id)
					continue
				}
				quirks[id] = append(quirks[id], r)
			}
			continue
		}
		if !inMatrix {
			continue
		}
		lines := ParseLines(r.Name)
		if len(lines) == 0 && col.Peer != Scripted {
			problem("%s: a matrix spec's name must start with the CONF lines it covers", r.Full)
		}
		for _, n := range lines {
			if _, err := LineByNumber(n); err != nil {
				problem("%s: %v", r.Full, err)
				continue
			}
			if cover[n] == nil {
				cover[n] = map[Column][]*Result{}
			}
			cover[n][col] = append(cover[n][col], r)
		}
		for _, d := range r.Entries[EntryDifference] {
			targets := ParseLines(d)
			if len(targets) == 0 {
				targets = lines
			}
			for _, n := range targets {
				if !slices.Contains(lines, n) {
					problem("%s: a difference names CONF-%d, which the spec does not cover: %q", r.Full, n, d)
					continue
				}
				if diffs[n] == nil {
					diffs[n] = map[Column][]string{}
				}
				if !slices.Contains(diffs[n][col], d) {
					diffs[n][col] = append(diffs[n][col], d)
				}
			}
		}
		if col.Peer != Scripted {
			for _, s := range r.Entries[EntryServer] {
				if !slices.Contains(rep.Servers[col.Peer], s) {
					rep.Servers[col.Peer] = append(rep.Servers[col.Peer], s)
				}
			}
		}
	}

	for _, line := range Lines {
		row := Row{Line: line}
		for _, col := range rep.Columns {
			cell := Cell{Results: cover[line.N][col], Differences: diffs[line.N][col]}
			ex, exempt := Exempt(line.N, col)
			switch {
			case exempt && len(cell.Results) > 0:
				problem("CONF-%d × %s is declared n/a (%s) but covered by %q", line.N, col, ex.Tag, cell.Results[0].Full)
			case exempt:
				cell.State, cell.Exemption = NA, ex
			case len(cell.Results) == 0:
				problem("CONF-%d × %s: no spec covers it and no n/a reason is declared", line.N, col)
			default:
				cell.State = outcome(cell.Results)
			}
			row.Cells = append(row.Cells, cell)
		}
		rep.Rows = append(rep.Rows, row)
	}

	for _, q := range Quirks {
		qr := QuirkRow{Quirk: q, Results: quirks[q.ID]}
		switch {
		case q.NA != "" && len(qr.Results) > 0:
			problem("quirk %s is declared n/a but exercised by %q", q.ID, qr.Results[0].Full)
		case q.NA != "":
			qr.State = NA
		case len(qr.Results) == 0:
			problem("quirk %s: no QUIRK spec exercises it", q.ID)
		default:
			qr.State = outcome(qr.Results)
		}
		rep.Quirks = append(rep.Quirks, qr)
	}
	for _, servers := range rep.Servers {
		slices.Sort(servers)
	}
	if len(problems) > 0 {
		return rep, errors.New("confreport: the matrix is incomplete or inconsistent:\n  " + strings.Join(problems, "\n  "))
	}
	return rep, nil
}

// columnOf places a result: a spec with peer and transport labels is a
// broker cell; a spec of specs/conf_*_test.go without them, or a codec
// TestCONFnn test, is the scripted peer; anything else is outside the
// matrix (inMatrix false).
func columnOf(r *Result) (col Column, inMatrix bool, err error) {
	peers := labelValues(r.Labels, peerPrefix)
	transports := labelValues(r.Labels, transportPrefix)
	switch {
	case r.Test:
		return Column{Peer: Scripted}, confTest.MatchString(r.Name), nil
	case len(peers) == 0 && len(transports) == 0:
		base := filepath.Base(r.File)
		return Column{Peer: Scripted}, strings.HasPrefix(base, "conf_") && filepath.Base(filepath.Dir(r.File)) == "specs", nil
	case len(peers) != 1 || len(transports) != 1:
		return col, false, fmt.Errorf("wants one peer and one transport label, has %v", r.Labels)
	}
	col = Column{Peer: Peer(peers[0]), Transport: Transport(transports[0])}
	if !slices.Contains(Brokers, col.Peer) || !slices.Contains(Transports, col.Transport) {
		return col, false, fmt.Errorf("unknown peer or transport in %v", r.Labels)
	}
	if !CellExists(col.Peer, col.Transport) {
		return col, false, fmt.Errorf("%s does not exist (declared n/a) but a spec ran there", col)
	}
	return col, true, nil
}

func outcome(rs []*Result) State {
	for _, r := range rs {
		if !r.Passed {
			return Fail
		}
	}
	return Pass
}

// Counts tallies the cells of the matrix by state.
func (r *Report) Counts() map[State]int {
	n := map[State]int{}
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			n[c.State]++
		}
	}
	return n
}

// Differences returns every difference the specs stated, each once, in
// the order of the rows and columns, with the columns that state it.
func (r *Report) Differences() (texts []string, where map[string][]Column) {
	where = map[string][]Column{}
	for _, row := range r.Rows {
		for i, c := range row.Cells {
			for _, d := range c.Differences {
				if _, ok := where[d]; !ok {
					texts = append(texts, d)
				}
				if !slices.Contains(where[d], r.Columns[i]) {
					where[d] = append(where[d], r.Columns[i])
				}
			}
		}
	}
	return texts, where
}

// Failed returns every failed result that covers a cell or a quirk, each
// once, sorted by name.
func (r *Report) Failed() []*Result {
	var out []*Result
	add := func(rs []*Result) {
		for _, x := range rs {
			if !x.Passed && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			add(c.Results)
		}
	}
	for _, q := range r.Quirks {
		add(q.Results)
	}
	add(r.Broken)
	slices.SortStableFunc(out, func(a, b *Result) int { return cmp.Compare(a.Full, b.Full) })
	return out
}
