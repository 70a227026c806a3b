package codec

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// Tests named after the lines of the STOMP conformance checklist they cover.

func TestCONF01_FrameLayoutAndCaseSensitiveCommands(t *testing.T) {
	r := decodeEverySplit(t, V12, "MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:0\n\nhello\x00\n\n")
	if r.err != nil || len(r.frames) != 1 {
		t.Fatalf("got %v", describe(r))
	}
	f := r.frames[0]
	if f.Command != Message || f.Header.Get("destination") != "/queue/a" || string(f.Body) != "hello" {
		t.Fatalf("got %v", f)
	}
	if r.heartbeats != 2 {
		t.Fatalf("trailing EOLs: %d heart-beats, want 2", r.heartbeats)
	}
	// Lower case is not the command: it is an unknown one, kept verbatim.
	r = decodeEverySplit(t, V12, "message\n\n\x00")
	if r.err != nil || r.frames[0].Command != "message" || r.frames[0].Command.Known() {
		t.Fatalf("lower-case command: %v", describe(r))
	}
}

func TestCONF02_CRLFAcceptedFromAnyVersion(t *testing.T) {
	for _, v := range Versions {
		r := decodeEverySplit(t, v, "MESSAGE\r\ndestination:/q\r\nk:v\r\n\r\nbody\x00\r\n")
		if r.err != nil || len(r.frames) != 1 {
			t.Fatalf("%v: %v", v, describe(r))
		}
		f := r.frames[0]
		if f.Header.Get("destination") != "/q" || f.Header.Get("k") != "v" || string(f.Body) != "body" {
			t.Fatalf("%v: %v", v, f)
		}
	}
}

func TestCONF03_EOLsBetweenFramesAreHeartBeatsFrom11(t *testing.T) {
	in := "\n\r\n\nRECEIPT\nreceipt-id:1\n\n\x00\n\nRECEIPT\nreceipt-id:2\n\n\x00"
	for _, tc := range []struct {
		v    Version
		want int
	}{{V10, 0}, {V11, 5}, {V12, 5}} {
		r := decodeEverySplit(t, tc.v, in)
		if r.err != nil || len(r.frames) != 2 || r.heartbeats != tc.want {
			t.Fatalf("%v: %d heart-beats (want %d): %v", tc.v, r.heartbeats, tc.want, describe(r))
		}
	}
}

func TestCONF04_HeaderSplitsAtFirstColonAndEmptyNameIsAnError(t *testing.T) {
	r := decodeEverySplit(t, V10, "MESSAGE\nurl:http://x:80/a\n\n\x00")
	if r.err != nil || r.frames[0].Header.Get("url") != "http://x:80/a" {
		t.Fatalf("%v", describe(r))
	}
	for _, v := range Versions {
		r = decodeEverySplit(t, v, "MESSAGE\n:value\n\n\x00")
		if !errors.Is(r.err, ErrEmptyHeaderName) {
			t.Fatalf("%v: empty name: %v", v, r.err)
		}
		r = decodeEverySplit(t, v, "MESSAGE\nno-colon\n\n\x00")
		if !errors.Is(r.err, ErrMalformedHeader) {
			t.Fatalf("%v: no colon: %v", v, r.err)
		}
	}
	if _, err := Marshal(V12, New(Send, "", "x")); !errors.Is(err, ErrEmptyHeaderName) {
		t.Fatalf("encoding an empty name: %v", err)
	}
}

func TestCONF05_NoTrimming(t *testing.T) {
	for _, v := range []Version{V11, V12} {
		r := decodeEverySplit(t, v, "MESSAGE\n k : v \n\n\x00")
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got, ok := r.frames[0].Header.Lookup(" k "); !ok || got != " v " {
			t.Fatalf("%v: header %q", v, r.frames[0].Header)
		}
	}
	b, err := Marshal(V12, New(Send, "k", " v "))
	if err != nil || !bytes.Contains(b, []byte("\nk: v \n")) {
		t.Fatalf("encode trimmed: %q %v", b, err)
	}
}

func TestCONF06_RepeatedHeaderFirstWinsAllKept(t *testing.T) {
	r := decodeEverySplit(t, V12, "MESSAGE\nfoo:1\nbar:x\nfoo:2\nfoo:3\n\n\x00")
	h := r.frames[0].Header
	if h.Get("foo") != "1" {
		t.Fatalf("Get = %q", h.Get("foo"))
	}
	if got := strings.Join(h.GetAll("foo"), ","); got != "1,2,3" {
		t.Fatalf("GetAll = %q", got)
	}
	// Encoding keeps the order, so the receiver sees the same first value.
	b, _ := Marshal(V12, r.frames[0])
	if !bytes.Contains(b, []byte("foo:1\nbar:x\nfoo:2\nfoo:3\n")) {
		t.Fatalf("%q", b)
	}
}

func TestCONF07_Escaping12(t *testing.T) {
	f := New(Send, "a:b\\c", "line1\nline2\r:\\", "destination", "/q")
	b, err := Marshal(V12, f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`a\cb\\c:line1\nline2\r\c\\`)) {
		t.Fatalf("%q", b)
	}
	r := decodeEverySplit(t, V12, string(b))
	if r.err != nil || r.frames[0].Header.Get("a:b\\c") != "line1\nline2\r:\\" {
		t.Fatalf("%v", describe(r))
	}
	// Every frame but CONNECT/CONNECTED is escaped: ERROR, RECEIPT too.
	for _, cmd := range []Command{Message, Receipt, Error, Subscribe, Ack, Nack, Begin, Commit, Abort, Disconnect, Unsubscribe} {
		b, err := Marshal(V12, New(cmd, "k", "a:b"))
		if err != nil || !bytes.Contains(b, []byte(`k:a\cb`)) {
			t.Fatalf("%s: %q %v", cmd, b, err)
		}
	}
}

func TestCONF08_Escaping11HasNoCR(t *testing.T) {
	b, err := Marshal(V11, New(Send, "k", "a\nb:c\\"))
	if err != nil || !bytes.Contains(b, []byte(`k:a\nb\cc\\`)) {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := Marshal(V11, New(Send, "k", "a\rb")); !errors.Is(err, ErrUnencodable) {
		t.Fatalf("CR in 1.1: %v", err)
	}
	r := decodeEverySplit(t, V11, "MESSAGE\nk:a\\rb\n\n\x00")
	if !errors.Is(r.err, ErrBadEscape) {
		t.Fatalf(`\r in 1.1 decoded: %v`, describe(r))
	}
}

func TestCONF09_Version10NeitherEscapesNorUnescapes(t *testing.T) {
	b, err := Marshal(V10, New(Send, "k", `a:b\c`))
	if err != nil || !bytes.Contains(b, []byte("k:a:b\\c\n")) {
		t.Fatalf("%q %v", b, err)
	}
	r := decodeEverySplit(t, V10, "MESSAGE\nk:a\\nb\\c\n\n\x00")
	if r.err != nil || r.frames[0].Header.Get("k") != `a\nb\c` {
		t.Fatalf("%v", describe(r))
	}
	for _, bad := range []string{"a\nb", "a\rb"} {
		if _, err := Marshal(V10, New(Send, "k", bad)); !errors.Is(err, ErrUnencodable) {
			t.Fatalf("%q in 1.0: %v", bad, err)
		}
	}
	if _, err := Marshal(V10, New(Send, "a:b", "v")); !errors.Is(err, ErrUnencodable) {
		t.Fatalf("colon in a 1.0 name: %v", err)
	}
}

func TestCONF10_ConnectAndConnectedAreNeverEscaped(t *testing.T) {
	for _, v := range Versions {
		for _, cmd := range []Command{Connect, Stomp} {
			b, err := Marshal(v, New(cmd, "login", "me", "passcode", `pa:ss\w`))
			if err != nil || !bytes.Contains(b, []byte("\npasscode:pa:ss\\w\n")) {
				t.Fatalf("%v %s: %q %v", v, cmd, b, err)
			}
			// A server reading it gets the passcode verbatim.
			r := decodeEverySplit(t, v, string(b))
			if r.err != nil || r.frames[0].Header.Get("passcode") != `pa:ss\w` {
				t.Fatalf("%v: %v", v, describe(r))
			}
		}
		r := decodeEverySplit(t, v, "CONNECTED\nversion:1.2\nserver:a\\cb\n\n\x00")
		if r.err != nil || r.frames[0].Header.Get("server") != `a\cb` {
			t.Fatalf("%v CONNECTED: %v", v, describe(r))
		}
		if _, err := Marshal(v, New(Connect, "passcode", "a\nb")); !errors.Is(err, ErrUnencodable) {
			t.Fatalf("LF in CONNECT: %v", err)
		}
	}
}

func TestCONF11_UnescapeIsOnePass(t *testing.T) {
	r := decodeEverySplit(t, V12, "MESSAGE\nk:\\\\n\n\n\x00")
	if r.err != nil || r.frames[0].Header.Get("k") != `\n` {
		t.Fatalf(`\\n decoded to %q: %v`, r.frames[0].Header.Get("k"), describe(r))
	}
	r = decodeEverySplit(t, V12, "MESSAGE\nk:\\\\\\\\c\\c\n\n\x00")
	if r.err != nil || r.frames[0].Header.Get("k") != `\\c:` {
		t.Fatalf("%v", describe(r))
	}
}

func TestCONF12_UndefinedEscapeIsAnError(t *testing.T) {
	for _, v := range []Version{V11, V12} {
		for _, in := range []string{"MESSAGE\nk:a\\tb\n\n\x00", "MESSAGE\nk:ab\\\n\n\x00", "MESSAGE\nk\\x:v\n\n\x00"} {
			r := decodeEverySplit(t, v, in)
			var se *SyntaxError
			if !errors.Is(r.err, ErrBadEscape) || !errors.As(r.err, &se) || se.Command != Message {
				t.Fatalf("%v %q: %v", v, in, r.err)
			}
		}
	}
}

func TestCONF13_ContentLengthBodyIsExactAndEndsWithNUL(t *testing.T) {
	body := "a\x00b\x00\x00c"
	in := "MESSAGE\ncontent-length:6\n\n" + body + "\x00MESSAGE\n\nnext\x00"
	r := decodeEverySplit(t, V12, in)
	if r.err != nil || len(r.frames) != 2 || string(r.frames[0].Body) != body || string(r.frames[1].Body) != "next" {
		t.Fatalf("%v", describe(r))
	}
	r = decodeEverySplit(t, V12, "MESSAGE\ncontent-length:3\n\nabcd\x00")
	if !errors.Is(r.err, ErrMissingNUL) {
		t.Fatalf("missing NUL: %v", r.err)
	}
	for _, cl := range []string{"-1", "x", "1 ", "", "0x10"} {
		r = decodeEverySplit(t, V12, "MESSAGE\ncontent-length:"+cl+"\n\n\x00")
		if !errors.Is(r.err, ErrBadContentLength) {
			t.Fatalf("content-length %q: %v", cl, r.err)
		}
	}
	// The first content-length counts (CONF-6).
	r = decodeEverySplit(t, V12, "MESSAGE\ncontent-length:2\ncontent-length:5\n\nab\x00")
	if r.err != nil || string(r.frames[0].Body) != "ab" {
		t.Fatalf("%v", describe(r))
	}
}

func TestCONF14_WithoutContentLengthBodyEndsAtFirstNUL(t *testing.T) {
	r := decodeEverySplit(t, V12, "MESSAGE\ndestination:/q\n\nhello world\x00rest\x00")
	// "rest" starts a second frame whose command line has not ended yet.
	if r.err != nil || len(r.frames) != 1 || string(r.frames[0].Body) != "hello world" {
		t.Fatalf("%v", describe(r))
	}
}

func TestCONF15_SendCarriesByteContentLengthByDefault(t *testing.T) {
	body := []byte("héllo\x00") // 7 bytes, 6 runes
	f := &Frame{Command: Send, Header: Header{{"destination", "/q"}, {"content-length", "999"}}, Body: body}
	b, err := Marshal(V12, f)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte("content-length")) != 1 || !bytes.Contains(b, []byte("content-length:7\n")) {
		t.Fatalf("%q", b)
	}
	b, err = Encoder{Version: V12, OmitContentLength: true}.Append(nil, New(Send, "destination", "/q"))
	if err != nil || bytes.Contains(b, []byte("content-length")) {
		t.Fatalf("opt-out: %q %v", b, err)
	}
	if _, err := (Encoder{Version: V12, OmitContentLength: true}).Append(nil, f); !errors.Is(err, ErrUnencodable) {
		t.Fatalf("NUL without content-length: %v", err)
	}
}

func TestCONF16_OnlySendMessageErrorCarryABody(t *testing.T) {
	for _, in := range []string{"CONNECTED\nversion:1.2\n\nx\x00", "RECEIPT\nreceipt-id:1\ncontent-length:1\n\nx\x00"} {
		r := decodeEverySplit(t, V12, in)
		if !errors.Is(r.err, ErrUnexpectedBody) {
			t.Fatalf("%q: %v", in, r.err)
		}
	}
	for _, cmd := range []Command{Send, Message, Error} {
		if _, err := Marshal(V12, &Frame{Command: cmd, Body: []byte("x")}); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	if _, err := Marshal(V12, &Frame{Command: Subscribe, Body: []byte("x")}); !errors.Is(err, ErrUnexpectedBody) {
		t.Fatalf("SUBSCRIBE with a body: %v", err)
	}
	// A bodiless frame gets no content-length.
	b, _ := Marshal(V12, New(Receipt, "receipt-id", "1"))
	if bytes.Contains(b, []byte("content-length")) {
		t.Fatalf("%q", b)
	}
}

func TestCONF17_ContentType(t *testing.T) {
	for _, tc := range []struct {
		header, media, charset string
		text                   bool
	}{
		{"", "", "", false},
		{"application/octet-stream", "application/octet-stream", "", false},
		{"text/plain", "text/plain", "utf-8", true},
		{"text/plain;charset=ISO-8859-1", "text/plain", "iso-8859-1", true},
		{"application/json", "application/json", "utf-8", true},
		{"application/x-custom; charset=utf-16", "application/x-custom", "utf-16", true},
	} {
		f := &Frame{Command: Message}
		if tc.header != "" {
			f.Header.Set("content-type", tc.header)
		}
		ct, err := f.ContentType()
		if err != nil || ct.MediaType != tc.media || ct.Charset != tc.charset || ct.Text() != tc.text {
			t.Fatalf("%q: %+v %v", tc.header, ct, err)
		}
	}
	if _, err := New(Message, "content-type", "/;;").ContentType(); err == nil {
		t.Fatal("bad content-type accepted")
	}
}

func TestCONF18_LimitsBeforeAllocation(t *testing.T) {
	lim := Limits{MaxFrameSize: 1 << 10, MaxHeaders: 4, MaxHeaderLine: 48}
	cases := []struct {
		in   string
		want error
	}{
		{"MESSAGE\ncontent-length:4294967296\n\n", ErrBodyTooLarge},
		{"MESSAGE\ncontent-length:99999999999999999999999999\n\n", ErrBodyTooLarge},
		{"MESSAGE\ncontent-length:1020\n\n", ErrFrameTooLarge},
		{"MESSAGE\n" + strings.Repeat("a:b\n", 5) + "\n\x00", ErrTooManyHeaders},
		{"MESSAGE\nk:" + strings.Repeat("v", 60) + "\n\n\x00", ErrHeaderLineTooLong},
		{"MESSAGE\nk:" + strings.Repeat("v", 60), ErrHeaderLineTooLong}, // no EOL yet
		{strings.Repeat("X", 60), ErrHeaderLineTooLong},
		{"MESSAGE\n\n" + strings.Repeat("b", 1020), ErrFrameTooLarge},
	}
	for _, tc := range cases {
		r := decodeEverySplit(t, V12, tc.in, WithLimits(lim))
		if !errors.Is(r.err, tc.want) {
			t.Fatalf("%.40q: got %v, want %v", tc.in, r.err, tc.want)
		}
	}
	// A 4 GiB announcement allocates nothing for the body: what a refused
	// frame costs is the error value and the header bytes, a few KiB at most.
	in := []byte("MESSAGE\ncontent-length:4294967296\n\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		var f Frame
		if _, _, err := NewDecoder().Decode(in, &f); !errors.Is(err, ErrBodyTooLarge) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 100; per > 16<<10 {
		t.Fatalf("%d bytes allocated per refused 4 GiB frame", per)
	}
	// Within the limits is fine, exactly at them too.
	r := decodeEverySplit(t, V12, "MESSAGE\nk:"+strings.Repeat("v", 30)+"\n\n\x00", WithLimits(lim))
	if r.err != nil {
		t.Fatal(r.err)
	}
}

func TestMaxSizeBoundsAppend(t *testing.T) {
	for _, f := range []*Frame{
		New(Send, "destination", "/q"),
		{Command: Message, Header: Header{{"k", strings.Repeat("\\:\n\r", 50)}}, Body: []byte("body")},
		New(Connect, "login", "u", "passcode", "p"),
		{Command: Error, Body: make([]byte, 1000)},
	} {
		for _, v := range Versions {
			e := Encoder{Version: v}
			b, err := e.Append(nil, f)
			if err != nil {
				continue
			}
			if len(b) > e.MaxSize(f) {
				t.Fatalf("%v %v: %d bytes, MaxSize %d", v, f.Command, len(b), e.MaxSize(f))
			}
		}
	}
}
