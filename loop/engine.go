package loop

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Engine drives client connections on a few event loops. It is safe for
// concurrent use. Close joins every goroutine it started.
type Engine struct {
	rt       reactor
	cli      *gnet.Client
	exec     Executor
	ownsExec bool
	loops    int
	mu       sync.Mutex
	closed   bool
}

// NewEngine starts an engine: its event loops, its wheel and, unless
// WithExecutor gives one, its executor.
func NewEngine(opts ...Option) (*Engine, error) {
	cfg := defaultConfig()
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	e := &Engine{loops: cfg.loops}
	e.rt.base = time.Now()
	e.rt.log = cfg.logger
	cli, err := gnet.NewClient(&e.rt,
		gnet.WithNumEventLoop(cfg.loops),
		gnet.WithReadBufferCap(cfg.readBuf),
		gnet.WithWriteBufferCap(cfg.writeBuf),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(gnetLogger{cfg.logger}),
	)
	if err != nil {
		return nil, fmt.Errorf("stampede: event loops: %w", err)
	}
	if err := cli.Start(); err != nil {
		return nil, fmt.Errorf("stampede: event loops: %w", err)
	}
	e.cli = cli
	e.rt.wheel = NewWheel(cfg.tick, cfg.slots)
	e.exec = cfg.executor
	if e.exec == nil {
		e.exec = NewSerial(SerialConfig{})
		e.ownsExec = true
	}
	return e, nil
}

// Wheel returns the engine's timing wheel.
func (e *Engine) Wheel() *Wheel { return e.rt.wheel }

// Executor returns the engine's default executor.
func (e *Engine) Executor() Executor { return e.exec }

// Loops returns the number of event loops.
func (e *Engine) Loops() int { return e.loops }

// Conns returns the number of open connections.
func (e *Engine) Conns() int { return int(e.rt.conns.Load()) }

// Close stops the event loops (closing every connection still open, whose
// handlers see OnClose), the wheel and the executor the engine owns, and
// waits for their goroutines to end. It is idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	err := e.cli.Stop()
	e.rt.wheel.Stop()
	if e.ownsExec {
		e.exec.Close()
	}
	return err
}

// Dial opens a TCP connection under ctx (its deadline bounds the dial and
// the handshake), runs the optional handshake on the calling goroutine and
// enrolls the socket with the least busy loop. It returns after the
// handler's OnOpen ran.
func (e *Engine) Dial(ctx context.Context, address string, d DialConfig, cfg ConnConfig) (*Conn, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	nc, err := d.dial(ctx, address)
	if err != nil {
		return nil, err
	}
	if d.Handshake != nil {
		layer, leftover, err := d.Handshake(ctx, nc)
		if err != nil {
			_ = nc.Close()
			return nil, err
		}
		cfg.Layer, cfg.Leftover = layer, leftover
	}
	c, err := e.Enroll(nc, cfg)
	if err == nil && d.NoDelay == NoDelayOff {
		_ = c.gc.SetNoDelay(false) // after Enroll, which turns it on
	}
	return c, err
}

// Enroll hands an open TCP or Unix socket to a loop. The engine takes
// ownership of nc (gnet duplicates its descriptor and closes nc). It
// returns after the handler's OnOpen ran.
func (e *Engine) Enroll(nc net.Conn, cfg ConnConfig) (*Conn, error) {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		_ = nc.Close()
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedConn, nc)
	}
	if err := cfg.check(); err != nil {
		_ = nc.Close()
		return nil, err
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		_ = nc.Close()
		return nil, ErrEngineClosed
	}
	c := e.rt.newConn(cfg)
	if _, err := e.cli.EnrollContext(nc, c); err != nil {
		return nil, fmt.Errorf("stampede: enroll: %w", err)
	}
	return c, nil
}
