package loop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// Server accepts connections on gnet's server side: its own event loops,
// listening on one TCP address. Every accepted socket becomes a [Conn]
// whose settings come from the accept function given to [Listen].
type Server struct {
	rt       reactor
	addr     net.Addr
	eng      gnet.Engine
	booted   chan error
	stopped  chan struct{}
	runErr   error
	once     sync.Once
	ownWheel bool
}

// AcceptFunc decides the settings of an accepted connection; an error
// refuses it (the socket is closed at once). It runs on the connection's
// event loop.
type AcceptFunc func(local, remote net.Addr) (ConnConfig, error)

// Listen starts a server on address ("127.0.0.1:0" picks a free port; Addr
// tells which). wheel may be shared with an engine; nil gives the server its
// own. Options WithLoops, WithTick, WithReadBuffer and WithLogger apply.
func Listen(address string, accept AcceptFunc, wheel *Wheel, opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	s := &Server{booted: make(chan error, 1), stopped: make(chan struct{})}
	s.rt.base = time.Now()
	s.rt.log = cfg.logger
	s.rt.wheel = wheel
	if wheel == nil {
		s.rt.wheel = NewWheel(cfg.tick, cfg.slots)
		s.ownWheel = true
	}
	s.rt.accept = func(gc gnet.Conn) (*Conn, error) {
		cc, err := accept(gc.LocalAddr(), gc.RemoteAddr())
		if err == nil {
			err = cc.check()
		}
		if err != nil {
			return nil, err
		}
		return s.rt.newConn(cc), nil
	}
	h := &serverEvents{reactor: &s.rt, s: s}
	go func() {
		defer close(s.stopped)
		err := gnet.Run(h, "tcp://"+address,
			gnet.WithNumEventLoop(cfg.loops),
			gnet.WithReadBufferCap(cfg.readBuf),
			gnet.WithWriteBufferCap(cfg.writeBuf),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithReuseAddr(true),
			gnet.WithTicker(true), // its first tick says the loops run
			gnet.WithLogger(gnetLogger{cfg.logger}),
		)
		s.runErr = err
		select {
		case s.booted <- err: // failed before OnBoot
		default:
		}
	}()
	if err := <-s.booted; err != nil {
		<-s.stopped
		if s.ownWheel {
			s.rt.wheel.Stop()
		}
		return nil, fmt.Errorf("stampede: listen %s: %w", address, err)
	}
	return s, nil
}

// serverEvents adds OnBoot and OnTick to the shared event handler.
type serverEvents struct {
	*reactor
	s       *Server
	started bool // the ticker's goroutine only
}

func (h *serverEvents) OnBoot(eng gnet.Engine) gnet.Action {
	h.s.eng = eng
	addr, err := listenerAddr(eng)
	if err != nil {
		h.s.booted <- err
		return gnet.Shutdown
	}
	h.s.addr = addr
	return gnet.None
}

// OnTick runs on gnet's ticker goroutine, which gnet starts after every
// event loop and the acceptor: its first call tells Listen that the server
// runs in full, so that Listen returns with every goroutine of the server
// started (a goroutine count or leak check taken after Listen holds them
// all). Later ticks are rare and do nothing.
func (h *serverEvents) OnTick() (time.Duration, gnet.Action) {
	if !h.started {
		h.started = true
		h.s.booted <- nil
	}
	return 24 * time.Hour, gnet.None
}

func listenerAddr(eng gnet.Engine) (net.Addr, error) {
	fd, err := eng.Dup()
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, err
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}, nil
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}, nil
	}
	return nil, errors.New("unexpected listener address type")
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.addr }

// Wheel returns the server's timing wheel.
func (s *Server) Wheel() *Wheel { return s.rt.wheel }

// Conns returns the number of open connections.
func (s *Server) Conns() int { return int(s.rt.conns.Load()) }

// Close stops listening, closes every connection (their handlers see
// OnClose) and waits for the event loops to end. It is idempotent.
func (s *Server) Close() error {
	s.once.Do(func() {
		// gnet's Engine.Stop polls twice a second for the end; start the
		// shutdown with a done context and wait for Run to return instead.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = s.eng.Stop(ctx)
		<-s.stopped
		if s.ownWheel {
			s.rt.wheel.Stop()
		}
	})
	return nil
}
