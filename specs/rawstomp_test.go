package specs_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/stampede-mq/stampede/codec"
)

// rawStomp is a STOMP peer driven by hand, for specs that must see or send
// exactly what is on the wire: it writes the bytes or frames it is given
// and reads the next frame with a deadline through codec.Decoder. It has
// no goroutine and no protocol logic beyond Connect; it works on either
// side of a connection (dial a broker, or wrap a socket a scripted server
// accepted).
//
// A rawStomp is not safe for concurrent use.
type rawStomp struct {
	conn    net.Conn
	dec     *codec.Decoder
	enc     codec.Encoder
	buf     []byte // read buffer
	pending []byte // read and not decoded yet
	beats   int    // heart-beats (EOLs between frames) read so far
}

// rawTimeout is how long a read waits when a spec does not say.
const rawTimeout = 5 * time.Second

// dialRawStomp opens a TCP connection to address.
func dialRawStomp(address string) (*rawStomp, error) {
	nc, err := net.DialTimeout("tcp", address, rawTimeout)
	if err != nil {
		return nil, err
	}
	return newRawStomp(nc), nil
}

// newRawStomp drives an open connection. Until SetVersion, frames are
// read and written with 1.0 rules (no escaping).
func newRawStomp(nc net.Conn) *rawStomp {
	return &rawStomp{conn: nc, dec: codec.NewDecoder(), buf: make([]byte, 64<<10)}
}

// SetVersion switches the escaping rules of both directions.
func (r *rawStomp) SetVersion(v codec.Version) {
	r.dec.SetVersion(v)
	r.enc.Version = v
}

// SetLimits replaces the decoder's limits (for reading huge frames). Call
// it before anything is read.
func (r *rawStomp) SetLimits(l codec.Limits) {
	r.dec = codec.NewDecoder(codec.WithLimits(l), codec.WithVersion(r.dec.Version()))
}

// SendBytes writes p as it is.
func (r *rawStomp) SendBytes(p []byte) error {
	_ = r.conn.SetWriteDeadline(time.Now().Add(rawTimeout))
	_, err := r.conn.Write(p)
	return err
}

// SendString writes s as it is.
func (r *rawStomp) SendString(s string) error { return r.SendBytes([]byte(s)) }

// SendFrame encodes f with the current version and writes it.
func (r *rawStomp) SendFrame(f *codec.Frame) error {
	b, err := r.enc.Append(nil, f)
	if err != nil {
		return err
	}
	return r.SendBytes(b)
}

// Send writes a frame made of a command and header names and values.
func (r *rawStomp) Send(cmd codec.Command, kv ...string) error {
	return r.SendFrame(codec.New(cmd, kv...))
}

// ReadEvent returns the next frame, or nil for a heart-beat, waiting at
// most timeout. A timeout is an error for which errors.Is(err,
// os.ErrDeadlineExceeded) holds; the peer closing is io.EOF (or a reset).
// A decoding error is a *codec.SyntaxError.
func (r *rawStomp) ReadEvent(timeout time.Duration) (*codec.Frame, error) {
	deadline := time.Now().Add(timeout)
	for {
		if len(r.pending) > 0 {
			var f codec.Frame
			n, k, err := r.dec.Decode(r.pending, &f)
			r.pending = r.pending[n:]
			if err != nil {
				return nil, err
			}
			switch k {
			case codec.GotFrame:
				return &f, nil
			case codec.GotHeartBeat:
				r.beats++
				return nil, nil
			}
			continue
		}
		_ = r.conn.SetReadDeadline(deadline)
		n, err := r.conn.Read(r.buf)
		if n > 0 {
			r.pending = append(r.pending[:0:0], r.buf[:n]...)
			continue
		}
		if err != nil {
			return nil, err
		}
	}
}

// ReadFrame returns the next frame, skipping heart-beats, waiting at most
// timeout in all.
func (r *rawStomp) ReadFrame(timeout time.Duration) (*codec.Frame, error) {
	deadline := time.Now().Add(timeout)
	for {
		f, err := r.ReadEvent(time.Until(deadline))
		if err != nil || f != nil {
			return f, err
		}
	}
}

// ExpectFrame reads the next frame and checks its command.
func (r *rawStomp) ExpectFrame(cmd codec.Command, timeout time.Duration) (*codec.Frame, error) {
	f, err := r.ReadFrame(timeout)
	if err != nil {
		return nil, err
	}
	if f.Command != cmd {
		return f, fmt.Errorf("expected %s, got %s", cmd, f)
	}
	return f, nil
}

// ReadUntilClosed reads until the peer closes the connection, skipping
// heart-beats, and returns the frames that came before the end and the
// error that ended it: io.EOF for a FIN, a reset error for a RST, a
// timeout or decoding error otherwise.
func (r *rawStomp) ReadUntilClosed(timeout time.Duration) ([]*codec.Frame, error) {
	deadline := time.Now().Add(timeout)
	var frames []*codec.Frame
	for {
		f, err := r.ReadFrame(time.Until(deadline))
		if err != nil {
			return frames, err
		}
		frames = append(frames, f)
	}
}

// ExpectEOF checks that the peer closes the connection with a FIN within
// timeout and sends no frame before (heart-beats are allowed).
func (r *rawStomp) ExpectEOF(timeout time.Duration) error {
	frames, err := r.ReadUntilClosed(timeout)
	if len(frames) > 0 {
		return fmt.Errorf("expected EOF, got %s", frames[0])
	}
	if !errors.Is(err, io.EOF) {
		return fmt.Errorf("expected EOF, got %w", err)
	}
	return nil
}

// isTimeout reports whether err is a read that timed out: nothing came.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// HeartBeats returns the number of heart-beats read so far.
func (r *rawStomp) HeartBeats() int { return r.beats }

// Connect sends a CONNECT (accept-version and host, then kv) and reads the
// answer. On CONNECTED it switches to the negotiated version. It returns
// the answer, CONNECTED or ERROR.
func (r *rawStomp) Connect(acceptVersion string, kv ...string) (*codec.Frame, error) {
	h := []string{codec.HdrAcceptVersion, acceptVersion, codec.HdrHost, "/"}
	if acceptVersion == "" {
		h = h[2:]
	}
	if err := r.Send(codec.Connect, append(h, kv...)...); err != nil {
		return nil, err
	}
	f, err := r.ReadFrame(rawTimeout)
	if err != nil {
		return nil, err
	}
	if f.Command == codec.Connected {
		v, err := codec.ParseVersion(f.Header.Get(codec.HdrVersion))
		if err != nil {
			v = codec.V10
		}
		r.SetVersion(v)
	}
	return f, nil
}

// Close closes the connection.
func (r *rawStomp) Close() error { return r.conn.Close() }
