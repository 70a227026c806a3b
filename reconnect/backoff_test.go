package reconnect

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// almostOne is the largest float64 below 1, the largest value Rand may
// return.
var almostOne = math.Nextafter(1, 0)

func fixed(u float64) func() float64 { return func() float64 { return u } }

func TestDefaultBackoff(t *testing.T) {
	b := DefaultBackoff()
	want := Backoff{Initial: 100 * time.Millisecond, Increase: 0.5, Jitter: 0.1, Max: 60 * time.Second, Attempts: 3}
	if b.Initial != want.Initial || b.Increase != want.Increase || b.Jitter != want.Jitter ||
		b.Max != want.Max || b.Attempts != want.Attempts || b.Rand != nil {
		t.Errorf("DefaultBackoff() = %+v, want %+v", b, want)
	}
	if err := b.Validate(); err != nil {
		t.Errorf("DefaultBackoff().Validate() = %v", err)
	}
}

// TestBackoffSequence checks the stomp.py sequence without jitter, computed
// by hand: 0.1 s · 1.5^(n-1), capped at 60 s from n = 17 on
// (0.1·1.5^15 ≈ 43.8 s, 0.1·1.5^16 ≈ 65.7 s).
func TestBackoffSequence(t *testing.T) {
	b := DefaultBackoff()
	b.Attempts = Forever
	b.Rand = fixed(0)
	want := map[int]time.Duration{
		1:           100 * time.Millisecond,
		2:           150 * time.Millisecond,
		3:           225 * time.Millisecond,
		4:           337500 * time.Microsecond,
		5:           506250 * time.Microsecond,
		6:           759375 * time.Microsecond,
		7:           1139062500 * time.Nanosecond,
		8:           1708593750 * time.Nanosecond,
		9:           2562890625 * time.Nanosecond,
		10:          3844335938 * time.Nanosecond,  // 3844335937.5 rounded
		15:          29192926025 * time.Nanosecond, // 0.1·1.5^14 = 29.19292602539…
		16:          43789389038 * time.Nanosecond, // 0.1·1.5^15 = 43.78938903808…
		17:          60 * time.Second,
		18:          60 * time.Second,
		1000:        60 * time.Second,
		math.MaxInt: 60 * time.Second, // 1.5^huge overflows to +Inf: still capped
	}
	for attempt, w := range want {
		d, ok := b.Next(attempt)
		if !ok || d != w {
			t.Errorf("Next(%d) = %v, %v; want %v, true", attempt, d, ok, w)
		}
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	base := DefaultBackoff()
	base.Attempts = Forever
	tests := []struct {
		name    string
		u       float64
		attempt int
		want    time.Duration
	}{
		{"min first", 0, 1, 100 * time.Millisecond},
		{"max first", almostOne, 1, 110 * time.Millisecond},
		{"half first", 0.5, 1, 105 * time.Millisecond},
		{"half second", 0.5, 2, 157500 * time.Microsecond},
		{"half third", 0.5, 3, 236250 * time.Microsecond},
		{"min capped", 0, 40, 60 * time.Second},
		// Jitter applies after the cap: up to 66 s with the defaults.
		{"max capped", almostOne, 40, 66 * time.Second},
		{"clamped above one", 7, 40, 66 * time.Second},
		{"clamped below zero", -7, 40, 60 * time.Second},
	}
	for _, tt := range tests {
		b := base
		b.Rand = fixed(tt.u)
		d, ok := b.Next(tt.attempt)
		// Allow one nanosecond for float rounding of u·Jitter.
		if !ok || d < tt.want-1 || d > tt.want+1 {
			t.Errorf("%s: Next(%d) with u=%v = %v, %v; want %v, true", tt.name, tt.attempt, tt.u, d, ok, tt.want)
		}
	}

	// With the real random source every delay stays within
	// [base, base·(1+Jitter)).
	b := base
	for attempt := 1; attempt <= 30; attempt++ {
		lo := min(60*time.Second, time.Duration(float64(100*time.Millisecond)*math.Pow(1.5, float64(attempt-1))))
		hi := time.Duration(float64(lo) * 1.1)
		for range 50 {
			d, _ := b.Next(attempt)
			if d < lo-1 || d > hi+1 {
				t.Fatalf("Next(%d) = %v, want in [%v, %v)", attempt, d, lo, hi)
			}
		}
	}
}

func TestBackoffRandNotCalledWithoutJitter(t *testing.T) {
	calls := 0
	b := Backoff{Initial: time.Second, Max: time.Minute, Attempts: 1, Rand: func() float64 { calls++; return 0.5 }}
	if d, ok := b.Next(1); d != time.Second || !ok {
		t.Errorf("Next(1) = %v, %v; want 1s, true", d, ok)
	}
	b.Jitter = 0.2
	if d, _ := b.Next(1); d != 1100*time.Millisecond {
		t.Errorf("Next(1) with jitter = %v, want 1.1s", d)
	}
	if calls != 1 {
		t.Errorf("Rand called %d times, want 1", calls)
	}
}

func TestBackoffEdgeConfigs(t *testing.T) {
	tests := []struct {
		name    string
		b       Backoff
		attempt int
		want    time.Duration
	}{
		{"increase 0 is constant", Backoff{Initial: time.Second, Max: time.Minute, Attempts: -1}, 10, time.Second},
		{"increase 1 doubles", Backoff{Initial: time.Second, Increase: 1, Max: time.Minute, Attempts: -1}, 4, 8 * time.Second},
		{"zero max is literal", Backoff{Initial: time.Second, Increase: 1, Attempts: -1}, 3, 0},
		{"zero initial, huge attempt", Backoff{Increase: 0.5, Max: time.Minute, Attempts: -1}, math.MaxInt, 0},
		{"initial above max", Backoff{Initial: time.Hour, Max: time.Minute, Attempts: 1}, 1, time.Minute},
		{"huge max saturates", Backoff{Initial: time.Hour, Increase: 1, Max: maxDuration, Attempts: -1}, 1000, maxDuration},
		// Invalid values are sanitized rather than trusted.
		{"negative initial", Backoff{Initial: -time.Second, Max: time.Minute, Attempts: 1}, 1, 0},
		{"negative max", Backoff{Initial: time.Second, Max: -time.Minute, Attempts: 1}, 1, 0},
		{"negative increase", Backoff{Initial: time.Second, Increase: -0.9, Max: time.Minute, Attempts: -1}, 5, time.Second},
		{"NaN increase", Backoff{Initial: time.Second, Increase: math.NaN(), Max: time.Minute, Attempts: -1}, 5, time.Second},
		{"NaN jitter", Backoff{Initial: time.Second, Jitter: math.NaN(), Max: time.Minute, Attempts: 1, Rand: fixed(1)}, 1, time.Second},
		{"negative jitter", Backoff{Initial: time.Second, Jitter: -1, Max: time.Minute, Attempts: 1, Rand: fixed(1)}, 1, time.Second},
	}
	for _, tt := range tests {
		d, ok := tt.b.Next(tt.attempt)
		if !ok || d != tt.want {
			t.Errorf("%s: Next(%d) = %v, %v; want %v, true", tt.name, tt.attempt, d, ok, tt.want)
		}
	}
}

func TestBackoffValidate(t *testing.T) {
	ok := DefaultBackoff()
	tests := []struct {
		name  string
		edit  func(*Backoff)
		field string // "" means valid
	}{
		{"defaults", func(*Backoff) {}, ""},
		{"zero value", func(b *Backoff) { *b = Backoff{} }, ""},
		{"forever", func(b *Backoff) { b.Attempts = Forever }, ""},
		{"jitter above one", func(b *Backoff) { b.Jitter = 2 }, ""},
		{"negative initial", func(b *Backoff) { b.Initial = -1 }, "Backoff.Initial"},
		{"negative max", func(b *Backoff) { b.Max = -time.Second }, "Backoff.Max"},
		{"negative increase", func(b *Backoff) { b.Increase = -0.1 }, "Backoff.Increase"},
		{"NaN increase", func(b *Backoff) { b.Increase = math.NaN() }, "Backoff.Increase"},
		{"infinite increase", func(b *Backoff) { b.Increase = math.Inf(1) }, "Backoff.Increase"},
		{"negative jitter", func(b *Backoff) { b.Jitter = -0.1 }, "Backoff.Jitter"},
		{"NaN jitter", func(b *Backoff) { b.Jitter = math.NaN() }, "Backoff.Jitter"},
		{"attempts -2", func(b *Backoff) { b.Attempts = -2 }, "Backoff.Attempts"},
		{"first error wins", func(b *Backoff) { b.Initial, b.Attempts = -1, -5 }, "Backoff.Initial"},
	}
	for _, tt := range tests {
		b := ok
		tt.edit(&b)
		checkValidate(t, tt.name, b.Validate(), tt.field)
	}
}

// checkValidate checks a Validate result: nil if field is "", otherwise an
// ErrInvalidPolicy naming field.
func checkValidate(t *testing.T, name string, err error, field string) {
	t.Helper()
	switch {
	case field == "" && err != nil:
		t.Errorf("%s: Validate() = %v, want nil", name, err)
	case field == "":
	case !errors.Is(err, ErrInvalidPolicy):
		t.Errorf("%s: Validate() = %v, want an ErrInvalidPolicy", name, err)
	case !strings.HasPrefix(err.Error(), "reconnect: invalid policy: "+field+" "):
		t.Errorf("%s: Validate() = %q, want it to name %s", name, err, field)
	}
}
