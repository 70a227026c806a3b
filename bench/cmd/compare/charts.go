package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var libColors = map[string]color.Color{
	"stampede": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"go-stomp": color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	"stomp.py": color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
}

// chart is one SVG of RESULTS.md: grouped bars, one bar per library in
// each group, each labelled with its value.
type chart struct {
	file, title, ylabel string
	groups              []string
	libs                []string
	value               func(r results, lib string, group int) float64
	format              string
}

// charts are the headline charts.
func charts() []chart {
	codecKeys := []string{"decode-256B.mbs", "decode-64KiB.mbs", "encode-256B.mbs"}
	trafficKeys := []string{"publish", "roundtrip-embedded", "roundtrip-rabbitmq"}
	return []chart{
		{
			file: "codec.svg", title: "Codec throughput (higher is better)", ylabel: "MB/s",
			groups: []string{"decode, 256 B body", "decode, 64 KiB body", "encode, 256 B body"},
			libs:   []string{"stampede", "go-stomp"}, format: "%.0f",
			value: func(r results, lib string, g int) float64 { return r.median("codec", lib, codecKeys[g]) },
		},
		{
			file: "throughput.svg", title: "Messages per second, 256 B (higher is better)", ylabel: "msgs/s",
			groups: []string{"publish (embedded)", "round trip (embedded)", "round trip (RabbitMQ)"},
			libs:   []string{"stampede", "go-stomp", "stomp.py"}, format: "%.0f",
			value: func(r results, lib string, g int) float64 { return r.median(trafficKeys[g], lib, "rate") },
		},
		{
			file: "cpu.svg", title: "Client CPU per message (lower is better)", ylabel: "µs CPU / msg",
			groups: []string{"publish (embedded)", "round trip (embedded)", "round trip (RabbitMQ)", "fan-out, deep"},
			libs:   []string{"stampede", "go-stomp", "stomp.py"}, format: "%.1f",
			value: func(r results, lib string, g int) float64 {
				return r.median(append(trafficKeys, "fanout")[g], lib, "cpu_us")
			},
		},
		{
			file: "fanout.svg", title: "Fan-out to 1,000 connections (higher is better)", ylabel: "delivered msgs/s",
			groups: []string{"deep (1,000 in flight)", "shallow (100 in flight)"},
			libs:   []string{"stampede", "go-stomp"}, format: "%.0f",
			value: func(r results, lib string, g int) float64 {
				return r.median([]string{"fanout", "fanout-shallow"}[g], lib, "rate")
			},
		},
		{
			file: "idle.svg", title: "Memory per idle connection (lower is better)", ylabel: "KiB per connection",
			groups: []string{"Go heap + stacks", "RSS"},
			libs:   []string{"stampede", "go-stomp", "stomp.py"}, format: "%.1f",
			value: func(r results, lib string, g int) float64 {
				return r.median("idle", lib, []string{"heapstack_kib", "rss_kib"}[g])
			},
		},
	}
}

// render draws c into dir.
func (c chart) render(r results, dir string) error {
	p := plot.New()
	p.Title.Text = c.title
	p.Y.Label.Text = c.ylabel
	p.Y.Min = 0
	w := vg.Points(22)
	top := 0.0
	for i, lib := range c.libs {
		vals := make(plotter.Values, len(c.groups))
		var xys plotter.XYs
		var labels []string
		for g := range c.groups {
			v := c.value(r, lib, g)
			if math.IsNaN(v) {
				v = 0 // not measured for this library
			} else {
				xys = append(xys, plotter.XY{X: float64(g), Y: v})
				labels = append(labels, fmtValue(c.format, v))
			}
			vals[g] = v
			top = max(top, v)
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		bars.LineStyle.Width = 0
		bars.Color = libColors[lib]
		bars.Offset = vg.Length(float64(i)-float64(len(c.libs)-1)/2) * w
		p.Add(bars)
		p.Legend.Add(lib, bars)
		if len(xys) > 0 {
			l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
			if err != nil {
				return err
			}
			l.Offset = vg.Point{X: bars.Offset, Y: vg.Points(3)}
			for j := range l.TextStyle {
				l.TextStyle[j].XAlign = draw.XCenter
				l.TextStyle[j].Font.Size = vg.Points(8)
			}
			p.Add(l)
		}
	}
	p.Y.Max = top * 1.35 // room for the labels and the legend
	p.Y.Tick.Marker = shortTicks{}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(60)
	p.NominalX(c.groups...)
	p.X.Min, p.X.Max = -0.75, float64(len(c.groups))-0.25 // room for the outer labels
	width := vg.Length(max(6, 2.4*float64(len(c.groups)))) * vg.Inch
	if err := p.Save(width, 3.6*vg.Inch, filepath.Join(dir, c.file)); err != nil {
		return fmt.Errorf("chart %s: %w", c.file, err)
	}
	return nil
}

// shortTicks labels the value axis 250k, 1.5M, 0.5 rather than 250000.00.
type shortTicks struct{}

func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = short(ts[i].Value)
		}
	}
	return ts
}

func short(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
