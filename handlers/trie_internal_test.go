package handlers

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randomPath builds a destination or pattern from a small alphabet, so that
// random ones overlap a lot.
func randomPath(r *rand.Rand, words []string) string {
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('/')
	}
	n := 1 + r.IntN(4)
	for i := range n {
		if i > 0 {
			b.WriteByte("/."[r.IntN(2)])
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

var nop = HandlerFunc(func(context.Context, *Message) error { return nil })

// The trie must pick what a linear scan of the routes in precedence order
// picks, for every destination.
func TestRouteIndexAgreesWithLinearScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	patternWords := []string{"a", "b", "q", "*", "*", "#", ">"}
	destWords := []string{"a", "b", "q", "c", ""}
	matched, wildMatched, total := 0, 0, 0
	for round := range 200 {
		var mx Mux
		for range 1 + r.IntN(30) {
			p := randomPath(r, patternWords)
			if i := strings.IndexAny(p, "#>"); i >= 0 {
				p = p[:i+1] // a multi-segment wildcard must be last
			}
			_ = mx.Handle(p, nop) // duplicates are refused, fine
		}
		table := mx.load()
		for range 50 {
			dest := randomPath(r, destWords)
			_, got, _ := mx.Lookup(dest)
			want := ""
			if _, ok := table.exact[dest]; ok {
				want = dest
			} else if i := slices.IndexFunc(table.wild, func(w wildRoute) bool { return w.p.match(dest) }); i >= 0 {
				want = table.wild[i].p.canon
			}
			total++
			if want != "" {
				matched++
				if want != dest {
					wildMatched++
				}
			}
			if got != want {
				t.Fatalf("round %d: %q routed by %q, linear scan says %q; patterns %q",
					round, dest, got, want, mx.Patterns())
			}
		}
	}
	// The comparison means something only if many destinations match.
	if matched < total/4 || wildMatched < total/5 {
		t.Errorf("only %d of %d destinations matched (%d by a wildcard): the test is too sparse", matched, total, wildMatched)
	}
	t.Logf("%d of %d destinations matched, %d by a wildcard", matched, total, wildMatched)
}
