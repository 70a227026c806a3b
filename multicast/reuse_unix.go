//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd

package multicast

import "syscall"

// reuseControl sets SO_REUSEADDR and SO_REUSEPORT on the socket before it is
// bound, so that several members (processes or connections of one process)
// can bind the group's port on one host; each of them receives every
// datagram sent to the group.
func reuseControl(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); serr != nil {
			return
		}
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
