package multicast

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
)

// Transport is the raw multicast socket under a [Conn], for users who want
// frames and nothing else (stomp.py's MulticastTransport): it joins the
// group, sends encoded frames as datagrams and receives datagrams. It knows
// nothing of subscriptions, receipts or transactions, and runs no goroutine
// of its own.
//
// One UDP socket does both directions: it binds the group's port with
// address and port reuse, joins the group on the configured interface and
// sends through that same interface with the configured TTL and loopback.
//
// Start and Stop may be called from any goroutine. Send is safe for
// concurrent use. Receive may be called from any goroutine, one call at a
// time (concurrent calls wait for each other).
type Transport struct {
	cfg   config
	group *net.UDPAddr

	mu    sync.Mutex // serialises Start and Stop
	state atomic.Int32
	conn  net.PacketConn   // set by Start before state becomes started
	pc    *ipv4.PacketConn // idem

	readMu sync.Mutex // one Receive at a time; guards rbuf
	rbuf   []byte
}

const (
	stateNew int32 = iota
	stateStarted
	stateStopped
)

// readBufferSize exceeds the largest IPv4 UDP payload, so a datagram is
// never truncated on reception: one larger than the configured maximum is
// seen whole and reported, not cut.
const readBufferSize = 1 << 16

// Datagram is one datagram received from the group.
type Datagram struct {
	// Data is the payload. It belongs to the caller.
	Data []byte
	// Source is the address of the socket that sent it.
	Source netip.AddrPort
}

// NewTransport returns a transport configured by opts (see [Option]); it
// opens nothing until [Transport.Start]. Options that only concern a
// [Conn] are ignored.
func NewTransport(opts ...Option) (*Transport, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return newTransport(cfg), nil
}

func newTransport(cfg config) *Transport {
	return &Transport{
		cfg:   cfg,
		group: &net.UDPAddr{IP: cfg.group.AsSlice(), Port: cfg.port},
	}
}

// Start opens the socket, binds the group's port and joins the group. ctx
// bounds the setup. A transport is started once: a second Start fails with
// [ErrAlreadyStarted], even after Stop. Safe for concurrent use.
func (t *Transport) Start(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state.Load() != stateNew {
		return ErrAlreadyStarted
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	lc := net.ListenConfig{Control: reuseControl}
	laddr := netip.AddrPortFrom(t.cfg.bind, uint16(t.cfg.port)).String()
	c, err := lc.ListenPacket(ctx, "udp4", laddr)
	if err != nil {
		return fmt.Errorf("multicast: bind %s: %w", laddr, err)
	}
	pc := ipv4.NewPacketConn(c)
	if err := t.setup(c, pc); err != nil {
		_ = c.Close()
		return err
	}
	t.conn, t.pc = c, pc
	t.state.Store(stateStarted)
	return nil
}

func (t *Transport) setup(c net.PacketConn, pc *ipv4.PacketConn) error {
	where := t.Interface()
	if err := pc.JoinGroup(t.cfg.iface, &net.UDPAddr{IP: t.group.IP}); err != nil {
		return fmt.Errorf("multicast: join %v on %s: %w", t.cfg.group, where, err)
	}
	if t.cfg.iface != nil {
		if err := pc.SetMulticastInterface(t.cfg.iface); err != nil {
			return fmt.Errorf("multicast: send through %s: %w", where, err)
		}
	}
	if err := pc.SetMulticastTTL(t.cfg.ttl); err != nil {
		return fmt.Errorf("multicast: TTL %d: %w", t.cfg.ttl, err)
	}
	if err := pc.SetMulticastLoopback(t.cfg.loopback); err != nil {
		return fmt.Errorf("multicast: loopback %v: %w", t.cfg.loopback, err)
	}
	// The destination address tells our group's datagrams from those of
	// other groups joined on the same port by other sockets of the host.
	// Where the system cannot report it, every datagram is taken.
	if err := pc.SetControlMessage(ipv4.FlagDst, true); err != nil {
		t.cfg.logger.Debug("multicast: no destination address on received datagrams", "err", err)
	}
	if uc, ok := c.(*net.UDPConn); ok {
		if err := uc.SetReadBuffer(socketBuffer); err != nil {
			t.cfg.logger.Debug("multicast: socket receive buffer", "err", err)
		}
		if err := uc.SetWriteBuffer(socketBuffer); err != nil {
			t.cfg.logger.Debug("multicast: socket send buffer", "err", err)
		}
	}
	return nil
}

// Stop leaves the group and closes the socket. A Receive in progress
// returns an error wrapping [ErrNotStarted]. Stop is idempotent and safe for
// concurrent use; a transport that was never started just becomes stopped.
func (t *Transport) Stop() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	prev := t.state.Swap(stateStopped)
	if prev != stateStarted {
		return nil
	}
	leaveErr := t.pc.LeaveGroup(t.cfg.iface, &net.UDPAddr{IP: t.group.IP})
	if err := t.conn.Close(); err != nil {
		return fmt.Errorf("multicast: close: %w", err)
	}
	if leaveErr != nil {
		// The group is left anyway when the socket closes.
		t.cfg.logger.Debug("multicast: leave group", "group", t.cfg.group, "err", leaveErr)
	}
	return nil
}

// IsConnected reports whether the transport is started and not stopped:
// it is a member of the group. Safe for concurrent use.
func (t *Transport) IsConnected() bool { return t.state.Load() == stateStarted }

// Send writes one encoded frame (see codec.Marshal) as one datagram to the
// group. A frame longer than the maximum datagram size fails with
// [ErrFrameTooLarge] and nothing is sent. ctx is checked before writing; a
// UDP write does not wait for anything else. Safe for concurrent use; frame
// may be reused once Send returns.
func (t *Transport) Send(ctx context.Context, frame []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(frame) > t.cfg.maxSize {
		return tooLarge(len(frame), t.cfg.maxSize)
	}
	if t.state.Load() != stateStarted {
		return ErrNotStarted
	}
	n, err := t.pc.WriteTo(frame, nil, t.group)
	if err != nil {
		if errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("%w: %w", ErrNotStarted, err)
		}
		return fmt.Errorf("multicast: send to %v: %w", t.group, err)
	}
	if n != len(frame) {
		return fmt.Errorf("multicast: send to %v: wrote %d of %d bytes", t.group, n, len(frame))
	}
	return nil
}

// Receive waits for the next datagram sent to the group and returns it
// whole (datagrams are never truncated, whatever their size). It returns
// ctx's error when ctx ends first, and an error wrapping [ErrNotStarted]
// once the transport is stopped. Datagrams that other sockets of the host
// asked for (another group on the same port) are skipped. Safe to call from
// any goroutine; concurrent calls run one at a time.
func (t *Transport) Receive(ctx context.Context) (Datagram, error) {
	if t.state.Load() != stateStarted {
		return Datagram{}, ErrNotStarted
	}
	t.readMu.Lock()
	defer t.readMu.Unlock()
	if t.rbuf == nil {
		t.rbuf = make([]byte, readBufferSize)
	}
	if ctx.Done() != nil {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			_ = t.pc.SetReadDeadline(time.Unix(1, 0))
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired
				_ = t.pc.SetReadDeadline(time.Time{})
			}
		}()
	}
	for {
		n, cm, src, err := t.pc.ReadFrom(t.rbuf)
		if err != nil {
			switch {
			case ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded):
				return Datagram{}, ctx.Err()
			case errors.Is(err, net.ErrClosed):
				return Datagram{}, fmt.Errorf("%w: %w", ErrNotStarted, err)
			}
			return Datagram{}, fmt.Errorf("multicast: receive: %w", err)
		}
		if cm != nil && cm.Dst != nil && !cm.Dst.Equal(t.group.IP) {
			continue
		}
		d := Datagram{Data: append([]byte(nil), t.rbuf[:n]...)}
		if ua, ok := src.(*net.UDPAddr); ok {
			d.Source = ua.AddrPort()
		}
		return d, nil
	}
}

// Group returns the group's address and port.
func (t *Transport) Group() netip.AddrPort {
	return netip.AddrPortFrom(t.cfg.group, uint16(t.cfg.port))
}

// Interface returns the name of the interface the group is joined on, or
// "default" when the system chooses.
func (t *Transport) Interface() string {
	if t.cfg.iface == nil {
		return "default"
	}
	return t.cfg.iface.Name
}

// MaxDatagramSize returns the largest frame, in bytes, that Send accepts.
func (t *Transport) MaxDatagramSize() int { return t.cfg.maxSize }

// LocalAddr returns the address the socket is bound to, or nil before
// Start.
func (t *Transport) LocalAddr() net.Addr {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn == nil {
		return nil
	}
	return t.conn.LocalAddr()
}
