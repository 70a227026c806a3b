package codec

import "iter"

// Field is one header line: a name and a value, both unescaped.
type Field struct {
	Key   string
	Value string
}

// Header is the ordered list of a frame's header lines. Repeated names are
// kept in order; the first one is the value of the header (CONF-6) and the
// others stay available through [Header.Values].
//
// A Header is a plain slice: it can be built with a composite literal, and
// it is not safe for concurrent mutation.
type Header []Field

// Common header names.
const (
	HdrAcceptVersion = "accept-version"
	HdrAck           = "ack"
	HdrContentLength = "content-length"
	HdrContentType   = "content-type"
	HdrDestination   = "destination"
	HdrHeartBeat     = "heart-beat"
	HdrHost          = "host"
	HdrID            = "id"
	HdrLogin         = "login"
	HdrMessage       = "message"
	HdrMessageID     = "message-id"
	HdrPasscode      = "passcode"
	HdrReceipt       = "receipt"
	HdrReceiptID     = "receipt-id"
	HdrRedelivered   = "redelivered"
	HdrReplyTo       = "reply-to"
	HdrServer        = "server"
	HdrSession       = "session"
	HdrSubscription  = "subscription"
	HdrTransaction   = "transaction"
	HdrVersion       = "version"
)

// Get returns the value of the first header named key, or "" if there is none.
func (h Header) Get(key string) string {
	for i := range h {
		if h[i].Key == key {
			return h[i].Value
		}
	}
	return ""
}

// Lookup returns the value of the first header named key and whether it exists.
func (h Header) Lookup(key string) (string, bool) {
	for i := range h {
		if h[i].Key == key {
			return h[i].Value, true
		}
	}
	return "", false
}

// Has reports whether a header named key exists.
func (h Header) Has(key string) bool {
	_, ok := h.Lookup(key)
	return ok
}

// Values iterates over every value of the headers named key, in order.
func (h Header) Values(key string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range h {
			if h[i].Key == key && !yield(h[i].Value) {
				return
			}
		}
	}
}

// GetAll returns every value of the headers named key, in order, or nil.
func (h Header) GetAll(key string) []string {
	var out []string
	for v := range h.Values(key) {
		out = append(out, v)
	}
	return out
}

// Set replaces the first header named key with value and removes the others;
// it appends the header when none exists. The position of the first one is
// kept, so encoding order stays stable.
func (h *Header) Set(key, value string) {
	s := *h
	for i := range s {
		if s[i].Key == key {
			s[i].Value = value
			*h = append(s[:i+1], deleteKey(s[i+1:], key)...)
			return
		}
	}
	*h = append(s, Field{key, value})
}

// Add appends a header line, keeping any existing one with the same name
// (which stays the value of the header).
func (h *Header) Add(key, value string) { *h = append(*h, Field{key, value}) }

// Del removes every header named key.
func (h *Header) Del(key string) { *h = deleteKey(*h, key) }

func deleteKey(s Header, key string) Header {
	out := s[:0]
	for _, f := range s {
		if f.Key != key {
			out = append(out, f)
		}
	}
	clear(s[len(out):])
	return out
}

// Clone returns a copy of h that shares nothing with it.
func (h Header) Clone() Header {
	if h == nil {
		return nil
	}
	return append(Header(make([]Field, 0, len(h))), h...)
}
