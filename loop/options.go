package loop

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

// ErrInvalidOption wraps every error an [Option] returns.
var ErrInvalidOption = errors.New("stampede: invalid option")

// Option configures an [Engine] or a [Server].
type Option func(*config) error

type config struct {
	loops    int
	tick     time.Duration
	slots    int
	readBuf  int
	writeBuf int
	logger   *slog.Logger
	executor Executor
}

func defaultConfig() config {
	return config{
		loops:    runtime.NumCPU(),
		tick:     10 * time.Millisecond,
		slots:    4096,
		readBuf:  64 << 10,
		writeBuf: 64 << 10,
		logger:   slog.New(slog.DiscardHandler),
	}
}

func (c *config) apply(opts []Option) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return err
		}
	}
	return nil
}

// WithLoops sets the number of event loops (default: the number of CPUs).
func WithLoops(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 256 {
			return fmt.Errorf("%w: %d event loops (1..256)", ErrInvalidOption, n)
		}
		c.loops = n
		return nil
	}
}

// WithTick sets the timing wheel's resolution (default 10 ms): heart-beats
// and deadlines fire at most about one tick late.
func WithTick(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond || d > time.Second {
			return fmt.Errorf("%w: tick %v (1ms..1s)", ErrInvalidOption, d)
		}
		c.tick = d
		return nil
	}
}

// WithReadBuffer sets the per-loop read buffer size (default 64 KiB).
func WithReadBuffer(n int) Option {
	return func(c *config) error {
		if n < 4<<10 {
			return fmt.Errorf("%w: read buffer %d bytes (min 4 KiB)", ErrInvalidOption, n)
		}
		c.readBuf = n
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.logger = l
		return nil
	}
}

// WithExecutor sets the engine's default executor (default: a [Serial]
// executor the engine owns and closes). An executor given here is not
// closed by the engine.
func WithExecutor(e Executor) Option {
	return func(c *config) error {
		if e == nil {
			return fmt.Errorf("%w: nil executor", ErrInvalidOption)
		}
		c.executor = e
		return nil
	}
}
