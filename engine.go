package stampede

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stampede-mq/stampede/loop"
)

// Engine is a set of event loops, a timing wheel and a default executor
// that drive many connections. Create one per process (or a few), dial
// through it, and Close it when done. It is safe for concurrent use.
type Engine struct {
	le   *loop.Engine
	live atomic.Int64 // connections not closed yet

	mu      sync.Mutex
	closing bool
	// pending are the connections without a live session (connecting,
	// reconnecting): closing the event loops does not reach them. A
	// connected connection is not listed: it costs the engine nothing.
	pending map[*Conn]struct{}
}

// EngineOption configures an [Engine].
type EngineOption = loop.Option

// Engine options, re-exported from package loop.
var (
	// WithLoops sets the number of event loops (default: the number of CPUs).
	WithLoops = loop.WithLoops
	// WithTick sets the timing wheel's resolution (default 10 ms).
	WithTick = loop.WithTick
	// WithEngineExecutor sets the engine's default executor (default a
	// loop.Serial owned by the engine).
	WithEngineExecutor = loop.WithExecutor
	// WithEngineLogger sets the event loops' logger (default: discard).
	WithEngineLogger = loop.WithLogger
)

// NewEngine starts an engine.
func NewEngine(opts ...EngineOption) (*Engine, error) {
	le, err := loop.NewEngine(opts...)
	if err != nil {
		return nil, err
	}
	return &Engine{le: le, pending: make(map[*Conn]struct{})}, nil
}

var (
	defaultEngineOnce sync.Once
	defaultEngine     *Engine
	defaultEngineErr  error
)

// DefaultEngine returns the process-wide engine that [Dial] uses when no
// [WithEngine] option is given. It is started on first use with the
// default options and lives as long as the process: it is never closed.
func DefaultEngine() (*Engine, error) {
	defaultEngineOnce.Do(func() {
		defaultEngine, defaultEngineErr = NewEngine(loop.WithLogger(slog.New(slog.DiscardHandler)))
	})
	return defaultEngine, defaultEngineErr
}

// Loop returns the underlying loop engine, for advanced use (enrolling
// sockets, sharing the wheel).
func (e *Engine) Loop() *loop.Engine { return e.le }

// Conns returns the number of connections dialed through e that are not
// closed yet.
func (e *Engine) Conns() int { return int(e.live.Load()) }

// register counts a connection that starts connecting.
func (e *Engine) register(c *Conn) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return ErrEngineClosed
	}
	e.live.Add(1)
	c.counted.Store(true)
	e.pending[c] = struct{}{}
	return nil
}

// settle notes that c has a live session.
func (e *Engine) settle(c *Conn) {
	e.mu.Lock()
	delete(e.pending, c)
	e.mu.Unlock()
}

// unsettle notes that c is about to reconnect; false when the engine is
// closing and c must not.
func (e *Engine) unsettle(c *Conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return false
	}
	e.pending[c] = struct{}{}
	return true
}

// release forgets a closed connection.
func (e *Engine) release(c *Conn) {
	e.mu.Lock()
	delete(e.pending, c)
	e.mu.Unlock()
	if c.counted.CompareAndSwap(true, false) {
		e.live.Add(-1)
	}
}

// Close closes every connection of the engine (without DISCONNECT: use
// Disconnect first for a graceful goodbye), stops the event loops, the
// wheel and the executor it owns, and waits for their goroutines. It is
// idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closing = true
	pending := make([]*Conn, 0, len(e.pending))
	for c := range e.pending {
		pending = append(pending, c)
	}
	e.mu.Unlock()
	for _, c := range pending {
		c.Close()
	}
	// Closing the loops closes the connected ones: each ends for good,
	// since the engine no longer lets them reconnect.
	return e.le.Close()
}

// now is the clock used for deadlines.
func now() time.Time { return time.Now() }
