package handlers

// ring keeps the last limit values pushed, oldest first. It grows up to
// limit and then overwrites the oldest value. It is not safe for concurrent
// use: its owner locks.
type ring[T any] struct {
	buf   []T
	start int // index in buf of the oldest value, once buf is full
	limit int
}

// newRing returns an empty ring that keeps at most limit (>= 1) values.
func newRing[T any](limit int) ring[T] { return ring[T]{limit: max(limit, 1)} }

// push adds v, dropping the oldest value when the ring is full.
func (r *ring[T]) push(v T) {
	if len(r.buf) < r.limit {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// len returns the number of values kept.
func (r *ring[T]) len() int { return len(r.buf) }

// at returns the i-th value kept, 0 being the oldest.
func (r *ring[T]) at(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// slice returns a copy of the values kept, oldest first.
func (r *ring[T]) slice() []T {
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:r.start]...)
}
