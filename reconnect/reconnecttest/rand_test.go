package reconnecttest

import (
	"sync"
	"testing"
)

func TestFixedRand(t *testing.T) {
	r := FixedRand(0.25)
	for range 3 {
		if u := r(); u != 0.25 {
			t.Fatalf("FixedRand(0.25)() = %v", u)
		}
	}
}

func TestSequenceRand(t *testing.T) {
	in := []float64{0, 0.5, 0.9}
	r := SequenceRand(in...)
	in[0] = 7 // the caller's slice is copied
	want := []float64{0, 0.5, 0.9, 0, 0.5}
	for i, w := range want {
		if u := r(); u != w {
			t.Errorf("call %d = %v, want %v", i, u, w)
		}
	}

	// Safe for concurrent use (run with -race).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				r()
			}
		})
	}
	wg.Wait()
}

func TestSequenceRandEmpty(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("SequenceRand() did not panic")
		}
	}()
	SequenceRand()
}
