package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/stampede-mq/stampede/bench/drivers"
)

// buildBinaries builds, into dir, the stampede command (whose broker
// subcommand is the embedded broker) and the measure command (the child
// of every Go measurement).
func buildBinaries(root, benchDir, dir string) (broker, measure string, err error) {
	broker, measure = filepath.Join(dir, "stampede"), filepath.Join(dir, "measure")
	for _, b := range []struct{ dir, out, pkg string }{{root, broker, "./cmd/stampede"}, {benchDir, measure, "./cmd/measure"}} {
		build := exec.Command("go", "build", "-o", b.out, b.pkg)
		build.Dir = b.dir
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return "", "", fmt.Errorf("building %s: %w", b.pkg, err)
		}
	}
	return broker, measure, nil
}

// brokerProcess is the embedded broker running in a process of its own,
// so that the client's CPU and memory are measured alone and each side
// has the whole file limit for its ends of the connections.
type brokerProcess struct {
	cmd     *exec.Cmd
	addr    string // host:port of the tcp:// listener
	tlsAddr string // host:port of the ssl:// listener, when asked for (--tls)
}

func startBroker(bin string, flags ...string) (*brokerProcess, error) {
	cmd := exec.Command(bin, append([]string{"broker", "--listen", "tcp://127.0.0.1:0"}, flags...)...)
	var logs bytes.Buffer // shown only when the broker does not start
	cmd.Stderr = &logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("broker did not start: %w\n%s", err, logs.String())
	}
	b := &brokerProcess{cmd: cmd}
	b.addr, b.tlsAddr = listening(line)
	if b.addr == "" || (slices.Contains(flags, "--tls") && b.tlsAddr == "") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("broker said %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return b, nil
}

// listening reads the broker's first line, "stampede broker listening on
// tcp://127.0.0.1:1234 ssl://127.0.0.1:5678", into the host:port of its
// first TCP and first TLS listener ("" for none).
func listening(line string) (addr, tlsAddr string) {
	urls, ok := strings.CutPrefix(strings.TrimSpace(line), "stampede broker listening on ")
	if !ok {
		return "", ""
	}
	for _, u := range strings.Fields(urls) {
		if a, found := strings.CutPrefix(u, "tcp://"); found && addr == "" {
			addr = a
		}
		if a, found := strings.CutPrefix(u, "ssl://"); found && tlsAddr == "" {
			tlsAddr = a
		}
	}
	return addr, tlsAddr
}

// stop asks the broker to shut down and kills it if it takes too long.
func (b *brokerProcess) stop() {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
}

// childTimeout bounds one measurement.
const childTimeout = 4 * time.Minute

// metrics are what a measurement reports: name → value.
type metrics map[string]float64

// childResult is the JSON line a child prints last on stdout.
type childResult struct {
	Scenario string  `json:"scenario"`
	Lib      string  `json:"lib"`
	Metrics  metrics `json:"metrics"`
	Error    string  `json:"error,omitempty"`
}

// runMeasurement runs one measurement in a child process: the measure
// command for the Go libraries, the stomp.py script for stomp.py. It
// returns the child's metrics.
func (r *runner) runMeasurement(sc *scenario, lib string, peer drivers.Peer, extra ...string) (metrics, error) {
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	args := append(append([]string(nil), sc.args...), extra...)
	if peer.Addr != "" {
		args = append(args, "-peer", peer.Addr, "-peer-name", peer.Name)
	}
	if peer.Login != "" {
		args = append(args, "-login", peer.Login, "-passcode", peer.Passcode)
	}
	if peer.VHost != "" {
		args = append(args, "-vhost", peer.VHost)
	}
	var cmd *exec.Cmd
	if lib == "stomp.py" {
		script := filepath.Join(r.benchDir, "python", "stomppy.py")
		cmd = exec.CommandContext(ctx, r.python, append([]string{script, "-scenario", sc.child}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, r.measure, append([]string{"-scenario", sc.child, "-lib", lib}, args...)...)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	runErr := cmd.Run()
	var res childResult
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("%s: %w", lib, runErr)
		}
		return nil, fmt.Errorf("%s: no result line in %q", lib, stdout.String())
	}
	if res.Error != "" {
		return res.Metrics, fmt.Errorf("%s: %s", lib, res.Error)
	}
	if runErr != nil {
		return res.Metrics, fmt.Errorf("%s: %w", lib, runErr)
	}
	return res.Metrics, nil
}

// errNoPeer marks a scenario whose peer is not there.
var errNoPeer = errors.New("peer not reachable")
