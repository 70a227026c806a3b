// Command measure runs one measurement of the comparison: one scenario,
// one library, one peer, and prints the result as a JSON line. The bench
// command (bench/cmd/compare) builds it and runs it once per measurement,
// so that CPU time, RSS and the Go heap belong to that library alone; it
// is kept apart from compare so that nothing else (the charts' fonts)
// lives in its heap.
//
//	measure -scenario publish -lib stampede -peer 127.0.0.1:61613 -seconds 3
//	measure -scenario roundtrip -lib go-stomp -peer 127.0.0.1:61614 -tls-ca ca.pem
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/stampede-mq/stampede/bench/drivers"
)

// childFlags describe one measurement: one scenario, one library, one peer.
type childFlags struct {
	scenario   string
	lib        string
	peer       drivers.Peer
	tlsCA      string
	seconds    float64
	conns      int
	heartBeat  time.Duration
	window     int
	codecCase  string
	cpuProfile string
	memProfile string
	loops      int
}

func (f *childFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.scenario, "scenario", "", "scenario to measure")
	fs.StringVar(&f.lib, "lib", "", "library: stampede or go-stomp")
	fs.StringVar(&f.peer.Name, "peer-name", "embedded", "peer name, for the record")
	fs.StringVar(&f.peer.Addr, "peer", "", "peer address host:port")
	fs.StringVar(&f.peer.Login, "login", "", "login")
	fs.StringVar(&f.peer.Passcode, "passcode", "", "passcode")
	fs.StringVar(&f.peer.VHost, "vhost", "", "CONNECT host header")
	fs.StringVar(&f.tlsCA, "tls-ca", "", "connect over TLS 1.3, verifying the peer's certificate against the CA certificates in this PEM file")
	fs.Float64Var(&f.seconds, "seconds", 3, "length of the measured interval")
	fs.IntVar(&f.conns, "conns", 0, "connections (fanout, storm, idle)")
	fs.DurationVar(&f.heartBeat, "heartbeat", 0, "heart-beat both ways (idle)")
	fs.IntVar(&f.window, "window", 1000, "messages in flight between producer and consumers")
	fs.StringVar(&f.codecCase, "case", "", "codec: only this case (decode-256B, ...)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured interval")
	fs.StringVar(&f.memProfile, "memprofile", "", "write a heap profile at the end of the measurement")
	fs.IntVar(&f.loops, "loops", 0, "stampede's event loops (0: one per CPU)")
}

// metrics are what a measurement reports: name → value. The bench command
// takes the median of each over the runs.
type metrics map[string]float64

// childResult is the JSON line measure prints last on stdout.
type childResult struct {
	Scenario string  `json:"scenario"`
	Lib      string  `json:"lib"`
	Metrics  metrics `json:"metrics"`
	Error    string  `json:"error,omitempty"`
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run measures one scenario with one library and prints the result.
func run(args []string) int {
	fs := flag.NewFlagSet("measure", flag.ContinueOnError)
	var f childFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if f.memProfile != "" {
		runtime.MemProfileRate = 1 // every allocation: the profile accounts for each byte
	}
	res := childResult{Scenario: f.scenario, Lib: f.lib}
	m, err := measure(&f)
	res.Metrics = m
	if err != nil {
		res.Error = err.Error()
	}
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
	if err != nil {
		return 1
	}
	return 0
}

// profiling starts the CPU profile if asked; the returned function stops
// it and writes the heap profile if asked.
func (f *childFlags) profiling() (stop func(), err error) {
	var cpu *os.File
	if f.cpuProfile != "" {
		if cpu, err = os.Create(f.cpuProfile); err != nil {
			return nil, err
		}
		if err = pprof.StartCPUProfile(cpu); err != nil {
			return nil, err
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if f.memProfile != "" {
			if mf, err := os.Create(f.memProfile); err == nil {
				_ = pprof.Lookup("heap").WriteTo(mf, 0)
				mf.Close()
			}
		}
	}, nil
}

func measure(f *childFlags) (metrics, error) {
	if f.scenario == "codec" {
		return codecScenario(f)
	}
	if f.tlsCA != "" {
		cfg, err := drivers.TLSConfig(f.tlsCA)
		if err != nil {
			return nil, err
		}
		f.peer.TLS = cfg
	}
	lib, err := drivers.New(f.lib, f.loops)
	if err != nil {
		return nil, err
	}
	defer lib.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	switch f.scenario {
	case "publish":
		return publish(ctx, lib, f)
	case "roundtrip":
		return roundTrip(ctx, lib, f)
	case "fanout":
		return fanOut(ctx, lib, f)
	case "storm":
		return storm(ctx, lib, f)
	case "idle":
		return idle(ctx, lib, f)
	}
	return nil, errors.New("unknown scenario " + f.scenario)
}
