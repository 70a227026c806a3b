//go:build linux && (386 || amd64 || arm)

package multicast

// soReusePort is SO_REUSEPORT on these Linux architectures (15, from
// asm-generic/socket.h). Package syscall was frozen before the option
// existed and does not define it for them.
const soReusePort = 0xf
