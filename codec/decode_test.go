package codec

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeManyFramesInOneBuffer(t *testing.T) {
	var in strings.Builder
	for i := range 50 {
		fmt.Fprintf(&in, "MESSAGE\nmessage-id:%d\ncontent-length:%d\n\n%s\x00\n", i, len(fmt.Sprint(i)), fmt.Sprint(i))
	}
	d := NewDecoder(WithVersion(V12))
	r := decodeChunks(d, []byte(in.String()))
	if r.err != nil || len(r.frames) != 50 || r.heartbeats != 50 {
		t.Fatalf("%d frames, %d heart-beats, %v", len(r.frames), r.heartbeats, r.err)
	}
	for i, f := range r.frames {
		if f.Header.Get("message-id") != fmt.Sprint(i) || string(f.Body) != fmt.Sprint(i) {
			t.Fatalf("frame %d: %v", i, f)
		}
	}
	if d.Offset() != int64(in.Len()) {
		t.Fatalf("offset %d, want %d", d.Offset(), in.Len())
	}
}

func TestDecodeLargeBodyOneByteAtATime(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef\x00"), 4000) // 68 KB with NULs
	frame, err := Marshal(V12, &Frame{Command: Message, Header: Header{{"destination", "/q"}}, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(WithVersion(V12))
	var chunks [][]byte
	for i := range frame {
		chunks = append(chunks, frame[i:i+1])
	}
	r := decodeChunks(d, chunks...)
	if r.err != nil || len(r.frames) != 1 || !bytes.Equal(r.frames[0].Body, body) {
		t.Fatalf("%v", r.err)
	}
	if d.Buffered() != 0 {
		t.Fatalf("%d bytes still buffered", d.Buffered())
	}
}

func TestDecodedFramesDoNotShareWritableMemory(t *testing.T) {
	d := NewDecoder(WithVersion(V12))
	r := decodeChunks(d, []byte("MESSAGE\na:1\n\nfirst\x00MESSAGE\nb:2\n\nsecond\x00"))
	first, second := r.frames[0], r.frames[1]
	// Decode into frames directly (no Clone) to test the arena itself.
	d = NewDecoder(WithVersion(V12))
	var f1, f2 Frame
	in := []byte("MESSAGE\na:1\n\nfirst\x00MESSAGE\nb:2\n\nsecond\x00")
	n, _, _ := d.Decode(in, &f1)
	d.Decode(in[n:], &f2)
	f1.Body = append(f1.Body, "-appended"...)
	f1.Header = append(f1.Header, Field{"c", "3"})
	if string(f2.Body) != "second" || len(f2.Header) != 1 || f2.Header[0] != (Field{"b", "2"}) {
		t.Fatalf("second frame clobbered: %v %q", f2, f2.Body)
	}
	// The input buffer may be reused at once: decoded frames copied what they keep.
	for i := range in {
		in[i] = 'X'
	}
	if f2.Header.Get("b") != "2" || string(f2.Body) != "second" {
		t.Fatal("frame refers to the input buffer")
	}
	_, _ = first, second
}

func TestDecoderStaysFailed(t *testing.T) {
	d := NewDecoder(WithVersion(V12))
	var f Frame
	_, _, err := d.Decode([]byte("MESSAGE\n:x\n\n\x00"), &f)
	if !errors.Is(err, ErrEmptyHeaderName) {
		t.Fatal(err)
	}
	n, _, err2 := d.Decode([]byte("MESSAGE\n\n\x00"), &f)
	if n != 0 || !errors.Is(err2, ErrEmptyHeaderName) || d.Err() == nil {
		t.Fatalf("after failure: n=%d err=%v", n, err2)
	}
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 0 || !strings.Contains(se.Error(), "MESSAGE") {
		t.Fatalf("%#v", se)
	}
}

func TestSyntaxErrorOffsetPointsAtTheBrokenFrame(t *testing.T) {
	good := "RECEIPT\nreceipt-id:1\n\n\x00"
	r := decodeChunks(NewDecoder(WithVersion(V12)), []byte(good+"\nMESSAGE\nk:\\t\n\n\x00"))
	var se *SyntaxError
	if len(r.frames) != 1 || !errors.As(r.err, &se) || se.Offset != int64(len(good)+1) || se.Header != "k" {
		t.Fatalf("%v %+v", describe(r), se)
	}
}

func TestUnknownCommandIsDecodedForTheSessionToJudge(t *testing.T) {
	r := decodeEverySplit(t, V12, "PING\nx:y\n\nbody\x00")
	if r.err != nil || r.frames[0].Command != "PING" || r.frames[0].Command.Known() || string(r.frames[0].Body) != "body" {
		t.Fatalf("%v", describe(r))
	}
}

func TestLoneCRStartsACommandLine(t *testing.T) {
	r := decodeEverySplit(t, V12, "\rX\n\n\x00")
	if r.err != nil || len(r.frames) != 1 || r.frames[0].Command != "\rX" {
		t.Fatalf("%v", describe(r))
	}
}

func TestUnmarshal(t *testing.T) {
	f, err := Unmarshal([]byte("SEND\ndestination:/q\n\nhi\x00\n\r\n"), V12)
	if err != nil || f.Command != Send || string(f.Body) != "hi" {
		t.Fatalf("%v %v", f, err)
	}
	for _, bad := range []string{"", "SEND\n\nhi", "SEND\n\nhi\x00SEND\n\n\x00", "SEND\n:\n\n\x00"} {
		if _, err := Unmarshal([]byte(bad), V12); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestSharedArena(t *testing.T) {
	var a Arena
	d1 := NewDecoder(WithArena(&a), WithVersion(V12))
	d2 := NewDecoder(WithArena(&a), WithVersion(V12))
	r1 := decodeChunks(d1, []byte("MESSAGE\nk:1\n\none\x00"))
	r2 := decodeChunks(d2, []byte("MESSAGE\nk:2\n\ntwo\x00"))
	if string(r1.frames[0].Body) != "one" || string(r2.frames[0].Body) != "two" {
		t.Fatal("shared arena mixed frames up")
	}
}

func TestFrameStringMasksPasscode(t *testing.T) {
	s := New(Connect, "login", "u", "passcode", "secret").String()
	if strings.Contains(s, "secret") || !strings.Contains(s, "passcode:****") {
		t.Fatal(s)
	}
	s = (&Frame{Command: Send, Header: Header{{"destination", "/q"}}, Body: []byte("abc")}).String()
	if s != `SEND destination:"/q" body:3B` {
		t.Fatal(s)
	}
}

func TestFrameContentLength(t *testing.T) {
	n, ok, err := New(Message, "content-length", "12").ContentLength()
	if n != 12 || !ok || err != nil {
		t.Fatal(n, ok, err)
	}
	if _, ok, _ := New(Message).ContentLength(); ok {
		t.Fatal("absent header reported")
	}
	if _, _, err := New(Message, "content-length", "x").ContentLength(); !errors.Is(err, ErrBadContentLength) {
		t.Fatal(err)
	}
}

func TestCommandClassification(t *testing.T) {
	for _, c := range []Command{Connect, Stomp, Send, Subscribe, Unsubscribe, Ack, Nack, Begin, Commit, Abort, Disconnect} {
		if !c.IsClient() || c.IsServer() || !c.Known() {
			t.Fatal(c)
		}
		got, ok := lookupCommand([]byte(c))
		if !ok || got != c {
			t.Fatal(c)
		}
	}
	for _, c := range []Command{Connected, Message, Receipt, Error} {
		if c.IsClient() || !c.IsServer() {
			t.Fatal(c)
		}
		if got, ok := lookupCommand([]byte(c)); !ok || got != c {
			t.Fatal(c)
		}
	}
	if Command("X").Known() || !Command("X").HasBody() || Receipt.HasBody() {
		t.Fatal("classification")
	}
}

func TestArenaServesEverySize(t *testing.T) {
	var a Arena
	for _, n := range []int{1, 2000, 4096, 4097, 10, 16 << 10} {
		if b := a.bytes(n); len(b) != n || cap(b) != n {
			t.Fatalf("%d: len %d cap %d", n, len(b), cap(b))
		}
	}
	for _, n := range []int{1, 64, 65, 200} {
		if f := a.fieldSlice(n); len(f) != 0 || cap(f) != n {
			t.Fatalf("%d fields: cap %d", n, cap(f))
		}
	}
}
