package websocket_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/loop"
	"github.com/stampede-mq/stampede/websocket"
	"github.com/stampede-mq/stampede/websocket/wstest"
)

// frames is a loop.Handler that hands frames to a channel.
type frames chan *codec.Frame

func (frames) OnOpen(*loop.Conn)                       {}
func (ch frames) OnFrame(_ *loop.Conn, f *codec.Frame) { ch <- f.Clone() }
func (frames) OnHeartBeat(*loop.Conn)                  {}
func (frames) OnClose(*loop.Conn, error)               {}

// A STOMP client over WebSocket on an event loop engine: the handshake
// runs on the dialing goroutine, the connection on a loop.
func Example() {
	srv, _ := wstest.Start(wstest.Options{}) // a STOMP over WebSocket test server
	defer srv.Close()
	eng, _ := loop.NewEngine(loop.WithLoops(1))
	defer eng.Close()

	u, _ := url.Parse(srv.URL())
	cl, err := websocket.NewClient(websocket.Config{Path: u.Path, Versions: []codec.Version{codec.V11, codec.V12}})
	if err != nil {
		panic(err)
	}
	var layer loop.Layer
	handshake := func(ctx context.Context, nc net.Conn) (loop.Layer, []byte, error) {
		l, rest, err := cl.Handshake(ctx, nc)
		layer = l
		return l, rest, err
	}
	ch := make(frames, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	lc, err := eng.Dial(ctx, u.Host, loop.DialConfig{Handshake: handshake}, loop.ConnConfig{Handler: ch})
	if err != nil {
		panic(err)
	}
	v := layer.(websocket.Negotiated).Version()
	connect := codec.New(codec.Connect, codec.HdrAcceptVersion, v.String(), codec.HdrHost, "/")
	_ = lc.WriteFrame(ctx, loop.Wait, codec.Encoder{}, connect)
	connected := <-ch
	fmt.Println("subprotocol:", layer.(websocket.Negotiated).Protocol())
	fmt.Println(connected.Command, connected.Header.Get(codec.HdrVersion))
	lc.Close(nil)
	<-lc.Done()
	// Output:
	// subprotocol: v12.stomp
	// CONNECTED 1.2
}
