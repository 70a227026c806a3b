//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package multicast

import "syscall"

// reuseControl does nothing on systems without SO_REUSEPORT: there, only one
// member per host can bind the group's port.
func reuseControl(_, _ string, _ syscall.RawConn) error { return nil }
