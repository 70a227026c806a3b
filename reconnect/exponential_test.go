package reconnect

import (
	"math"
	"testing"
	"time"
)

func TestExponentialSequence(t *testing.T) {
	e := Exponential{Initial: time.Second, Multiplier: 2, Max: 30 * time.Second, Attempts: Forever}
	want := map[int]time.Duration{
		1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second,
		5: 16 * time.Second, 6: 30 * time.Second, 7: 30 * time.Second, math.MaxInt: 30 * time.Second,
	}
	for attempt, w := range want {
		if d, ok := e.Next(attempt); !ok || d != w {
			t.Errorf("Next(%d) = %v, %v; want %v, true", attempt, d, ok, w)
		}
	}
}

func TestExponentialJitter(t *testing.T) {
	// Jitter removes up to Jitter·base: delay ∈ (base·(1-Jitter), base].
	tests := []struct {
		name    string
		jitter  float64
		u       float64
		attempt int
		want    time.Duration
	}{
		{"u=0 keeps base", 0.5, 0, 3, 4 * time.Second},
		{"u≈1 equal jitter", 0.5, almostOne, 3, 2 * time.Second},
		{"u=0.5 equal jitter", 0.5, 0.5, 3, 3 * time.Second},
		{"full jitter u≈1", 1, almostOne, 3, 0},
		{"full jitter u=0.25", 1, 0.25, 3, 3 * time.Second},
		{"capped then jittered", 0.5, 0.5, 10, 7500 * time.Millisecond},
		{"jitter above 1 clamped", 5, 0.5, 1, 500 * time.Millisecond},
		{"negative jitter ignored", -1, 0.5, 1, time.Second},
	}
	for _, tt := range tests {
		e := Exponential{Initial: time.Second, Multiplier: 2, Max: 10 * time.Second, Jitter: tt.jitter,
			Attempts: Forever, Rand: fixed(tt.u)}
		d, ok := e.Next(tt.attempt)
		if !ok || d < tt.want-1 || d > tt.want+1 {
			t.Errorf("%s: Next(%d) = %v, %v; want %v, true", tt.name, tt.attempt, d, ok, tt.want)
		}
	}

	// With the real random source delays stay within (base/2, base].
	e := Exponential{Initial: time.Second, Multiplier: 2, Max: 10 * time.Second, Jitter: 0.5, Attempts: Forever}
	for attempt := 1; attempt <= 8; attempt++ {
		hi := min(10*time.Second, time.Second<<(attempt-1))
		for range 50 {
			if d, _ := e.Next(attempt); d <= hi/2 || d > hi {
				t.Fatalf("Next(%d) = %v, want in (%v, %v]", attempt, d, hi/2, hi)
			}
		}
	}
}

func TestExponentialEdgeConfigs(t *testing.T) {
	tests := []struct {
		name    string
		e       Exponential
		attempt int
		want    time.Duration
	}{
		{"no cap saturates", Exponential{Initial: time.Second, Multiplier: 10, Attempts: -1}, 100, maxDuration},
		{"no cap grows", Exponential{Initial: time.Second, Multiplier: 3, Attempts: -1}, 3, 9 * time.Second},
		{"multiplier 1 constant", Exponential{Initial: time.Second, Multiplier: 1, Attempts: -1}, 50, time.Second},
		{"zero multiplier as 1", Exponential{Initial: time.Second, Attempts: -1}, 5, time.Second},
		{"shrinking multiplier as 1", Exponential{Initial: time.Second, Multiplier: 0.5, Attempts: -1}, 5, time.Second},
		{"NaN multiplier as 1", Exponential{Initial: time.Second, Multiplier: math.NaN(), Attempts: -1}, 5, time.Second},
		{"Inf multiplier as 1", Exponential{Initial: time.Second, Multiplier: math.Inf(1), Attempts: -1}, 5, time.Second},
		{"zero initial", Exponential{Multiplier: 2, Max: time.Minute, Attempts: -1}, math.MaxInt, 0},
		{"negative initial", Exponential{Initial: -time.Second, Multiplier: 2, Attempts: 1}, 1, 0},
		{"negative max ignored", Exponential{Initial: time.Second, Multiplier: 2, Max: -1, Attempts: -1}, 2, 2 * time.Second},
	}
	for _, tt := range tests {
		d, ok := tt.e.Next(tt.attempt)
		if !ok || d != tt.want {
			t.Errorf("%s: Next(%d) = %v, %v; want %v, true", tt.name, tt.attempt, d, ok, tt.want)
		}
	}
}

func TestExponentialValidate(t *testing.T) {
	valid := Exponential{Initial: time.Second, Multiplier: 2, Max: time.Minute, Jitter: 0.5, Attempts: 5}
	tests := []struct {
		name  string
		edit  func(*Exponential)
		field string
	}{
		{"valid", func(*Exponential) {}, ""},
		{"no cap", func(e *Exponential) { e.Max = 0 }, ""},
		{"full jitter", func(e *Exponential) { e.Jitter = 1 }, ""},
		{"forever", func(e *Exponential) { e.Attempts = Forever }, ""},
		{"zero value", func(e *Exponential) { *e = Exponential{} }, "Exponential.Multiplier"},
		{"negative initial", func(e *Exponential) { e.Initial = -1 }, "Exponential.Initial"},
		{"multiplier below 1", func(e *Exponential) { e.Multiplier = 0.9 }, "Exponential.Multiplier"},
		{"NaN multiplier", func(e *Exponential) { e.Multiplier = math.NaN() }, "Exponential.Multiplier"},
		{"infinite multiplier", func(e *Exponential) { e.Multiplier = math.Inf(1) }, "Exponential.Multiplier"},
		{"negative max", func(e *Exponential) { e.Max = -1 }, "Exponential.Max"},
		{"negative jitter", func(e *Exponential) { e.Jitter = -0.1 }, "Exponential.Jitter"},
		{"jitter above 1", func(e *Exponential) { e.Jitter = 1.1 }, "Exponential.Jitter"},
		{"NaN jitter", func(e *Exponential) { e.Jitter = math.NaN() }, "Exponential.Jitter"},
		{"attempts -2", func(e *Exponential) { e.Attempts = -2 }, "Exponential.Attempts"},
	}
	for _, tt := range tests {
		e := valid
		tt.edit(&e)
		checkValidate(t, tt.name, e.Validate(), tt.field)
	}
}
