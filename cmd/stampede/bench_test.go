package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/internal/loadgen"
)

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--kind", "exchange"},
		{"--size", "16"},
		{"--size", "300-200"},
		{"--size", "big"},
		{"--rate", "10", "--total-rate", "100"},
		{"--ack", "maybe"},
		{"--source-ips", "127.0.0.9-127.0.0.2"},
		{"--max-loss", "2"},
		{"--receipts", "--transaction", "5"},
		{"--protocol", "2.0"},
		{"extra"},
		{"--nope"},
	} {
		var out, errOut bytes.Buffer
		if code := runBench(context.Background(), args, &out, &errOut); code != benchUsage {
			t.Errorf("%v: exit code %d, want %d", args, code, benchUsage)
		}
		if errOut.Len() == 0 {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
}

func TestBenchFlagsMakeTheScenario(t *testing.T) {
	var f benchFlags
	fs := newFlagSet()
	f.register(fs)
	if err := fs.Parse([]string{"--producers", "4", "--total-rate", "1000", "--size", "64-128", "--kind", "topic", "--source-ips", "127.0.0.2-127.0.0.3"}); err != nil {
		t.Fatal(err)
	}
	s, err := f.scenario()
	if err != nil {
		t.Fatal(err)
	}
	if s.Rate != 250 || s.MinSize != 64 || s.MaxSize != 128 || s.Kind != loadgen.Topic || len(s.SourceIPs) != 2 {
		t.Fatalf("%+v", s)
	}
	if !f.embedded(fs) {
		t.Fatal("no address given: the embedded broker is the target")
	}
	fs = newFlagSet()
	f.register(fs)
	_ = fs.Parse([]string{"--port", "61613"})
	if f.embedded(fs) {
		t.Fatal("--port names a broker")
	}
}

// A run of N messages measures every one of them unless a warm-up is
// asked for: the default warm-up would swallow a short run whole.
func TestBenchMessagesMeansNoDefaultWarmup(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, loadgen.DefaultWarmup},
		{[]string{"--messages", "100"}, 0},
		{[]string{"--messages", "100", "--warmup", "1s"}, time.Second},
		{[]string{"--warmup", "3s"}, 3 * time.Second},
	} {
		fs := flag.NewFlagSet("bench", flag.ContinueOnError)
		var f benchFlags
		f.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		f.noteSet(fs)
		s, err := f.scenario()
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if s.Warmup != tc.want {
			t.Errorf("%v: warm-up %v, want %v", tc.args, s.Warmup, tc.want)
		}
	}
}

func TestBenchRunsAndWritesItsFiles(t *testing.T) {
	dir := t.TempDir()
	j, r := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	var out, errOut bytes.Buffer
	code := runBench(context.Background(), []string{"--producers", "1", "--consumers", "1", "--messages", "500", "--warmup", "0s", "--json", j, "--report", r}, &out, &errOut)
	if code != benchOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "lost 0 ") {
		t.Fatalf("summary:\n%s", out.String())
	}
	res, err := loadgen.LoadJSON(j)
	if err != nil || res.Delivery.Unique != 500 {
		t.Fatalf("%v %+v", err, res)
	}
	if b, err := os.ReadFile(r); err != nil || !strings.Contains(string(b), `id="chart-throughput"`) {
		t.Fatalf("report: %v", err)
	}
	out.Reset()
	if code := runBench(context.Background(), []string{"compare", j, "--report", filepath.Join(dir, "c.html"), j}, &out, &errOut); code != benchOK {
		t.Fatalf("compare: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "1.00×") {
		t.Fatalf("compare of a run with itself:\n%s", out.String())
	}
}

func TestVerdict(t *testing.T) {
	var res loadgen.Result
	var errOut bytes.Buffer
	if verdict(&res, 0, &errOut) != benchOK {
		t.Fatal("a clean run fails")
	}
	res.Delivery = loadgen.Delivery{Expected: 1000, Lost: 5}
	if verdict(&res, 0.01, &errOut) != benchOK || verdict(&res, 0.001, &errOut) != benchFailed {
		t.Fatal("--max-loss is not the threshold")
	}
	res.Delivery.Lost, res.Errors.Total = 0, 1
	if verdict(&res, 0, &errOut) != benchFailed {
		t.Fatal("errors pass")
	}
}

// newFlagSet returns a bench flag set that reports errors to the caller.
func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("stampede bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
