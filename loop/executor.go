package loop

import "sync"

// Task is a unit of user work: a listener call, a message for a handler.
type Task interface{ Run() }

// TaskFunc adapts a function to a [Task].
type TaskFunc func()

// Run calls f.
func (f TaskFunc) Run() { f() }

// Executor runs tasks away from the event loops. Tasks submitted with the
// same key come from the same connection; executors that keep order keep it
// per key. Execute must not block: when it cannot take a task it returns
// [ErrQueueFull] (or [ErrExecutorClosed]), and the connection applies its
// slow-consumer policy. Executors are safe for concurrent use.
type Executor interface {
	Execute(key uint64, t Task) error
	// Close stops taking tasks, lets the queued ones finish and waits for
	// the executor's goroutines to end.
	Close()
}

// Blocking is implemented by executors that can also wait for room, for
// connections whose slow-consumer policy is to stall their event loop.
type Blocking interface {
	ExecuteWait(key uint64, t Task) error
}

// Inline runs every task at once on the calling goroutine, which for
// connection events is the event loop: only for handlers that never block.
type Inline struct{}

// Execute runs t.
func (Inline) Execute(_ uint64, t Task) error { t.Run(); return nil }

// Close does nothing.
func (Inline) Close() {}

// ExecutorFunc adapts a function that starts work (stomp.py's
// override_threading create_thread_fc) to an [Executor]: it is called with
// each task and should arrange for it to run, typically on a thread or pool
// of the caller's. Order between tasks is whatever the function gives.
type ExecutorFunc func(run func())

// Execute hands t to f.
func (f ExecutorFunc) Execute(_ uint64, t Task) error { f(t.Run); return nil }

// Close does nothing: the function's owner owns its goroutines.
func (ExecutorFunc) Close() {}

// Goroutine runs every task on a goroutine of its own (stomp.py's
// behaviour); order is not kept. Close waits for running tasks.
type Goroutine struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

// NewGoroutine returns a goroutine-per-task executor.
func NewGoroutine() *Goroutine { return &Goroutine{} }

// Execute starts t on a new goroutine.
func (g *Goroutine) Execute(_ uint64, t Task) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrExecutorClosed
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		t.Run()
	}()
	return nil
}

// Close waits for every started task to return.
func (g *Goroutine) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}

// Pool runs tasks on n workers that share one bounded queue; tasks of one
// key may run concurrently and out of order.
type Pool struct {
	tasks chan Task
	wg    sync.WaitGroup
	mu    sync.RWMutex
	done  bool
}

// NewPool starts n workers (at least 1) with a queue of queueLen tasks
// (default 1024 when ≤ 0).
func NewPool(n, queueLen int) *Pool {
	n = max(n, 1)
	if queueLen <= 0 {
		queueLen = 1024
	}
	p := &Pool{tasks: make(chan Task, queueLen)}
	p.wg.Add(n)
	for range n {
		go func() {
			defer p.wg.Done()
			for t := range p.tasks {
				t.Run()
			}
		}()
	}
	return p
}

// Execute queues t, or fails with ErrQueueFull.
func (p *Pool) Execute(_ uint64, t Task) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.done {
		return ErrExecutorClosed
	}
	select {
	case p.tasks <- t:
		return nil
	default:
		return ErrQueueFull
	}
}

// ExecuteWait queues t, waiting for room.
func (p *Pool) ExecuteWait(_ uint64, t Task) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.done {
		return ErrExecutorClosed
	}
	p.tasks <- t
	return nil
}

// Close lets queued tasks finish and stops the workers.
func (p *Pool) Close() {
	p.mu.Lock()
	if !p.done {
		p.done = true
		close(p.tasks)
	}
	p.mu.Unlock()
	p.wg.Wait()
}
