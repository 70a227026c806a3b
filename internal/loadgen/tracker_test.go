package loadgen

import "testing"

func TestWindowCountsDuplicatesAndSlides(t *testing.T) {
	w := newWindow(128)
	for seq := range uint64(300) {
		if w.record(seq) {
			t.Fatalf("seq %d: a first arrival counted as duplicate", seq)
		}
	}
	if !w.record(299) || !w.record(200) {
		t.Fatal("a repeat inside the window is not a duplicate")
	}
	if w.record(10) { // fell behind the window: cannot be checked
		t.Fatal("a number behind the window counted as duplicate")
	}
	if w.unique != 301 || w.dups != 2 || w.reordered != 1 {
		t.Fatalf("unique %d dups %d reordered %d", w.unique, w.dups, w.reordered)
	}
	// A jump far ahead clears everything behind it.
	if w.record(100000) || w.record(99990) {
		t.Fatal("fresh numbers after a jump counted as duplicates")
	}
	if !w.record(100000) {
		t.Fatal("repeat after a jump not detected")
	}
}

func TestTrackerGroupsByKind(t *testing.T) {
	s := DefaultScenario()
	s.Producers, s.Consumers, s.Destinations = 2, 4, 2
	s.Kind = Topic
	tr := newTracker(7, &s)
	h := payloadHeader{run: 7, producer: 1, seq: 5}
	// Producer 1 sends to destination 1, read by consumers 1 and 3.
	if tr.record(1, &h) != fresh || tr.record(3, &h) != fresh {
		t.Fatal("each topic subscriber sees every message once")
	}
	if tr.record(1, &h) != duplicate {
		t.Fatal("a second copy to the same subscriber is a duplicate")
	}
	if tr.record(0, &h) != garbage {
		t.Fatal("consumer 0 does not read producer 1's destination")
	}
	other := payloadHeader{run: 8}
	if tr.record(0, &other) != foreign {
		t.Fatal("another run's message is foreign")
	}

	s.Kind = Queue
	tq := newTracker(7, &s)
	if tq.record(0, &h) != fresh || tq.record(2, &h) != duplicate {
		t.Fatal("on a queue, any two consumers getting one message is a duplicate")
	}
	unique, dups, _ := tq.totals()
	if unique != 1 || dups != 1 {
		t.Fatalf("totals: unique %d dups %d", unique, dups)
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	b := newPayload(64)
	in := payloadHeader{run: 0xdeadbeef, producer: 42, seq: 1 << 40, stamp: -5}
	in.put(b)
	var out payloadHeader
	if !out.parse(b) || out != in {
		t.Fatalf("got %+v, want %+v", out, in)
	}
	if out.parse(b[:HeaderSize-1]) || out.parse(make([]byte, 64)) {
		t.Fatal("a short or foreign body parsed")
	}
}

func BenchmarkConsumerPath(b *testing.B) {
	s := DefaultScenario()
	s.Producers, s.Consumers = 1, 1
	tr := newTracker(1, &s)
	rec := newRecorder(1, 1, 4)
	buf := newPayload(256)
	b.ReportAllocs()
	for i := range b.N {
		h := payloadHeader{run: 1, seq: uint64(i), stamp: 1}
		h.put(buf)
		var got payloadHeader
		got.parse(buf)
		tr.record(0, &got)
		rec.latency(0, 12345)
	}
}
