package loadgen

import "encoding/binary"

// payloadMagic opens every bench body ("STB1").
const payloadMagic = 0x53544231

// payloadHeader is the start of every message body, in big-endian order:
//
//	0  magic     uint32  "STB1"
//	4  run       uint32  the run's id: bodies of another run are foreign
//	8  producer  uint32  index of the producer
//	12 reserved  uint32  zero
//	16 seq       uint64  the producer's sequence number, from 0
//	24 stamp     int64   Unix nanoseconds the message was due (with a rate)
//	                     or handed to the connection (without)
//
// The rest of the body, up to the message size, is padding.
type payloadHeader struct {
	run      uint32
	producer uint32
	seq      uint64
	stamp    int64
}

// put writes h at the start of b, which has room for HeaderSize bytes.
func (h *payloadHeader) put(b []byte) {
	_ = b[HeaderSize-1]
	binary.BigEndian.PutUint32(b[0:], payloadMagic)
	binary.BigEndian.PutUint32(b[4:], h.run)
	binary.BigEndian.PutUint32(b[8:], h.producer)
	binary.BigEndian.PutUint32(b[12:], 0)
	binary.BigEndian.PutUint64(b[16:], h.seq)
	binary.BigEndian.PutUint64(b[24:], uint64(h.stamp))
}

// parse reads a header from b; it reports false when b is not a bench body.
func (h *payloadHeader) parse(b []byte) bool {
	if len(b) < HeaderSize || binary.BigEndian.Uint32(b) != payloadMagic {
		return false
	}
	h.run = binary.BigEndian.Uint32(b[4:])
	h.producer = binary.BigEndian.Uint32(b[8:])
	h.seq = binary.BigEndian.Uint64(b[16:])
	h.stamp = int64(binary.BigEndian.Uint64(b[24:]))
	return true
}

// newPayload returns a buffer of size bytes whose padding is printable,
// so that a body looks sane in a broker's management UI.
func newPayload(size int) []byte {
	b := make([]byte, size)
	for i := HeaderSize; i < size; i++ {
		b[i] = 'a' + byte(i%26)
	}
	return b
}
