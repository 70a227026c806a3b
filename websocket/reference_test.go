package websocket_test

import (
	"bytes"
	"crypto/tls"
	"net"
	"sync"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
)

// referenceServer serves STOMP over wss with a goroutine per connection:
// crypto/tls over a plain listener, the package's ServerLayer driven by
// blocking reads, which shows the layer is a plain state machine that any
// driver can run. It answers CONNECT with CONNECTED and SEND with a
// MESSAGE of the same body, writing from inside Inbound.
type referenceServer struct {
	ln net.Listener
	wg sync.WaitGroup
}

func startReference(t *testing.T, cfg *tls.Config) *referenceServer {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	up, err := websocket.NewUpgrader(websocket.ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	r := &referenceServer{ln: ln}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				defer nc.Close()
				serveReference(nc, up.NewLayer())
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		r.wg.Wait()
	})
	return r
}

// connWriter lets a layer write to a blocking connection.
type connWriter struct{ nc net.Conn }

func (w connWriter) Write(p []byte) (int, error) { return w.nc.Write(p) }
func (w connWriter) Writev(bs [][]byte) (int, error) {
	return w.nc.Write(bytes.Join(bs, nil))
}

func serveReference(nc net.Conn, layer loop.Layer) {
	w := connWriter{nc}
	dec := codec.NewDecoder()
	var f codec.Frame
	var out []byte
	deliver := func(p []byte) error {
		for len(p) > 0 {
			n, k, err := dec.Decode(p, &f)
			if err != nil {
				return err
			}
			p = p[n:]
			if k != codec.GotFrame {
				continue
			}
			var reply *codec.Frame
			switch f.Command {
			case codec.Connect, codec.Stomp:
				reply = codec.New(codec.Connected, codec.HdrVersion, "1.2")
				dec.SetVersion(codec.V12)
			case codec.Send:
				reply = codec.New(codec.Message, codec.HdrDestination, f.Header.Get(codec.HdrDestination),
					codec.HdrMessageID, "1", codec.HdrSubscription, "s1")
				reply.Body = f.Body
			default:
				continue
			}
			out, _ = codec.Encoder{Version: codec.V12}.Append(out[:0], reply)
			if err := layer.Outbound(out, w); err != nil {
				return err
			}
		}
		return nil
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := nc.Read(buf)
		if n > 0 {
			if layer.Inbound(buf[:n], w, deliver) != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func TestServerLayerOnBlockingTLS13(t *testing.T) {
	srvCfg, cliCfg := tlsConfigs(t)
	srvCfg.MinVersion = tls.VersionTLS13
	r := startReference(t, srvCfg)
	e := newEngine(t)
	cl, err := websocket.NewClient(websocket.Config{TLS: cliCfg})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		rec := newClient()
		lc, err := e.Dial(t.Context(), r.ln.Addr().String(), loop.DialConfig{Handshake: cl.Handshake}, loop.ConnConfig{Handler: rec})
		if err != nil {
			t.Fatal(err)
		}
		write(t, lc, 0, codec.New(codec.Connect, codec.HdrAcceptVersion, "1.2", codec.HdrHost, "/"))
		rec.next(t, codec.Connected)
		lc.Decoder().SetVersion(codec.V12)
		body := bytes.Repeat([]byte("tls 1.3\x00"), 1<<15) // many records
		send := codec.New(codec.Send, codec.HdrDestination, "/queue/a")
		send.Body = body
		write(t, lc, codec.V12, send)
		if m := rec.next(t, codec.Message); !bytes.Equal(m.Body, body) {
			t.Fatalf("MESSAGE body of %d bytes differs", len(m.Body))
		}
		lc.Close(nil)
		if err := <-rec.closed; err != nil {
			t.Fatal(err)
		}
	}
}
