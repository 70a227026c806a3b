package specs_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/codec"
)

// rawPeer is a scripted STOMP server on loopback: a spec accepts the
// client's connection and then reads frames and writes exact bytes, so that
// client-side assertions are checked against known input.
//
// The peer holds every connection it accepted until close: a spec that
// drops its *peerConn must not lose the socket to the garbage collector
// (net closes an unreachable socket in a finalizer, which the client would
// see as the peer hanging up).
type rawPeer struct {
	ln    net.Listener
	conns chan *peerConn

	mu     sync.Mutex
	open   []net.Conn
	closed bool
}

// peerConn is one accepted connection of a rawPeer.
type peerConn struct {
	nc  net.Conn
	br  *bufio.Reader
	dec *codec.Decoder
}

func newRawPeer() *rawPeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	p := &rawPeer{ln: ln, conns: make(chan *peerConn, 16)}
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				close(p.conns)
				return
			}
			p.mu.Lock()
			if p.closed {
				p.mu.Unlock()
				nc.Close()
				continue
			}
			p.open = append(p.open, nc)
			p.mu.Unlock()
			p.conns <- &peerConn{nc: nc, br: bufio.NewReader(nc), dec: codec.NewDecoder()}
		}
	}()
	return p
}

func (p *rawPeer) addr() string { return p.ln.Addr().String() }

// close stops accepting and closes every connection the peer accepted.
func (p *rawPeer) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, nc := range p.open {
		nc.Close()
	}
	p.open = nil
}

// accept returns the next connection a client opened.
func (p *rawPeer) accept() *peerConn {
	var c *peerConn
	Eventually(p.conns, 10*time.Second).Should(Receive(&c))
	Expect(c).NotTo(BeNil())
	return c
}

// readFrame reads the next frame the client sent, skipping heart-beats.
func (c *peerConn) readFrame() *codec.Frame {
	f, err := c.next(false)
	Expect(err).NotTo(HaveOccurred())
	return f
}

// readHeartBeat waits for a heart-beat EOL; a frame first is a failure.
func (c *peerConn) readHeartBeat() {
	f, err := c.next(true)
	Expect(err).NotTo(HaveOccurred())
	Expect(f).To(BeNil(), "expected a heart-beat, got a frame")
}

func (c *peerConn) next(wantBeat bool) (*codec.Frame, error) {
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer c.nc.SetReadDeadline(time.Time{})
	for {
		if c.br.Buffered() == 0 {
			if _, err := c.br.Peek(1); err != nil {
				return nil, err
			}
		}
		buf, _ := c.br.Peek(c.br.Buffered())
		var f codec.Frame
		n, k, err := c.dec.Decode(buf, &f)
		c.br.Discard(n)
		if err != nil {
			return nil, err
		}
		switch k {
		case codec.GotFrame:
			return f.Clone(), nil
		case codec.GotHeartBeat:
			if wantBeat {
				return nil, nil
			}
		}
	}
}

// setVersion switches the peer's decoding rules after CONNECTED.
func (c *peerConn) setVersion(v codec.Version) { c.dec.SetVersion(v) }

// write sends exact bytes.
func (c *peerConn) write(s string) {
	_, err := io.WriteString(c.nc, s)
	Expect(err).NotTo(HaveOccurred())
}

// send encodes a frame with version v's rules.
func (c *peerConn) send(v codec.Version, f *codec.Frame) {
	b, err := codec.Marshal(v, f)
	Expect(err).NotTo(HaveOccurred())
	_, err = c.nc.Write(b)
	Expect(err).NotTo(HaveOccurred())
}

// connected answers a CONNECT with CONNECTED at version v and extra headers.
func (c *peerConn) connected(v codec.Version, kv ...string) *codec.Frame {
	connect := c.readFrame()
	Expect(connect.Command).To(BeElementOf(codec.Connect, codec.Stomp))
	f := codec.New(codec.Connected, append([]string{"version", v.String(), "server", "rawpeer/1", "session", "s-1"}, kv...)...)
	c.send(0, f)
	c.setVersion(v)
	return connect
}

// expectEOF waits until the client closed the connection.
func (c *peerConn) expectEOF() {
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, err := c.br.ReadByte()
		if err != nil {
			Expect(errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset")).To(BeTrue(), "read error %v", err)
			return
		}
	}
}

func (c *peerConn) close() { c.nc.Close() }
