package loop

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSerialKeepsOrderPerKey(t *testing.T) {
	s := NewSerial(SerialConfig{Workers: 4, Batch: 3})
	defer s.Close()
	const keys, per = 20, 500
	var mu sync.Mutex
	got := make(map[uint64][]int)
	var wg sync.WaitGroup
	wg.Add(keys * per)
	for i := range per {
		for k := range uint64(keys) {
			if err := s.Execute(k, TaskFunc(func() {
				mu.Lock()
				got[k] = append(got[k], i)
				mu.Unlock()
				wg.Done()
			})); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	for k, seq := range got {
		for i, v := range seq {
			if v != i {
				t.Fatalf("key %d ran %d at position %d", k, v, i)
			}
		}
	}
}

func TestSerialOneKeyAtATime(t *testing.T) {
	s := NewSerial(SerialConfig{Workers: 8, Batch: 1})
	defer s.Close()
	var running, overlap atomic.Int32
	var wg sync.WaitGroup
	for range 2000 {
		wg.Add(1)
		s.Execute(7, TaskFunc(func() {
			if running.Add(1) > 1 {
				overlap.Add(1)
			}
			running.Add(-1)
			wg.Done()
		}))
	}
	wg.Wait()
	if overlap.Load() != 0 {
		t.Fatalf("%d tasks of one key overlapped", overlap.Load())
	}
}

func TestSerialSlowKeyDoesNotStallOthers(t *testing.T) {
	s := NewSerial(SerialConfig{Workers: 2})
	defer s.Close()
	release := make(chan struct{})
	s.Execute(1, TaskFunc(func() { <-release }))
	done := make(chan struct{})
	s.Execute(2, TaskFunc(func() { close(done) }))
	<-done // key 2 ran while key 1 is stuck
	close(release)
}

func TestSerialQueueBound(t *testing.T) {
	s := NewSerial(SerialConfig{Workers: 1, QueueLen: 2})
	defer s.Close()
	release := make(chan struct{})
	started := make(chan struct{})
	s.Execute(1, TaskFunc(func() { close(started); <-release }))
	<-started
	s.Execute(1, TaskFunc(func() {}))
	s.Execute(1, TaskFunc(func() {}))
	if err := s.Execute(1, TaskFunc(func() {})); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("third queued task: %v", err)
	}
	if s.Pending(1) != 2 {
		t.Fatalf("pending %d", s.Pending(1))
	}
	waited := make(chan error)
	go func() { waited <- s.ExecuteWait(1, TaskFunc(func() {})) }()
	close(release)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
}

func TestSerialCloseRunsQueuedAndRefusesNew(t *testing.T) {
	s := NewSerial(SerialConfig{})
	var ran atomic.Int32
	for i := range 100 {
		s.Execute(uint64(i%3), TaskFunc(func() { ran.Add(1) }))
	}
	s.Close()
	if ran.Load() != 100 {
		t.Fatalf("%d of 100 ran", ran.Load())
	}
	if err := s.Execute(1, TaskFunc(func() {})); !errors.Is(err, ErrExecutorClosed) {
		t.Fatal(err)
	}
}

func TestOtherExecutors(t *testing.T) {
	var ran atomic.Int32
	task := TaskFunc(func() { ran.Add(1) })

	Inline{}.Execute(0, task)
	if ran.Load() != 1 {
		t.Fatal("Inline did not run")
	}

	var started atomic.Int32
	f := ExecutorFunc(func(run func()) { started.Add(1); run() })
	f.Execute(0, task)
	f.Close()
	if started.Load() != 1 || ran.Load() != 2 {
		t.Fatal("ExecutorFunc")
	}

	g := NewGoroutine()
	for range 10 {
		g.Execute(0, task)
	}
	g.Close()
	if ran.Load() != 12 {
		t.Fatalf("Goroutine: %d", ran.Load())
	}
	if err := g.Execute(0, task); !errors.Is(err, ErrExecutorClosed) {
		t.Fatal(err)
	}

	p := NewPool(2, 1)
	block := make(chan struct{})
	p.Execute(0, TaskFunc(func() { <-block }))
	p.Execute(0, TaskFunc(func() { <-block }))
	// Both workers are busy: the queue of one fills, then refuses.
	var full bool
	for range 10 {
		if err := p.Execute(0, task); errors.Is(err, ErrQueueFull) {
			full = true
			break
		}
	}
	close(block)
	if !full {
		t.Fatal("Pool never refused")
	}
	p.ExecuteWait(0, task)
	p.Close()
	if err := p.Execute(0, task); !errors.Is(err, ErrExecutorClosed) {
		t.Fatal(err)
	}
}

func BenchmarkSerial(b *testing.B) {
	s := NewSerial(SerialConfig{})
	defer s.Close()
	var wg sync.WaitGroup
	wg.Add(b.N)
	task := TaskFunc(wg.Done)
	b.ReportAllocs()
	for i := range b.N {
		for s.Execute(uint64(i&15), task) != nil {
		}
	}
	wg.Wait()
}
