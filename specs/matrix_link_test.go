package specs_test

import (
	"net"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// link forwards TCP connections to a real broker so that a spec can make
// the network between client and broker misbehave: hold everything the
// broker sends (silence without a close, while the client's bytes still
// reach the broker) or cut every connection with a reset. It forwards
// bytes, so TLS and WebSocket pass through it unchanged. It is closed,
// its goroutines joined, when the spec ends.
type link struct {
	ln     net.Listener
	target string
	done   chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
	gate  chan struct{} // closed while the broker's bytes flow
}

func newLink(target string) *link {
	GinkgoHelper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	l := &link{ln: ln, target: target, done: make(chan struct{}), gate: make(chan struct{})}
	close(l.gate)
	l.wg.Add(1)
	go l.accept()
	DeferCleanup(l.close)
	return l
}

func (l *link) addr() string { return l.ln.Addr().String() }

func (l *link) accept() {
	defer l.wg.Done()
	for {
		client, err := l.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", l.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		l.mu.Lock()
		l.conns = append(l.conns, client, server)
		l.mu.Unlock()
		l.wg.Add(2)
		go l.pipe(server, client, false)
		go l.pipe(client, server, true)
	}
}

// pipe copies src to dst; fromBroker copies wait while the link holds.
func (l *link) pipe(dst, src net.Conn, fromBroker bool) {
	defer l.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && fromBroker {
			l.mu.Lock()
			gate := l.gate
			l.mu.Unlock()
			select {
			case <-gate:
			case <-l.done:
				return
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// hold stops forwarding what the broker sends until release.
func (l *link) hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gate = make(chan struct{})
}

// release forwards the broker's bytes again, those held first.
func (l *link) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.gate:
	default:
		close(l.gate)
	}
}

// drop resets every connection the link carries.
func (l *link) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}
	l.conns = nil
}

func (l *link) close() {
	_ = l.ln.Close()
	close(l.done)
	l.drop()
	l.wg.Wait()
}
