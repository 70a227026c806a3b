package specs_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
	"golang.org/x/net/html"

	"github.com/stampede-mq/stampede/internal/loadgen"
)

// benchCharts are the charts every report must show.
var benchCharts = []string{
	loadgen.ChartThroughput, loadgen.ChartLatency, loadgen.ChartPercentiles,
	loadgen.ChartConnections, loadgen.ChartErrors,
}

var _ = Describe("stampede bench (the command)", Ordered, func() {
	var bin, dir string
	BeforeAll(func() {
		dir = GinkgoT().TempDir()
		bin = filepath.Join(dir, "stampede")
		build := exec.Command("go", "build", "-o", bin, module+"/cmd/stampede")
		build.Stderr = GinkgoWriter
		Expect(build.Run()).To(Succeed())
		help, _ := exec.Command(bin, "help").Output()
		Expect(string(help)).To(ContainSubstring("bench"),
			"the bench command is not registered: cmd/stampede/main.go must list benchCommand() in commands()")
	})

	// bench runs the binary and returns its session once it exited.
	bench := func(args ...string) *gexec.Session {
		GinkgoHelper()
		s, err := gexec.Start(exec.Command(bin, append([]string{"bench"}, args...)...), GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s, 60*time.Second).Should(gexec.Exit())
		return s
	}

	short := []string{"--producers", "2", "--consumers", "2", "--rate", "2000", "--duration", "2s", "--warmup", "500ms", "--quiet"}

	It("runs a default-style scenario against its own embedded broker and writes a true JSON result and a report", func() {
		jsonFile, report := filepath.Join(dir, "a.json"), filepath.Join(dir, "a.html")
		s := bench(append(short, "--json", jsonFile, "--report", report)...)
		Expect(s.ExitCode()).To(Equal(0), "stderr: %s", s.Err.Contents())
		out := string(s.Out.Contents())
		Expect(out).To(ContainSubstring("stampede bench against embedded"))
		Expect(out).To(MatchRegexp(`latency\s+p50 \S+\s+p90 \S+\s+p99 \S+\s+p99\.9 \S+\s+max`))
		Expect(out).To(ContainSubstring("█"), "the summary draws the latency distribution")
		Expect(out).To(ContainSubstring("lost 0 "))

		res, err := loadgen.LoadJSON(jsonFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Delivery.Lost).To(BeZero())
		Expect(res.Delivery.Dups).To(BeZero())
		Expect(res.Delivery.Unique).To(Equal(res.Delivery.Sent))
		Expect(res.Sent.MsgsPerSec).To(BeNumerically("~", 4000, 400))
		Expect(res.Latency.P50).To(BeNumerically(">", 0))
		Expect(res.Latency.Max).To(BeNumerically(">=", res.Latency.P999))

		expectReport(report, []*loadgen.Result{res})
	})

	It("compares two results side by side, and overlays them in a report", func() {
		a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
		s := bench(append(short, "--json", b, "--size", "64-512")...)
		Expect(s.ExitCode()).To(Equal(0), "stderr: %s", s.Err.Contents())
		report := filepath.Join(dir, "compare.html")
		s = bench("compare", a, b, "--report", report)
		Expect(s.ExitCode()).To(Equal(0), "stderr: %s", s.Err.Contents())
		out := string(s.Out.Contents())
		Expect(out).To(MatchRegexp(`B/A`))
		Expect(out).To(MatchRegexp(`sent msg/s\s+[\d,]+\s+[\d,]+\s+\d+\.\d\d×`))
		Expect(out).To(MatchRegexp(`latency p99\s+\S+\s+\S+\s+\d+\.\d\d×`))
		ra, err := loadgen.LoadJSON(a)
		Expect(err).NotTo(HaveOccurred())
		rb, err := loadgen.LoadJSON(b)
		Expect(err).NotTo(HaveOccurred())
		expectReport(report, []*loadgen.Result{ra, rb})
		page, err := os.ReadFile(report)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(page)).To(ContainSubstring(`id="compare"`))
	})

	It("exits 2 on bad usage and 1 when it cannot reach the broker", func() {
		Expect(bench("--kind", "exchange").ExitCode()).To(Equal(2))
		Expect(bench("--size", "8").ExitCode()).To(Equal(2))
		Expect(bench("compare", "only-one.json").ExitCode()).To(Equal(2))
		s := bench("--url", "tcp://127.0.0.1:1", "--duration", "1s", "--quiet")
		Expect(s.ExitCode()).To(Equal(1))
		Expect(string(s.Err.Contents())).To(ContainSubstring("no connection"))
	})

	It("stops on SIGINT with a partial summary and exit status 130", func() {
		cmd := exec.Command(bin, "bench", "--producers", "1", "--consumers", "1", "--rate", "1000", "--duration", "1h", "--warmup", "0s")
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s.Err, 20*time.Second).Should(gbytes.Say(`measure\s+sent`), "progress lines while it runs")
		Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
		Eventually(s, 20*time.Second).Should(gexec.Exit(130))
		Expect(string(s.Out.Contents())).To(ContainSubstring("PARTIAL RESULT"))
	})
})

// expectReport parses an HTML report and checks that every chart is
// there, that its data block matches the JSON results point for point,
// and that each SVG chart actually plots those points.
func expectReport(path string, results []*loadgen.Result) {
	GinkgoHelper()
	page, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(page)).NotTo(MatchRegexp(`(?i)<script[^>]+src=|<link[^>]+href=|https?://[^"\s]*\.(js|css)`), "self-contained: nothing to fetch")
	doc, err := html.Parse(bytes.NewReader(page))
	Expect(err).NotTo(HaveOccurred())

	svgs := map[string]*html.Node{}
	var data string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "svg" && attr(n, "id") != "":
				svgs[attr(n, "id")] = n
			case n.Data == "script" && attr(n, "id") == "data":
				Expect(attr(n, "type")).To(Equal("application/json"))
				data = n.FirstChild.Data
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	Expect(data).NotTo(BeEmpty(), "the JSON data block")

	var block struct {
		Charts []loadgen.Chart `json:"charts"`
		Runs   []struct {
			RunID uint32 `json:"run_id"`
		} `json:"runs"`
	}
	Expect(json.Unmarshal([]byte(data), &block)).To(Succeed())
	Expect(block.Runs).To(HaveLen(len(results)))
	for i, r := range results {
		Expect(block.Runs[i].RunID).To(Equal(r.RunID))
	}

	charts := map[string]loadgen.Chart{}
	for _, c := range block.Charts {
		charts[c.ID] = c
	}
	for _, id := range benchCharts {
		Expect(svgs).To(HaveKey(id), "chart %s is drawn", id)
		Expect(charts).To(HaveKey(id), "chart %s has data", id)
		c := charts[id]
		Expect(c.Series).To(HaveLen(len(results) * seriesPerRun(id)))
		for i, r := range results {
			for k, s := range c.Series[i*seriesPerRun(id) : (i+1)*seriesPerRun(id)] {
				x, y := expectedSeries(id, k, r)
				Expect(s.X).To(Equal(x), "%s %s: x values are the result's", id, s.Name)
				Expect(s.Y).To(Equal(y), "%s %s: y values are the result's", id, s.Name)
				expectPlotted(svgs[id], s)
			}
		}
	}
}

func seriesPerRun(id string) int {
	switch id {
	case loadgen.ChartThroughput:
		return 2
	case loadgen.ChartLatency:
		return 3
	}
	return 1
}

// expectedSeries computes, from the JSON result, the points series k of
// chart id must show.
func expectedSeries(id string, k int, r *loadgen.Result) (x, y []float64) {
	for _, s := range r.Series {
		var v float64
		keep := true
		switch id {
		case loadgen.ChartThroughput:
			v = []float64{s.SentRate, s.RecvRate}[k]
		case loadgen.ChartLatency:
			ns := []int64{s.P50, s.P99, s.Max}[k]
			v, keep = float64(ns)/1e6, ns > 0
		case loadgen.ChartConnections:
			v = float64(s.Connections)
		case loadgen.ChartErrors:
			v = float64(s.Errors) / s.Dt
		case loadgen.ChartPercentiles:
			keep = false
		}
		if keep {
			x, y = append(x, s.T), append(y, v)
		}
	}
	if id == loadgen.ChartPercentiles {
		for _, p := range r.Latency.Percentiles {
			if p.Percentile < 100 {
				x, y = append(x, 1/(1-p.Percentile/100)), append(y, float64(p.Value)/1e6)
			}
		}
	}
	return x, y
}

var pathPoint = regexp.MustCompile(`[ML](-?[\d.]+(?:e[-+]?\d+)?),(-?[\d.]+(?:e[-+]?\d+)?)`)

// expectPlotted finds the line of series s in the chart (the path stroked
// in its colour with one vertex per point) and checks that the vertices
// go left to right and up and down as the values do.
func expectPlotted(svg *html.Node, s loadgen.ChartSeries) {
	GinkgoHelper()
	if len(s.X) < 2 {
		return // a single point draws no line
	}
	var found [][2]float64
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "path" && strings.Contains(attr(n, "style"), "stroke:"+s.Color) {
			m := pathPoint.FindAllStringSubmatch(attr(n, "d"), -1)
			if len(m) == len(s.X) {
				found = found[:0]
				for _, p := range m {
					px, _ := strconv.ParseFloat(p[1], 64)
					py, _ := strconv.ParseFloat(p[2], 64)
					found = append(found, [2]float64{px, py})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(svg)
	Expect(found).To(HaveLen(len(s.X)), "series %q (%s) is drawn with %d vertices", s.Name, s.Color, len(s.X))
	lo, hi := s.Y[0], s.Y[0]
	for _, v := range s.Y {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i := 1; i < len(found); i++ {
		Expect(found[i][0]).To(BeNumerically(">", found[i-1][0]), "series %q goes left to right", s.Name)
		if d := s.Y[i] - s.Y[i-1]; (hi-lo) > 0 && d*d > 0.0004*(hi-lo)*(hi-lo) {
			Expect((found[i][1]-found[i-1][1])*d).To(BeNumerically(">", 0),
				"series %q point %d: the line goes the way the value does", s.Name, i)
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
