//go:build aix || darwin || dragonfly || freebsd || netbsd || openbsd || (linux && !386 && !amd64 && !arm)

package multicast

import "syscall"

const soReusePort = syscall.SO_REUSEPORT
