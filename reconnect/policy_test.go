package reconnect

import (
	"math"
	"testing"
	"time"
)

// Every policy of the package implements Policy.
var (
	_ Policy = Backoff{}
	_ Policy = Constant{}
	_ Policy = Exponential{}
	_ Policy = Never{}
	_ Policy = PolicyFunc(nil)
)

func TestPolicyFunc(t *testing.T) {
	var calls []int
	p := PolicyFunc(func(attempt int) (time.Duration, bool) {
		calls = append(calls, attempt)
		return time.Duration(attempt) * time.Second, attempt < 3
	})
	for attempt, want := range map[int]struct {
		d  time.Duration
		ok bool
	}{1: {time.Second, true}, 3: {3 * time.Second, false}} {
		d, ok := p.Next(attempt)
		if d != want.d || ok != want.ok {
			t.Errorf("Next(%d) = %v, %v; want %v, %v", attempt, d, ok, want.d, want.ok)
		}
	}
	if len(calls) != 2 {
		t.Errorf("function called %d times, want 2", len(calls))
	}
}

func TestNever(t *testing.T) {
	var p Policy = Never{}
	for _, attempt := range []int{-1, 0, 1, 2, 1000} {
		if d, ok := p.Next(attempt); d != 0 || ok {
			t.Errorf("Never.Next(%d) = %v, %v; want 0, false", attempt, d, ok)
		}
	}
}

// TestAttempts checks the Attempts semantics shared by all limited policies:
// n allows attempts 1..n, Forever allows all, 0 none, and values below -1
// none (as stomp.py's comparison would).
func TestAttempts(t *testing.T) {
	policies := map[string]func(attempts int) Policy{
		"Backoff": func(n int) Policy {
			b := DefaultBackoff()
			b.Attempts = n
			return b
		},
		"Constant": func(n int) Policy { return Constant{Delay: time.Second, Attempts: n} },
		"Exponential": func(n int) Policy {
			return Exponential{Initial: time.Second, Multiplier: 2, Attempts: n}
		},
	}
	tests := []struct {
		attempts int
		ok       map[int]bool // attempt -> want ok
	}{
		{3, map[int]bool{-5: true, 0: true, 1: true, 2: true, 3: true, 4: false, 100: false}},
		{1, map[int]bool{1: true, 2: false}},
		{0, map[int]bool{0: false, 1: false, 2: false}},
		{Forever, map[int]bool{0: true, 1: true, 4: true, 1 << 20: true, math.MaxInt: true}},
		{-2, map[int]bool{1: false, 2: false}},
	}
	for name, mk := range policies {
		for _, tt := range tests {
			p := mk(tt.attempts)
			for attempt, want := range tt.ok {
				d, ok := p.Next(attempt)
				if ok != want {
					t.Errorf("%s{Attempts: %d}.Next(%d) ok = %v, want %v", name, tt.attempts, attempt, ok, want)
				}
				if !ok && d != 0 {
					t.Errorf("%s{Attempts: %d}.Next(%d) = %v with ok=false, want 0", name, tt.attempts, attempt, d)
				}
			}
		}
	}
}

func TestToDuration(t *testing.T) {
	tests := []struct {
		ns   float64
		want time.Duration
	}{
		{0, 0},
		{-1, 0},
		{math.NaN(), 0},
		{math.Inf(-1), 0},
		{1.4, 1},
		{1.5, 2},
		{float64(time.Hour), time.Hour},
		{float64(maxDuration), maxDuration},
		{1e30, maxDuration},
		{math.Inf(1), maxDuration},
	}
	for _, tt := range tests {
		if got := toDuration(tt.ns); got != tt.want {
			t.Errorf("toDuration(%v) = %v, want %v", tt.ns, got, tt.want)
		}
	}
}

func TestDraw(t *testing.T) {
	tests := []struct {
		name string
		u    float64
		want float64
	}{
		{"zero", 0, 0},
		{"half", 0.5, 0.5},
		{"one", 1, 1},
		{"negative", -0.5, 0},
		{"above one", 3, 1},
		{"NaN", math.NaN(), 0},
	}
	for _, tt := range tests {
		if got := draw(func() float64 { return tt.u }); got != tt.want {
			t.Errorf("%s: draw(%v) = %v, want %v", tt.name, tt.u, got, tt.want)
		}
	}
	for range 1000 {
		if u := draw(nil); u < 0 || u >= 1 {
			t.Fatalf("draw(nil) = %v, want [0, 1)", u)
		}
	}
}
