package loadgen

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Labeled is a result with the name a chart's legend gives it.
type Labeled struct {
	Label  string
	Result *Result
}

// Chart is the data of one chart: what the reports draw and what their
// data block holds, point for point.
type Chart struct {
	ID     string        `json:"id"` // "chart-throughput", ...
	Title  string        `json:"title"`
	XLabel string        `json:"x_label"`
	YLabel string        `json:"y_label"`
	LogX   bool          `json:"log_x"`
	LogY   bool          `json:"log_y"`
	Series []ChartSeries `json:"series"`
}

// ChartSeries is one line of a chart.
type ChartSeries struct {
	Name   string    `json:"name"`
	Color  string    `json:"color"` // #RRGGBB, as the SVG strokes it
	Dashed bool      `json:"dashed"`
	X      []float64 `json:"x"`
	Y      []float64 `json:"y"`
}

// The charts every report has, in order.
const (
	ChartThroughput  = "chart-throughput"
	ChartLatency     = "chart-latency"
	ChartPercentiles = "chart-percentiles"
	ChartConnections = "chart-connections"
	ChartErrors      = "chart-errors"
)

// palette gives each line of a chart its own colour (Tableau 10).
var palette = []string{"#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF"}

// BuildCharts returns the charts of one run, or of several overlaid (the
// second and later runs are dashed).
func BuildCharts(runs ...Labeled) []Chart {
	charts := []Chart{
		{ID: ChartThroughput, Title: "Throughput", XLabel: "seconds", YLabel: "messages per second"},
		{ID: ChartLatency, Title: "Latency per second", XLabel: "seconds", YLabel: "milliseconds (log)", LogY: true},
		{ID: ChartPercentiles, Title: "Latency by percentile (measured phase)", XLabel: "percentile", YLabel: "milliseconds", LogX: true},
		{ID: ChartConnections, Title: "Connections", XLabel: "seconds", YLabel: "open connections"},
		{ID: ChartErrors, Title: "Errors", XLabel: "seconds", YLabel: "errors per second"},
	}
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	for ri, run := range runs {
		prefix := ""
		if len(runs) > 1 {
			prefix = run.Label + " "
		}
		r := run.Result
		add := func(c *Chart, name string, pick func(s Sample) (float64, bool)) {
			cs := ChartSeries{Name: prefix + name, Dashed: ri > 0}
			for _, s := range r.Series {
				if y, ok := pick(s); ok {
					cs.X = append(cs.X, s.T)
					cs.Y = append(cs.Y, y)
				}
			}
			cs.Color = palette[len(c.Series)%len(palette)]
			c.Series = append(c.Series, cs)
		}
		always := func(f func(s Sample) float64) func(s Sample) (float64, bool) {
			return func(s Sample) (float64, bool) { return f(s), true }
		}
		positive := func(f func(s Sample) int64) func(s Sample) (float64, bool) {
			return func(s Sample) (float64, bool) { v := f(s); return ms(v), v > 0 }
		}
		add(&charts[0], "sent/s", always(func(s Sample) float64 { return s.SentRate }))
		add(&charts[0], "received/s", always(func(s Sample) float64 { return s.RecvRate }))
		add(&charts[1], "p50", positive(func(s Sample) int64 { return s.P50 }))
		add(&charts[1], "p99", positive(func(s Sample) int64 { return s.P99 }))
		add(&charts[1], "max", positive(func(s Sample) int64 { return s.Max }))
		pc := ChartSeries{Name: prefix + "latency", Dashed: ri > 0, Color: palette[len(charts[2].Series)%len(palette)]}
		for _, p := range r.Latency.Percentiles {
			if p.Percentile >= 100 {
				continue // 1/(1-p) is infinite: the maximum is in the summary
			}
			pc.X = append(pc.X, 1/(1-p.Percentile/100))
			pc.Y = append(pc.Y, ms(p.Value))
		}
		charts[2].Series = append(charts[2].Series, pc)
		add(&charts[3], "connections", always(func(s Sample) float64 { return float64(s.Connections) }))
		add(&charts[4], "errors/s", always(func(s Sample) float64 {
			if s.Dt <= 0 {
				return 0
			}
			return float64(s.Errors) / s.Dt
		}))
	}
	return charts
}

// percentileTicks label the 1/(1-p) axis with percentiles.
func percentileTicks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"}
	for i, l := range labels {
		x := math.Pow(10, float64(i))
		if x >= min/1.0001 && x <= max*1.0001 {
			ts = append(ts, plot.Tick{Value: x, Label: l})
		}
	}
	if x := 2.0; x >= min && x <= max {
		ts = append(ts, plot.Tick{Value: x, Label: "50%"})
	}
	return ts
}

// Plot turns the chart into a gonum plot.
func (c *Chart) Plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.TickerFunc(percentileTicks)
	}
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for _, s := range c.Series {
		xys := make(plotter.XYs, len(s.X))
		for i := range s.X {
			xys[i].X, xys[i].Y = s.X[i], s.Y[i]
		}
		if len(xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("loadgen: chart %s, %s: %w", c.ID, s.Name, err)
		}
		l.Color = parseColor(s.Color)
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	if !c.LogY {
		p.Y.Min = 0 // a linear axis starts at zero: no exaggerated wiggles
	}
	return p, nil
}

// The size of every chart.
var (
	chartWidth  = vg.Points(760)
	chartHeight = vg.Points(300)
)

// SVG draws the chart as an SVG document whose root element carries the
// chart's id.
func (c *Chart) SVG() ([]byte, error) {
	p, err := c.Plot()
	if err != nil {
		return nil, err
	}
	canvas := vgsvg.New(chartWidth, chartHeight)
	p.Draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, err
	}
	out := buf.String()
	if i := strings.Index(out, "<svg"); i >= 0 {
		out = out[i:] // drop the XML prolog: the SVG is inlined in HTML
	}
	out = strings.Replace(out, "<svg ", `<svg id="`+c.ID+`" role="img" aria-label="`+c.Title+`" `, 1)
	return []byte(out), nil
}

// parseColor reads #RRGGBB.
func parseColor(s string) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02X%02X%02X", &r, &g, &b); err != nil {
		return color.Black
	}
	return color.RGBA{R: r, G: g, B: b, A: 255}
}
