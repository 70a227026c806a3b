package main

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/stampede-mq/stampede"
)

// machineInfo is what RESULTS.md says about where it was measured.
type machineInfo struct {
	date               string
	cpu                string
	cores              int
	memory             string
	kernel             string
	goVersion          string
	goStomp, stompPy   string
	rabbitMQ           string
	loadStart, loadEnd string
	fileLimit          string
	wall               time.Duration
}

func (r *runner) machine() machineInfo {
	mi := machineInfo{
		date:      time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		cpu:       firstField("/proc/cpuinfo", "model name"),
		cores:     runtime.NumCPU(),
		memory:    firstField("/proc/meminfo", "MemTotal"),
		kernel:    strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		goVersion: runtime.Version(),
		goStomp:   "?",
		loadStart: loadAverage(),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/go-stomp/stomp/v3" {
				mi.goStomp = d.Version
			}
		}
	}
	if out, err := exec.Command(r.python, "-c", "import stomp; print('.'.join(map(str, stomp.__version__)))").Output(); err == nil {
		mi.stompPy = strings.TrimSpace(string(out))
	} else {
		mi.stompPy = "not found (" + err.Error() + ")"
	}
	if out, err := exec.Command("sh", "-c", "ulimit -n").Output(); err == nil {
		mi.fileLimit = strings.TrimSpace(string(out))
	}
	mi.rabbitMQ = "not reachable"
	if reachable(r.rabbit.Addr) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := stampede.Dial(ctx, r.rabbit.Addr, stampede.WithLogin(r.rabbit.Login, r.rabbit.Passcode), stampede.WithHost(r.rabbit.VHost))
		if err == nil {
			mi.rabbitMQ = c.Server()
			_ = c.Disconnect(ctx)
		} else {
			mi.rabbitMQ = "error: " + err.Error()
		}
	}
	return mi
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// firstField returns the value of the first "key : value" line of a /proc
// file.
func firstField(path, key string) string {
	for line := range strings.Lines(readFile(path)) {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// loadAverage is the 1, 5 and 15 minute load averages.
func loadAverage() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
