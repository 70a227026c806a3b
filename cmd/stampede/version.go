package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// buildVersion is the release, set at build time with
// -ldflags "-X main.buildVersion=v1.2.3"; without it the module version that
// "go install" records is used.
var buildVersion string

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version",
		run: func(_ context.Context, args []string, stdout, stderr io.Writer) int {
			if len(args) > 0 {
				if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
					fmt.Fprintln(stdout, "usage: stampede version\n\nPrints the version of stampede, of Go, and the STOMP versions spoken.")
					return 0
				}
				return usageError(stderr, "stampede version", "unexpected argument %q", args[0])
			}
			fmt.Fprintln(stdout, versionString())
			return 0
		},
	}
}

// versionString is the one-line version.
func versionString() string {
	v := buildVersion
	if v == "" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return fmt.Sprintf("stampede %s (%s %s/%s; STOMP 1.0, 1.1, 1.2)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
