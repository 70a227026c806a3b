package handlers

import "testing"

func TestRing(t *testing.T) {
	r := newRing[int](0) // at least 1
	r.push(1)
	r.push(2)
	if r.len() != 1 || r.at(0) != 2 {
		t.Errorf("limit 1 ring holds %v", r.slice())
	}
	r = newRing[int](3)
	for i := 1; i <= 7; i++ {
		r.push(i)
		if i == 2 && (r.len() != 2 || r.slice()[1] != 2) {
			t.Errorf("while growing: %v", r.slice())
		}
	}
	if got := r.slice(); len(got) != 3 || got[0] != 5 || got[1] != 6 || got[2] != 7 || r.at(2) != 7 {
		t.Errorf("slice() = %v, want [5 6 7]", got)
	}
}
