package handlers

// routeIndex finds the most specific wildcard pattern matching a
// destination without trying every pattern: a trie with one level per
// segment, in which a destination follows at each level at most its
// literal child and its "*" child, and collects the "#" patterns it passes.
// Work per message is proportional to the number of segments (times the
// number of "*" branches actually present), not to the number of patterns.
//
// An index is built whole and never modified after it is published, so
// any number of goroutines may search it at once.
type routeIndex struct {
	// lit holds literal children by separator and text: "/queue" under
	// a node for "" (the part before a leading '/'), and a first segment
	// without separator under the root. The key is a substring of the
	// destination, so looking it up allocates nothing.
	lit map[string]*routeIndex
	// star holds the "*" children, by separator (see sepIndex).
	star [3]*routeIndex
	// rest holds the patterns ending in "#" here, by separator.
	rest [3]*wildRoute
	// end is the pattern that ends exactly here.
	end *wildRoute
}

// sepIndex maps a separator to an index into star and rest: 0 for none
// (the first segment), 1 for '/', 2 for '.'.
func sepIndex(c byte) int {
	switch c {
	case '/':
		return 1
	case '.':
		return 2
	}
	return 0
}

// buildIndex returns the index of routes.
func buildIndex(routes []wildRoute) *routeIndex {
	root := &routeIndex{}
	for i := range routes {
		root.insert(&routes[i])
	}
	return root
}

// insert adds r below n.
func (n *routeIndex) insert(r *wildRoute) {
	for _, s := range r.p.segs {
		k := sepIndex(s.sep)
		switch s.kind {
		case segRest: // always the last segment
			n.rest[k] = r
			return
		case segOne:
			if n.star[k] == nil {
				n.star[k] = &routeIndex{}
			}
			n = n.star[k]
		default:
			key := s.lit
			if s.sep != 0 {
				key = string(s.sep) + s.lit
			}
			child := n.lit[key]
			if child == nil {
				if n.lit == nil {
					n.lit = make(map[string]*routeIndex)
				}
				child = &routeIndex{}
				n.lit[key] = child
			}
			n = child
		}
	}
	n.end = r
}

// lookup returns the most specific route matching dest, or nil.
func (n *routeIndex) lookup(dest string) *wildRoute {
	return n.search(dest, 0, true, nil)
}

// search continues the match of dest at pos, below n, and returns the more
// specific of best and the routes found. first is true at the root, where
// the first segment has no separator before it.
func (n *routeIndex) search(dest string, pos int, first bool, best *wildRoute) *wildRoute {
	// "#" here: at the root it matches everything; elsewhere it matches
	// zero segments, or its separator and anything after it.
	if first {
		best = better(best, n.rest[0])
	} else {
		if pos == len(dest) {
			best = better(best, n.end)
		}
		for k := 1; k < len(n.rest); k++ {
			if r := n.rest[k]; r != nil && (pos == len(dest) || sepIndex(dest[pos]) == k) {
				best = better(best, r)
			}
		}
		if pos == len(dest) {
			return best
		}
	}
	// The next segment: dest[start:end], its separator at pos unless first.
	k, start := 0, pos
	if !first {
		k, start = sepIndex(dest[pos]), pos+1
	}
	end := start
	for end < len(dest) && !isSeparator(dest[end]) {
		end++
	}
	if child := n.lit[dest[pos:end]]; child != nil {
		best = child.search(dest, end, false, best)
	}
	if child := n.star[k]; child != nil && end > start {
		best = child.search(dest, end, false, best)
	}
	return best
}

// better returns the more specific of two routes, either of which may be
// nil.
func better(best, r *wildRoute) *wildRoute {
	if r == nil || (best != nil && compareSpecificity(best.p, r.p) <= 0) {
		return best
	}
	return r
}
