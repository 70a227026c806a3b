package stampede

import (
	"log/slog"
	"sync"
	"time"

	"github.com/stampede-mq/stampede/loop"
)

// Engine is a set of event loops, a timing wheel and a default executor
// that drive many connections. Create one per process (or a few), dial
// through it, and Close it when done. It is safe for concurrent use.
type Engine struct {
	le    *loop.Engine
	mu    sync.Mutex
	conns map[*Conn]struct{}
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
	return &Engine{le: le, conns: make(map[*Conn]struct{})}, nil
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
func (e *Engine) Conns() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.conns)
}

func (e *Engine) track(c *Conn) {
	e.mu.Lock()
	e.conns[c] = struct{}{}
	e.mu.Unlock()
}

func (e *Engine) untrack(c *Conn) {
	e.mu.Lock()
	delete(e.conns, c)
	e.mu.Unlock()
}

// Close closes every connection of the engine (without DISCONNECT: use
// Disconnect first for a graceful goodbye), stops the event loops, the
// wheel and the executor it owns, and waits for their goroutines. It is
// idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	conns := make([]*Conn, 0, len(e.conns))
	for c := range e.conns {
		conns = append(conns, c)
	}
	e.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return e.le.Close()
}

// now is the clock used for deadlines.
func now() time.Time { return time.Now() }
