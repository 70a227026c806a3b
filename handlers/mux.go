package handlers

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Mux routes each message to the handler whose destination pattern matches
// its destination header best. It is itself a [Handler], so it can be
// wrapped in middleware and given to a subscription (or to several).
//
// # Patterns
//
// A destination is split into segments at every '/' and every '.', so
// "/topic/orders.eu" has the segments "", "topic", "orders" and "eu".
// A pattern is a destination in which a whole segment may be a wildcard:
//
//   - "*" matches exactly one segment, which must not be empty:
//     "/topic/orders.*" matches "/topic/orders.eu" but neither
//     "/topic/orders" nor "/topic/orders.eu.north".
//   - "#" matches zero or more trailing segments, whatever separates them,
//     and must be the last segment: "/queue/eu/#" matches "/queue/eu",
//     "/queue/eu/fr" and "/queue/eu/fr.paris"; "#" alone matches every
//     destination. This is AMQP's (and RabbitMQ's) spelling; ">", the
//     spelling of ActiveMQ and NATS, is accepted as the same wildcard.
//
// Any other segment is literal, "*" and "#" included when they are only
// part of it ("ord*" matches only "ord*"). Separators are literal too:
// "/topic/a.*" does not match "/topic/a/b".
//
// # Precedence
//
// When several patterns match, the most specific one wins: an exact
// pattern (no wildcard) beats any wildcard; then fewer wildcards win; then
// more segments; then a literal segment beats "*", which beats "#", at the
// first position where the two patterns differ; and last the pattern text
// decides. The winner therefore never depends on the order of registration.
// Exact patterns are found by a map lookup, wildcard patterns through a
// trie of segments, so routing costs about the same with ten patterns or
// ten thousand. [Mux.Handle] rebuilds the trie: registering n patterns
// costs O(n²) in all, which is meant for setup, not for every message.
//
// # Concurrency
//
// A Mux is safe for concurrent use. Routing takes no lock and allocates
// nothing: it reads an immutable routing table published through an
// atomic pointer. [Mux.Handle] and [Mux.NotFound] may be called at any
// time, also while messages are being routed; they copy the table under a
// mutex and publish the copy, so a message is routed either with or
// without the new route, never with half of it. The zero value is an empty
// Mux ready to use; a Mux must not be copied after first use.
type Mux struct {
	mu    sync.Mutex // serialises writers
	table atomic.Pointer[routeTable]
}

// routeTable is one immutable version of the routes.
type routeTable struct {
	exact    map[string]Handler
	wild     []wildRoute // most specific first
	index    *routeIndex // of wild; nil when wild is empty
	notFound Handler     // nil: the default
}

type wildRoute struct {
	p *pattern
	h Handler
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// Handle routes the destinations that match pattern to h. It returns an
// error wrapping [ErrInvalidPattern] for an empty or malformed pattern or a
// nil h, and one wrapping [ErrDuplicatePattern] when the pattern, or an
// equivalent one ("/q/#" and "/q/>"), is already registered; the Mux is
// then unchanged. Safe for concurrent use, with routing too.
func (mx *Mux) Handle(pattern string, h Handler) error {
	if f, isFunc := h.(HandlerFunc); h == nil || isFunc && f == nil {
		return fmt.Errorf("%w: %q: nil handler", ErrInvalidPattern, pattern)
	}
	p, err := parsePattern(pattern)
	if err != nil {
		return err
	}
	mx.mu.Lock()
	defer mx.mu.Unlock()
	cur := mx.load()
	next := &routeTable{exact: cur.exact, wild: cur.wild, index: cur.index, notFound: cur.notFound}
	if p.wildcards == 0 {
		if _, ok := cur.exact[p.canon]; ok {
			return fmt.Errorf("%w: %q", ErrDuplicatePattern, pattern)
		}
		next.exact = maps.Clone(cur.exact)
		if next.exact == nil {
			next.exact = make(map[string]Handler, 1)
		}
		next.exact[p.canon] = h
	} else {
		i, found := slices.BinarySearchFunc(cur.wild, p, byRouteSpecificity)
		if found {
			return fmt.Errorf("%w: %q (as %q)", ErrDuplicatePattern, pattern, cur.wild[i].p.canon)
		}
		next.wild = slices.Insert(slices.Clip(cur.wild), i, wildRoute{p: p, h: h})
		next.index = buildIndex(next.wild)
	}
	mx.table.Store(next)
	return nil
}

// HandleFunc is Handle(pattern, HandlerFunc(fn)).
func (mx *Mux) HandleFunc(pattern string, fn func(ctx context.Context, m *Message) error) error {
	return mx.Handle(pattern, HandlerFunc(fn))
}

// NotFound sets the handler for messages whose destination no pattern
// matches; nil restores the default, which returns a *[NoRouteError]
// (errors.Is(err, [ErrNoRoute]), and permanent for [Retry]). Safe for
// concurrent use, with routing too.
func (mx *Mux) NotFound(h Handler) {
	mx.mu.Lock()
	defer mx.mu.Unlock()
	cur := mx.load()
	mx.table.Store(&routeTable{exact: cur.exact, wild: cur.wild, index: cur.index, notFound: h})
}

// HandleMessage routes m by its destination header (see [Mux.Lookup]) and
// returns what the chosen handler returns. Safe for concurrent use.
func (mx *Mux) HandleMessage(ctx context.Context, m *Message) error {
	dest := m.Destination()
	t := mx.load()
	if h, _, ok := t.lookup(dest); ok {
		return h.HandleMessage(ctx, m)
	}
	if t.notFound != nil {
		return t.notFound.HandleMessage(ctx, m)
	}
	return &NoRouteError{Destination: strings.Clone(dest)}
}

// Lookup returns the handler a message for destination would be routed to
// and the pattern that matched (in canonical form: ">" is spelled "#"), or
// ok=false when no pattern matches (the NotFound handler is not reported).
// Safe for concurrent use; it allocates nothing.
func (mx *Mux) Lookup(destination string) (h Handler, pattern string, ok bool) {
	return mx.load().lookup(destination)
}

// Patterns returns the registered patterns in canonical form, in the order
// in which they are tried: exact patterns (sorted), then wildcard patterns
// from the most specific. Safe for concurrent use.
func (mx *Mux) Patterns() []string {
	t := mx.load()
	out := slices.Sorted(maps.Keys(t.exact))
	for _, r := range t.wild {
		out = append(out, r.p.canon)
	}
	return out
}

// byRouteSpecificity compares a route with a pattern, for binary search.
func byRouteSpecificity(r wildRoute, p *pattern) int { return compareSpecificity(r.p, p) }

// emptyTable is the table of a Mux nothing was registered on.
var emptyTable = &routeTable{}

// load returns the current table.
func (mx *Mux) load() *routeTable {
	if t := mx.table.Load(); t != nil {
		return t
	}
	return emptyTable
}

// lookup finds the route of dest in t.
func (t *routeTable) lookup(dest string) (Handler, string, bool) {
	if h, ok := t.exact[dest]; ok {
		return h, dest, true
	}
	if t.index != nil {
		if r := t.index.lookup(dest); r != nil {
			return r.h, r.p.canon, true
		}
	}
	return nil, "", false
}
