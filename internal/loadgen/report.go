package loadgen

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"time"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

// reportData is what the template sees.
type reportData struct {
	Title     string
	Generated string
	Runs      []reportRun
	Compare   []compareRow // with two runs
	Charts    []reportChart
	Data      template.JS // the JSON data block
}

type reportRun struct {
	Label     string
	Result    *Result
	Describe  string
	Config    [][2]string
	Headlines []Headline
	Summary   string // the plain-text summary, distribution included
}

type compareRow struct {
	Name, A, B, Ratio string
	Better            string // "better", "worse" or ""
}

type reportChart struct {
	ID, Title string
	SVG       template.HTML
}

// reportJSON is the machine-readable block of a report: every chart's
// series exactly as drawn, and the headline numbers of each run.
type reportJSON struct {
	Charts []Chart      `json:"charts"`
	Runs   []reportMeta `json:"runs"`
}

type reportMeta struct {
	Label     string     `json:"label"`
	RunID     uint32     `json:"run_id"`
	Partial   bool       `json:"partial"`
	Headlines []Headline `json:"headlines"`
}

// WriteReport writes a self-contained HTML report of one run, or of two
// overlaid with the ratio B/A of each headline number. It needs no network
// to render: charts are inline SVG, there is no script but the JSON data
// block (id "data"), which holds every chart's points.
func WriteReport(w io.Writer, runs ...Labeled) error {
	if len(runs) == 0 || len(runs) > 2 {
		return fmt.Errorf("loadgen: a report shows one or two runs, not %d", len(runs))
	}
	d := reportData{Title: "stampede bench", Generated: time.Now().UTC().Format(time.RFC3339)}
	if len(runs) == 2 {
		d.Title = fmt.Sprintf("stampede bench: %s vs %s", runs[0].Label, runs[1].Label)
	}
	meta := reportJSON{}
	for _, run := range runs {
		var sum bytes.Buffer
		if err := WriteSummary(&sum, run.Result); err != nil {
			return err
		}
		rr := reportRun{
			Label:     run.Label,
			Result:    run.Result,
			Describe:  run.Result.Scenario.describe(),
			Config:    configRows(run.Result),
			Headlines: Headlines(run.Result),
			Summary:   sum.String(),
		}
		d.Runs = append(d.Runs, rr)
		meta.Runs = append(meta.Runs, reportMeta{Label: run.Label, RunID: run.Result.RunID, Partial: run.Result.Partial, Headlines: rr.Headlines})
	}
	if len(runs) == 2 {
		ha, hb := d.Runs[0].Headlines, d.Runs[1].Headlines
		for i := range ha {
			row := compareRow{Name: ha[i].Name, A: ha[i].Text, B: hb[i].Text, Ratio: FormatRatio(ha[i].Value, hb[i].Value)}
			if ha[i].Value != hb[i].Value && ha[i].Value != 0 {
				if (hb[i].Value > ha[i].Value) == ha[i].HigherBetter {
					row.Better = "better"
				} else {
					row.Better = "worse"
				}
			}
			d.Compare = append(d.Compare, row)
		}
	}
	meta.Charts = BuildCharts(runs...)
	for i := range meta.Charts {
		svg, err := meta.Charts[i].SVG()
		if err != nil {
			return err
		}
		d.Charts = append(d.Charts, reportChart{ID: meta.Charts[i].ID, Title: meta.Charts[i].Title, SVG: template.HTML(svg)})
	}
	js, err := json.Marshal(meta) // escapes <, > and &: safe inside <script>
	if err != nil {
		return err
	}
	d.Data = template.JS(js)
	return reportTmpl.Execute(w, d)
}

// SaveReport writes the report to the file path.
func SaveReport(path string, runs ...Labeled) error {
	var buf bytes.Buffer
	if err := WriteReport(&buf, runs...); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// configRows lists a run's configuration for the report's table.
func configRows(r *Result) [][2]string {
	s := &r.Scenario
	rate := "unthrottled"
	if s.Rate > 0 {
		rate = FormatRate(s.Rate) + " msg/s per producer (open loop)"
	}
	length := s.Duration.String()
	if s.Messages > 0 {
		length = FormatCount(uint64(s.Messages)) + " messages per producer"
	}
	size := fmt.Sprintf("%d B", s.MinSize)
	if s.MaxSize != s.MinSize {
		size = fmt.Sprintf("%d-%d B", s.MinSize, s.MaxSize)
	}
	rows := [][2]string{
		{"target", fmt.Sprintf("%s (%s, STOMP %s)", r.Target, r.Server, r.Protocol)},
		{"started", r.Started.UTC().Format(time.RFC3339)},
		{"producers / consumers / idle", fmt.Sprintf("%d / %d / %d", s.Producers, s.Consumers, s.Idle)},
		{"destinations", fmt.Sprintf("%d %s (%s)", s.Destinations, s.Kind, s.Destination(0))},
		{"message size", size},
		{"rate", rate},
		{"length", length + ", warm-up " + s.Warmup.String()},
		{"ack mode", string(s.Ack)},
		{"receipts on send", fmt.Sprint(s.Receipts)},
		{"transaction size", fmt.Sprint(s.Transaction)},
		{"consumer executor", string(s.consumerExecutor())},
		{"connect concurrency", fmt.Sprint(s.Concurrency)},
	}
	if len(s.SourceIPs) > 0 {
		rows = append(rows, [2]string{"source addresses", fmt.Sprintf("%d (%s …)", len(s.SourceIPs), s.SourceIPs[0])})
	}
	if r.Partial {
		rows = append(rows, [2]string{"PARTIAL", r.Note})
	}
	return rows
}
