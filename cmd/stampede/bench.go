package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/stampede-mq/stampede/internal/loadgen"
)

// Exit codes of the bench subcommand, for scripts.
const (
	benchOK          = 0   // the run completed within its limits
	benchFailed      = 1   // errors, duplicates or loss beyond --max-loss, or the run could not start
	benchUsage       = 2   // bad flags
	benchInterrupted = 130 // stopped by SIGINT/SIGTERM: a partial summary was printed (128 + SIGINT)
)

func benchCommand() command {
	return command{
		name:    "bench",
		summary: "load-test a STOMP broker (the embedded one without --url); bench compare A.json B.json",
		run:     runBench,
	}
}

const benchUsageText = `usage: stampede bench [flags]
       stampede bench compare A.json B.json [--report FILE.html]

Without --url (or --host/--port/--ssl/--ws) the embedded broker starts in
this process and is the target.

Latency is measured end to end from a timestamp in each message. With
--rate or --total-rate sending is open loop: message i of a producer is due
at start + i/rate and its latency counts from that due time, so a broker
that stalls shows in the percentiles instead of slowing the load down (no
coordinated omission). A producer wakes at most once per millisecond and
sends every message due by then, so at high rates latency includes up to
1 ms of pacing. Without a rate, producers send as fast as the connection
takes messages and latency counts from the actual send.

Exit status: 0 ok; 1 errors, duplicates or loss beyond --max-loss (or the
run could not start); 2 bad usage; 130 interrupted (partial summary).

flags:
`

// runBench runs a load, prints progress and the summary, and writes the
// JSON result and HTML report when asked.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "compare" {
		return runBenchCompare(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("stampede bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f benchFlags
	f.register(fs)
	fs.Usage = func() {} // help goes to stdout when asked for; errors go to stderr
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fmt.Fprint(stdout, benchUsageText)
			fs.PrintDefaults()
			return benchOK
		}
		fmt.Fprintln(stderr, `Run "stampede bench -h" for help.`)
		return benchUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stampede bench: unexpected argument %q\n", fs.Arg(0))
		return benchUsage
	}
	f.noteSet(fs)
	scn, err := f.scenario()
	if err != nil {
		fmt.Fprintf(stderr, "stampede bench: %v\n", err)
		return benchUsage
	}
	target := loadgen.Target{Embedded: f.embedded(fs)}
	if !target.Embedded {
		if target.Address, err = f.conn.address(); err != nil {
			fmt.Fprintf(stderr, "stampede bench: %v\n", err)
			return benchUsage
		}
	}
	if target.Options, err = f.conn.options(); err != nil {
		fmt.Fprintf(stderr, "stampede bench: %v\n", err)
		return benchUsage
	}

	var opts []loadgen.RunOption
	prog := newProgressPrinter(stderr)
	if !f.quiet {
		opts = append(opts, loadgen.WithProgress(prog.every(), prog.print))
	}
	res, err := loadgen.Run(ctx, target, scn, opts...)
	prog.end()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "stampede bench: interrupted before any traffic")
			return benchInterrupted
		}
		fmt.Fprintf(stderr, "stampede bench: %v\n", err)
		return benchFailed
	}
	if err := loadgen.WriteSummary(stdout, res); err != nil {
		return benchFailed
	}
	code := verdict(res, f.maxLoss, stderr)
	if f.jsonFile != "" {
		if err := res.SaveJSON(f.jsonFile); err != nil {
			fmt.Fprintf(stderr, "stampede bench: --json: %v\n", err)
			code = benchFailed
		}
	}
	if f.report != "" {
		if err := loadgen.SaveReport(f.report, loadgen.Labeled{Label: "run", Result: res}); err != nil {
			fmt.Fprintf(stderr, "stampede bench: --report: %v\n", err)
			code = benchFailed
		}
	}
	if res.Partial {
		return benchInterrupted
	}
	return code
}

// verdict turns what went wrong into the exit code, and says why.
func verdict(res *loadgen.Result, maxLoss float64, stderr io.Writer) int {
	var why []string
	if res.Errors.Total > 0 {
		why = append(why, fmt.Sprintf("%d errors", res.Errors.Total))
	}
	if res.Delivery.Dups > 0 {
		why = append(why, fmt.Sprintf("%d duplicates", res.Delivery.Dups))
	}
	if res.Delivery.LossRatio() > maxLoss {
		why = append(why, fmt.Sprintf("%d lost (%.4f%%, more than --max-loss %v)", res.Delivery.Lost, 100*res.Delivery.LossRatio(), maxLoss))
	}
	if len(why) == 0 {
		return benchOK
	}
	fmt.Fprintf(stderr, "stampede bench: %s\n", strings.Join(why, ", "))
	return benchFailed
}

// progressPrinter shows progress: one line rewritten in place about four
// times a second on a terminal, one plain line a second otherwise.
type progressPrinter struct {
	w       io.Writer
	tty     bool
	mu      sync.Mutex
	printed bool
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	f, ok := w.(*os.File)
	return &progressPrinter{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progressPrinter) every() time.Duration {
	if p.tty {
		return 250 * time.Millisecond
	}
	return time.Second
}

func (p *progressPrinter) print(pr loadgen.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := loadgen.FormatProgress(pr)
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K"+line)
	} else {
		fmt.Fprintln(p.w, line)
	}
	p.printed = true
}

// end finishes the progress line before the summary.
func (p *progressPrinter) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.printed {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
