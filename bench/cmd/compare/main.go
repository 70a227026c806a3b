// Command compare measures stampede side by side with go-stomp and
// stomp.py and writes bench/RESULTS.md and bench/charts/*.svg.
//
//	cd bench && go run ./cmd/compare            # what `make bench` runs
//	go run ./cmd/compare -only publish,idle -runs 1 -out /tmp/r.md
//
// Every measurement runs in a child process (bench/cmd/measure, built
// once, or the stomp.py script) against the same peer, library after
// library, -runs times; the tables give medians and ratios.
package main

import (
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stampede-mq/stampede/bench/drivers"
)

func main() {
	os.Exit(runParent(os.Args[1:]))
}

// runner orchestrates the runs.
type runner struct {
	root, benchDir string
	measure        string // the bench/cmd/measure binary
	python         string
	broker         string // the stampede binary
	certs          certFiles
	rabbit         drivers.Peer
	rabbitStart    string // shell command that starts RabbitMQ
	runs           int
	res            results
	failures       []string          // measurements that failed for good
	retried        []string          // measurements that failed once, then were run again
	profiles       map[string]string // target text → pprof top
	start          time.Time
	info           machineInfo
}

func runParent(args []string) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	runs := fs.Int("runs", 5, "runs of each library per scenario (medians are reported)")
	out := fs.String("out", "RESULTS.md", "results file (relative to the bench module)")
	charts := fs.String("charts", "charts", "directory of the SVG charts (relative to the bench module); with -only and -out but no -charts, a directory beside -out, so that a partial run never overwrites the published charts")
	only := fs.String("only", "", "comma-separated scenario keys to run (default all)")
	quick := fs.Bool("quick", false, "short measurements, for trying the command out")
	python := fs.String("python", "/usr/bin/python3", "the Python with stomp.py (Debian python3-stomp)")
	rabbit := fs.String("rabbitmq", "127.0.0.1:61613", "RabbitMQ's STOMP address (guest/guest, vhost /)")
	rabbitStart := fs.String("rabbitmq-start", "scripts/brokers/rabbitmq.sh start", "command (run from the repository root) that starts RabbitMQ when it is not reachable; empty: none")
	profile := fs.Bool("profile", true, "profile stampede where it misses a target")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *only != "" && set["out"] && !set["charts"] {
		*charts = strings.TrimSuffix(*out, filepath.Ext(*out)) + "-charts"
	}
	wd, _ := os.Getwd()
	r := &runner{
		benchDir: wd, root: filepath.Dir(wd), python: *python, runs: *runs,
		rabbit: drivers.Peer{Name: "rabbitmq", Addr: *rabbit, Login: "guest", Passcode: "guest", VHost: "/"},
		res:    results{}, profiles: map[string]string{}, start: time.Now(), rabbitStart: *rabbitStart,
	}
	if _, err := os.Stat(filepath.Join(r.benchDir, "python", "stomppy.py")); err != nil {
		fmt.Fprintln(os.Stderr, "compare: run me from the bench module directory:", err)
		return 2
	}
	tmp, err := os.MkdirTemp("", "stampede-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if r.broker, r.measure, err = buildBinaries(r.root, r.benchDir, tmp); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 1
	}
	if r.certs, err = writeCerts(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 1
	}
	r.info = r.machine()
	d := durations{traffic: 3 * time.Second, idle: 6 * time.Second, tlsIdle: 2 * time.Second}
	if *quick {
		d = durations{traffic: time.Second, idle: 2 * time.Second, tlsIdle: time.Second}
	}
	scs := plan(d)
	if *only != "" {
		keep := strings.Split(*only, ",")
		scs = slices.DeleteFunc(scs, func(s *scenario) bool { return !slices.Contains(keep, s.key) })
	}
	for i, sc := range scs {
		r.runScenario(sc, i+1, len(scs))
	}
	if *profile {
		r.profileMisses(scs, tmp)
	}
	r.info.loadEnd = loadAverage()
	r.info.wall = time.Since(r.start)
	outPath, chartDir := inBench(r.benchDir, *out), inBench(r.benchDir, *charts)
	chartRel, err := filepath.Rel(filepath.Dir(outPath), chartDir)
	if err != nil {
		chartRel = chartDir
	}
	if err := r.writeResults(outPath, chartDir, chartRel, scs); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		return 1
	}
	r.logf("wrote %s in %v", outPath, time.Since(r.start).Round(time.Second))
	if len(r.failures) > 0 {
		r.logf("%d measurements failed:\n  %s", len(r.failures), strings.Join(r.failures, "\n  "))
		return 1
	}
	return 0
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// runScenario measures every library of sc, runs times, alternating which
// goes first.
func (r *runner) runScenario(sc *scenario, i, n int) {
	r.logf("== %d/%d %s", i, n, sc.title)
	if sc.peer == "rabbitmq" && !r.waitRabbit() {
		r.failures = append(r.failures, sc.key+": RabbitMQ is not reachable at "+r.rabbit.Addr+" (make brokers-start)")
		r.logf("   RabbitMQ not reachable at %s: not measured", r.rabbit.Addr)
		return
	}
	for run := 1; run <= r.runs; run++ {
		libs := slices.Clone(sc.libs)
		if run%2 == 0 {
			slices.Reverse(libs)
		}
		for _, lib := range libs {
			m, err := r.measureOnce(sc, lib)
			if err != nil && (sc.peer != "rabbitmq" || r.waitRabbit()) {
				// The machine is shared: a peer restarted by other work, a
				// port taken. One more try, and the failure stays on record.
				r.logf("   run %d %-14s failed (%v), trying again", run, lib, err)
				r.retried = append(r.retried, fmt.Sprintf("%s run %d %s: %v", sc.key, run, lib, err))
				m, err = r.measureOnce(sc, lib)
			}
			if err != nil {
				r.failures = append(r.failures, fmt.Sprintf("%s run %d: %v", sc.key, run, err))
				r.logf("   run %d %-14s FAILED: %v", run, lib, err)
				continue
			}
			r.res.add(sc.key, lib, m)
			r.logf("   run %d %-14s %s", run, lib, summary(sc, m))
		}
	}
}

// measureOnce runs one child against a fresh peer.
func (r *runner) measureOnce(sc *scenario, lib string, extra ...string) (metrics, error) {
	child, overTLS := childLib(sc, lib)
	var peer drivers.Peer
	switch sc.peer {
	case "embedded":
		flags := sc.broker
		if sc.tls {
			flags = slices.Concat(flags, r.certs.brokerFlags())
		}
		b, err := startBroker(r.broker, flags...)
		if err != nil {
			return nil, err
		}
		defer b.stop()
		peer = drivers.Peer{Name: "embedded", Addr: b.addr}
		if overTLS {
			peer.Addr = b.tlsAddr
			extra = slices.Concat([]string{"-tls-ca", r.certs.ca}, extra)
		}
	case "rabbitmq":
		peer = r.rabbit
	}
	if lib == "stomp.py" {
		extra = append(slices.Clone(sc.pyArgs), extra...)
	}
	return r.runMeasurement(sc, child, peer, extra...)
}

// summary is the progress line of one measurement.
func summary(sc *scenario, m metrics) string {
	if sc.key == "codec" {
		return fmt.Sprintf("decode 256B %.0f ns, 64KiB %.0f ns; encode 256B %.0f ns",
			m["decode-256B.ns"], m["decode-64KiB.ns"], m["encode-256B.ns"])
	}
	var parts []string
	for _, s := range sc.metrics[:min(3, len(sc.metrics))] {
		if v, ok := m[s.key]; ok {
			parts = append(parts, s.label+" "+fmt.Sprintf(s.format, v))
		}
	}
	if v, ok := m["heapstack_kib"]; ok {
		parts = append(parts, fmt.Sprintf("heap+stack %.2f KiB/conn", v))
	}
	return strings.Join(parts, ", ")
}

// waitRabbit waits for RabbitMQ, which other work on a shared machine may
// be restarting or may have stopped: after 10 s it starts it with the
// project's script (a no-op when it is healthy), then waits a minute more.
func (r *runner) waitRabbit() bool {
	started := false
	for begin := time.Now(); ; time.Sleep(2 * time.Second) {
		if reachable(r.rabbit.Addr) {
			return true
		}
		switch waited := time.Since(begin); {
		case waited > 70*time.Second:
			return false
		case waited > 10*time.Second && !started && r.rabbitStart != "":
			started = true
			r.logf("   RabbitMQ unreachable for 10 s: %s", r.rabbitStart)
			cmd := exec.Command("sh", "-c", r.rabbitStart)
			cmd.Dir = r.root
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				r.logf("   starting RabbitMQ: %v", err)
			}
		}
	}
}

func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// fmtValue formats a metric value, with thousands separators for big ones.
func fmtValue(format string, v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	s := fmt.Sprintf(format, v)
	if format != "%.0f" || math.Abs(v) < 10000 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// inBench resolves a path relative to the bench module.
func inBench(benchDir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(benchDir, p)
}
