package reconnect

import (
	"testing"
	"time"
)

func TestConstant(t *testing.T) {
	tests := []struct {
		name    string
		c       Constant
		attempt int
		want    time.Duration
		ok      bool
	}{
		{"first", Constant{Delay: 2 * time.Second, Attempts: 3}, 1, 2 * time.Second, true},
		{"last", Constant{Delay: 2 * time.Second, Attempts: 3}, 3, 2 * time.Second, true},
		{"exhausted", Constant{Delay: 2 * time.Second, Attempts: 3}, 4, 0, false},
		{"forever", Constant{Delay: time.Millisecond, Attempts: Forever}, 1e6, time.Millisecond, true},
		{"zero delay", Constant{Attempts: 1}, 1, 0, true},
		{"negative delay", Constant{Delay: -time.Second, Attempts: 1}, 1, 0, true},
		{"zero value", Constant{}, 1, 0, false},
	}
	for _, tt := range tests {
		d, ok := tt.c.Next(tt.attempt)
		if d != tt.want || ok != tt.ok {
			t.Errorf("%s: Next(%d) = %v, %v; want %v, %v", tt.name, tt.attempt, d, ok, tt.want, tt.ok)
		}
	}
}

func TestConstantValidate(t *testing.T) {
	tests := []struct {
		name  string
		c     Constant
		field string
	}{
		{"valid", Constant{Delay: time.Second, Attempts: 5}, ""},
		{"zero value", Constant{}, ""},
		{"forever", Constant{Attempts: Forever}, ""},
		{"negative delay", Constant{Delay: -1}, "Constant.Delay"},
		{"attempts -2", Constant{Attempts: -2}, "Constant.Attempts"},
	}
	for _, tt := range tests {
		checkValidate(t, tt.name, tt.c.Validate(), tt.field)
	}
}
