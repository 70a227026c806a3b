package codec_test

import (
	"fmt"

	"github.com/stampede-mq/stampede/codec"
)

// Decode frames from bytes that arrive in pieces, as an event loop sees them.
func ExampleDecoder() {
	d := codec.NewDecoder(codec.WithVersion(codec.V12))
	chunks := []string{"MESSAGE\ndestination:/queue/a\nk:a\\cb\n", "\nhel", "lo\x00\n", "\n"}
	for _, c := range chunks {
		p := []byte(c)
		for len(p) > 0 {
			var f codec.Frame
			n, kind, err := d.Decode(p, &f)
			if err != nil {
				fmt.Println("error:", err)
				return
			}
			p = p[n:]
			switch kind {
			case codec.GotFrame:
				fmt.Printf("%s to %s, k=%q: %s\n", f.Command, f.Header.Get("destination"), f.Header.Get("k"), f.Body)
			case codec.GotHeartBeat:
				fmt.Println("heart-beat")
			}
		}
	}
	// Output:
	// MESSAGE to /queue/a, k="a:b": hello
	// heart-beat
	// heart-beat
}

// Encode a SEND into a reusable buffer; the encoder escapes per version and
// writes content-length.
func ExampleEncoder() {
	f := codec.New(codec.Send, "destination", "/queue/a", "note", "x:y")
	f.Body = []byte("hi")
	buf := make([]byte, 0, 256)
	buf, err := codec.Encoder{Version: codec.V12}.Append(buf, f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", buf)
	// Output:
	// "SEND\ndestination:/queue/a\nnote:x\\cy\ncontent-length:2\n\nhi\x00"
}

// Negotiate heart-beats as a client: CONNECT said 10s,10s and the server
// answered 5s,20s.
func ExampleNegotiate() {
	local, _ := codec.ParseHeartBeat("10000,10000")
	remote, _ := codec.ParseHeartBeat("5000,20000")
	send, receive := codec.Negotiate(local, remote)
	fmt.Println(send, receive)
	// Output:
	// 20s 10s
}
