package broker

import (
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/stampede-mq/stampede/codec"
)

// message is one SEND on its way to subscribers. It is immutable once
// routed: any goroutine may deliver it.
//
// A message refers to the decoder's memory (header strings, body) without
// copying it; the loop package guarantees that memory stays valid. A
// message that waits in a queue is compacted first, so that it does not
// pin the decoder's shared blocks for long.
type message struct {
	from    string // the publishing session's id: message-id is from-seq
	seq     uint64
	dest    string       // the SEND's destination header
	replyTo string       // a rewritten reply-to, or ""
	header  codec.Header // the SEND's header, filtered when encoded
	body    []byte

	// tails[i] caches everything after the per-delivery header lines,
	// encoded for version codec.Versions[i]: message-id, destination, the
	// user headers, content-length and the blank line. A topic fills it
	// before its fan-out, while the message is not shared yet (see
	// cacheTails); a message delivered once (a queue's) needs no cache.
	tails [3][]byte
}

// newMessage makes the message a SEND frame carries. f's memory is
// referenced, not copied.
func newMessage(from string, seq uint64, f *codec.Frame) *message {
	return &message{
		from:   from,
		seq:    seq,
		dest:   f.Header.Get(codec.HdrDestination),
		header: f.Header,
		body:   f.Body,
	}
}

// appendID appends the message-id.
func (m *message) appendID(dst []byte) []byte {
	dst = append(dst, m.from...)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, m.seq, 10)
}

// id returns the message-id as a string (allocates; for errors and tests).
func (m *message) id() string { return string(m.appendID(nil)) }

// hasID reports whether s is this message's id, without allocating.
func (m *message) hasID(s string) bool {
	rest, ok := strings.CutPrefix(s, m.from)
	if !ok || len(rest) < 2 || rest[0] != '-' {
		return false
	}
	n, err := strconv.ParseUint(rest[1:], 10, 64)
	return err == nil && n == m.seq
}

// compact copies the header strings and the body into memory of the
// message's own, releasing the decoder's blocks. It is called before the
// message is shared, so it needs no lock.
func (m *message) compact() {
	size := len(m.dest) + len(m.replyTo) + len(m.body)
	for _, f := range m.header {
		size += len(f.Key) + len(f.Value)
	}
	buf := make([]byte, 0, size)
	keep := func(s string) string {
		start := len(buf)
		buf = append(buf, s...)
		return unsafeString(buf[start:])
	}
	h := make(codec.Header, len(m.header))
	for i, f := range m.header {
		h[i] = codec.Field{Key: keep(f.Key), Value: keep(f.Value)}
	}
	m.header = h
	m.dest = keep(m.dest)
	m.replyTo = keep(m.replyTo)
	if m.body != nil {
		start := len(buf)
		buf = append(buf, m.body...)
		m.body = buf[start:len(buf):len(buf)]
	}
}

// dropped lists the SEND headers a MESSAGE does not repeat: the broker
// writes its own destination, message-id, subscription, ack and
// redelivered, and content-length; receipt and transaction were for the
// broker.
func dropped(key string) bool {
	switch key {
	case codec.HdrDestination, codec.HdrMessageID, codec.HdrSubscription, codec.HdrAck,
		codec.HdrRedelivered, codec.HdrReceipt, codec.HdrTransaction, codec.HdrContentLength:
		return true
	}
	return false
}

func versionIndex(v codec.Version) int {
	switch v {
	case codec.V11:
		return 1
	case codec.V12:
		return 2
	}
	return 0
}

// appendTail appends the message's tail for version v: the cached one, or
// a fresh encoding.
func (m *message) appendTail(dst []byte, v codec.Version) []byte {
	if t := m.tails[versionIndex(v)]; t != nil {
		return append(dst, t...)
	}
	return m.encodeTail(dst, v)
}

// cacheTails encodes the tail once for each version in the set (a bit
// per codec.Versions index), so that a fan-out copies bytes instead of
// encoding headers for every subscriber. It must run before the message
// is shared.
func (m *message) cacheTails(versions uint8) {
	for i, v := range codec.Versions {
		if versions&(1<<i) != 0 && m.tails[i] == nil {
			bp := getBuffer()
			t := m.encodeTail((*bp)[:0], v)
			m.tails[i] = append([]byte(nil), t...)
			*bp = t
			putBuffer(bp)
		}
	}
}

var headerPool = sync.Pool{New: func() any { h := make(codec.Header, 0, 16); return &h }}

func (m *message) encodeTail(dst []byte, v codec.Version) []byte {
	hp := headerPool.Get().(*codec.Header)
	h := append((*hp)[:0], codec.Field{Key: codec.HdrDestination, Value: m.dest})
	for _, f := range m.header {
		if dropped(f.Key) || (m.replyTo != "" && f.Key == codec.HdrReplyTo) {
			continue
		}
		h = append(h, f)
	}
	if m.replyTo != "" {
		h = append(h, codec.Field{Key: codec.HdrReplyTo, Value: m.replyTo})
	}
	dst = append(dst, "message-id:"...)
	dst = m.appendID(dst)
	dst = append(dst, '\n')
	dst = appendHeaderLines(dst, v, h)
	dst = append(dst, "content-length:"...)
	dst = strconv.AppendInt(dst, int64(len(m.body)), 10)
	dst = append(dst, '\n', '\n')
	clear(h)
	*hp = h[:0]
	headerPool.Put(hp)
	return dst
}

// appendHeaderLines appends the header lines of h escaped for version v,
// each followed by LF. It uses the codec's encoder, the one place that
// knows the escaping rules, by encoding a body-less MESSAGE and keeping
// the lines between its command line and its blank line. A line the
// version cannot carry (a CR or LF in a 1.0 value) is left out.
func appendHeaderLines(dst []byte, v codec.Version, h codec.Header) []byte {
	const prefix = len(codec.Message) + 1 // "MESSAGE\n"
	const suffix = 2                      // "\n\x00"
	enc := codec.Encoder{Version: v, OmitContentLength: true}
	start := len(dst)
	out, err := enc.Append(dst, &codec.Frame{Command: codec.Message, Header: h})
	if err == nil {
		n := copy(out[start:], out[start+prefix:len(out)-suffix])
		return out[:start+n]
	}
	for i := range h { // the rare unencodable line: one at a time
		out, err := enc.Append(dst, &codec.Frame{Command: codec.Message, Header: h[i : i+1]})
		if err != nil {
			continue
		}
		n := copy(out[start:], out[start+prefix:len(out)-suffix])
		dst = out[:start+n]
		start = len(dst)
	}
	return dst
}

// buffers are scratch space for encoding deliveries and replies on
// whatever goroutine does it.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 1<<10); return &b }}

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > 256<<10 {
		return
	}
	*b = (*b)[:0]
	bufferPool.Put(b)
}

// unsafeString makes a string that shares b's memory; b is never written
// again.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
