package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// profileMisses profiles stampede, once, in every scenario where it
// missed a target, and keeps pprof's top functions for RESULTS.md.
func (r *runner) profileMisses(scs []*scenario, dir string) {
	byKey := map[string]*scenario{}
	for _, sc := range scs {
		byKey[sc.key] = sc
	}
	for i, t := range targets() {
		sc := byKey[t.scenario]
		if sc == nil || t.goal || t.profile.kind == "" || r.res.runs(sc.key, "stampede") == 0 || r.res.runs(sc.key, "go-stomp") == 0 {
			continue
		}
		if _, met := t.check(r.res); met {
			continue
		}
		file := filepath.Join(dir, fmt.Sprintf("profile-%d.pb.gz", i))
		flag := "-cpuprofile"
		if t.profile.kind == "heap" {
			flag = "-memprofile"
		}
		r.logf("== profiling stampede on a missed target: %s", t.text)
		if _, err := r.measureOnce(sc, "stampede", append([]string{flag, file}, t.profile.extra...)...); err != nil {
			r.profiles[t.text] = "profiling failed: " + err.Error()
			continue
		}
		r.profiles[t.text] = pprofTop(file, t.profile.kind)
	}
}

// pprofTop is `go tool pprof -top` of a profile, cut to its top lines.
func pprofTop(file, kind string) string {
	args := []string{"tool", "pprof", "-top", "-nodecount=25"}
	if kind == "heap" {
		args = append(args, "-sample_index=inuse_space")
	}
	out, err := exec.Command("go", append(args, file)...).CombinedOutput()
	if err != nil {
		return "pprof failed: " + err.Error() + "\n" + string(out)
	}
	var keep []string
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") || strings.HasPrefix(line, "Time:") {
			continue
		}
		keep = append(keep, strings.TrimRight(line, "\n"))
	}
	return strings.Join(keep, "\n")
}
