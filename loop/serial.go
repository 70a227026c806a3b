package loop

import (
	"runtime"
	"sync"
)

// SerialConfig configures a [Serial] executor.
type SerialConfig struct {
	// Workers bounds the number of worker goroutines (default
	// max(8, 4 × GOMAXPROCS)). Workers start on demand and stay until
	// Close. A handler that blocks holds one worker; the others keep
	// serving the other connections.
	Workers int
	// QueueLen bounds the tasks waiting per key (default 4096).
	QueueLen int
	// Batch is how many tasks of one key a worker runs before it lets
	// other keys have a turn (default 64).
	Batch int
}

// Serial runs the tasks of each key in submission order, one at a time, on
// a bounded pool of workers: the default executor. Keys with no pending
// task cost nothing.
type Serial struct {
	cfg     SerialConfig
	mu      sync.Mutex
	cond    sync.Cond
	boxes   map[uint64]*mailbox
	ready   []*mailbox // FIFO of mailboxes with work and no worker
	head    int
	workers int
	idle    int
	closed  bool
	wg      sync.WaitGroup
}

type mailbox struct {
	key     uint64
	tasks   []Task
	head    int
	running bool // a worker owns it
	queued  bool // it is in the ready list
	room    *sync.Cond
}

// NewSerial returns a serial executor.
func NewSerial(cfg SerialConfig) *Serial {
	if cfg.Workers <= 0 {
		cfg.Workers = max(8, 4*runtime.GOMAXPROCS(0))
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 4096
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 64
	}
	s := &Serial{cfg: cfg, boxes: make(map[uint64]*mailbox)}
	s.cond.L = &s.mu
	return s
}

// Execute queues t behind the earlier tasks of key, or fails with
// ErrQueueFull when key already has QueueLen tasks waiting.
func (s *Serial) Execute(key uint64, t Task) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(key, t, false)
}

// ExecuteWait is Execute that waits for room instead of failing.
func (s *Serial) ExecuteWait(key uint64, t Task) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(key, t, true)
}

func (s *Serial) put(key uint64, t Task, wait bool) error {
	for {
		if s.closed {
			return ErrExecutorClosed
		}
		mb := s.boxes[key]
		if mb == nil {
			mb = &mailbox{key: key}
			s.boxes[key] = mb
		}
		if len(mb.tasks)-mb.head < s.cfg.QueueLen {
			if mb.head > 0 && mb.head >= len(mb.tasks)/2 {
				n := copy(mb.tasks, mb.tasks[mb.head:])
				clear(mb.tasks[n:])
				mb.tasks, mb.head = mb.tasks[:n], 0
			}
			mb.tasks = append(mb.tasks, t)
			if !mb.running && !mb.queued {
				s.schedule(mb)
			}
			return nil
		}
		if !wait {
			return ErrQueueFull
		}
		if mb.room == nil {
			mb.room = sync.NewCond(&s.mu)
		}
		mb.room.Wait()
	}
}

// schedule puts mb on the ready list and makes sure a worker will take it.
func (s *Serial) schedule(mb *mailbox) {
	mb.queued = true
	s.ready = append(s.ready, mb)
	switch {
	case s.idle > 0:
		s.cond.Signal()
	case s.workers < s.cfg.Workers:
		s.workers++
		s.wg.Add(1)
		go s.work()
	}
}

func (s *Serial) work() {
	defer s.wg.Done()
	batch := make([]Task, 0, s.cfg.Batch)
	s.mu.Lock()
	for {
		for s.head == len(s.ready) && !s.closed {
			s.idle++
			s.cond.Wait()
			s.idle--
		}
		if s.head == len(s.ready) { // closed and nothing left
			s.workers--
			s.mu.Unlock()
			return
		}
		mb := s.ready[s.head]
		s.ready[s.head] = nil
		s.head++
		if s.head == len(s.ready) {
			s.ready, s.head = s.ready[:0], 0
		}
		mb.queued, mb.running = false, true
		n := min(len(mb.tasks)-mb.head, s.cfg.Batch)
		batch = append(batch[:0], mb.tasks[mb.head:mb.head+n]...)
		clear(mb.tasks[mb.head : mb.head+n])
		mb.head += n
		if mb.room != nil {
			mb.room.Broadcast()
		}
		s.mu.Unlock()
		for i, t := range batch {
			t.Run()
			batch[i] = nil
		}
		s.mu.Lock()
		mb.running = false
		switch {
		case mb.head < len(mb.tasks):
			s.schedule(mb)
		case mb.room == nil:
			delete(s.boxes, mb.key) // idle keys cost nothing
		default:
			mb.tasks, mb.head = mb.tasks[:0], 0
		}
	}
}

// Close stops taking tasks, lets the queued ones run and waits for the
// workers to end.
func (s *Serial) Close() {
	s.mu.Lock()
	s.closed = true
	s.cond.Broadcast()
	for _, mb := range s.boxes {
		if mb.room != nil {
			mb.room.Broadcast()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Pending returns the number of tasks waiting for key.
func (s *Serial) Pending(key uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mb := s.boxes[key]; mb != nil {
		return len(mb.tasks) - mb.head
	}
	return 0
}
