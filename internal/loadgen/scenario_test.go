package loadgen

import (
	"errors"
	"testing"
	"time"
)

func TestDefaultScenarioIsValid(t *testing.T) {
	s := DefaultScenario()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Connections() != 8 || s.FanOut(0) != 1 {
		t.Fatalf("connections %d, fan-out %d", s.Connections(), s.FanOut(0))
	}
}

func TestValidateRefuses(t *testing.T) {
	for name, edit := range map[string]func(*Scenario){
		"no connection":      func(s *Scenario) { s.Producers, s.Consumers = 0, 0 },
		"bad kind":           func(s *Scenario) { s.Kind = "exchange" },
		"size below header":  func(s *Scenario) { s.MinSize, s.MaxSize = 8, 8 },
		"inverted range":     func(s *Scenario) { s.MinSize, s.MaxSize = 300, 200 },
		"no length":          func(s *Scenario) { s.Duration, s.Messages = 0, 0 },
		"negative rate":      func(s *Scenario) { s.Rate = -1 },
		"receipts and tx":    func(s *Scenario) { s.Receipts, s.Transaction = true, 10 },
		"bad ack":            func(s *Scenario) { s.Ack = "sometimes" },
		"bad executor":       func(s *Scenario) { s.Executor = "threads" },
		"zero concurrency":   func(s *Scenario) { s.Concurrency = 0 },
		"zero destinations":  func(s *Scenario) { s.Destinations = 0 },
		"negative warm-up":   func(s *Scenario) { s.Warmup = -time.Second },
		"negative consumers": func(s *Scenario) { s.Consumers = -1 },
	} {
		s := DefaultScenario()
		edit(&s)
		if err := s.Validate(); !errors.Is(err, ErrInvalidScenario) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFanOutSpreadsConsumersOverDestinations(t *testing.T) {
	s := DefaultScenario()
	s.Kind, s.Producers, s.Consumers, s.Destinations = Topic, 3, 7, 3
	// Destinations 0, 1, 2 get consumers {0,3,6}, {1,4}, {2,5}.
	for p, want := range []int{3, 2, 2} {
		if got := s.FanOut(p); got != want {
			t.Errorf("producer %d: fan-out %d, want %d", p, got, want)
		}
	}
	s.Kind = Queue
	if s.FanOut(0) != 1 {
		t.Error("a queue delivers once")
	}
	if s.consumerExecutor() != ExecInline {
		t.Error("auto ack keeps the inline executor")
	}
	s.Ack = AckClient
	if s.consumerExecutor() != ExecSerial {
		t.Error("acknowledging consumers must not run on the loop")
	}
}

func TestParseSourceIPs(t *testing.T) {
	got, err := ParseSourceIPs("127.0.0.2-127.0.0.4, 127.0.1.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.1.1"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v", got)
		}
	}
	for _, bad := range []string{"", "127.0.0.5-127.0.0.2", "nope", "127.0.0.1-::1", "10.0.0.0-10.1.0.0"} {
		if _, err := ParseSourceIPs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[int64]string{812: "812ns", 23_456: "23.5µs", 1_250_000: "1.25ms", 3_100_000_000: "3.10s", 456_000: "456µs"} {
		if got := FormatDuration(in); got != want {
			t.Errorf("FormatDuration(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 123456: "123,456"} {
		if got := FormatCount(in); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", in, got, want)
		}
	}
}
