package main

import (
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

func TestSplitLineKeepsTheMessageAsTyped(t *testing.T) {
	a := splitLine("  send\t/queue/a  hello   world \r")
	if !reflect.DeepEqual(a.fields, []string{"send", "/queue/a", "hello", "world"}) {
		t.Fatalf("fields %q", a.fields)
	}
	if got := a.rest(2); got != "hello   world" {
		t.Fatalf("rest %q", got)
	}
	if a.arg(9) != "" || a.rest(9) != "" {
		t.Fatal("past the end")
	}
	if len(splitLine("   ").fields) != 0 {
		t.Fatal("blank line has fields")
	}
}

func TestParseFlagsTakesFlagsAfterArguments(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	n := fs.Int("count", 0, "")
	j := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, []string{"/queue/a", "--count", "3", "-", "--json", "--", "--not-a-flag"})
	if err != nil {
		t.Fatal(err)
	}
	if *n != 3 || !*j || !reflect.DeepEqual(pos, []string{"/queue/a", "-", "--not-a-flag"}) {
		t.Fatalf("count %d json %v pos %q", *n, *j, pos)
	}
}

func TestAppendBlockMasksPasscodesAndEscapes(t *testing.T) {
	h := codec.Header{{Key: "passcode", Value: "secret"}, {Key: "x", Value: "a\x1b[2Jb"}}
	got := string(appendBlock(nil, "ERROR", h, "body"))
	want := "ERROR\npasscode: ********\nx: a\\x1b[2Jb\n\nbody\n\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestDisplayBodySummarisesBinary(t *testing.T) {
	f := codec.New(codec.Message, codec.HdrContentType, "image/png")
	f.Body = []byte("\x89PNG\r\n\x1a\n0123456789")
	got := displayBody(f)
	if !strings.HasPrefix(got, "(binary body: 18 bytes, image/png: 89 50 4e 47") || !strings.HasSuffix(got, " ...)") {
		t.Fatal(got)
	}
	f.Body = []byte("héllo\n\twörld")
	if displayBody(f) != "héllo\n\twörld" {
		t.Fatal("text changed")
	}
}

func TestAppendJSONUsesBase64OnlyForBinary(t *testing.T) {
	f := codec.New(codec.Message, codec.HdrDestination, "/queue/a", "k", "1", "k", "2")
	f.Body = []byte("hi")
	got, _ := appendJSON(nil, f)
	if string(got) != `{"destination":"/queue/a","headers":{"destination":"/queue/a","k":"1"},"body":"hi"}`+"\n" {
		t.Fatal(string(got))
	}
	f.Body = []byte{0xff, 0}
	got, _ = appendJSON(nil, f)
	if !strings.Contains(string(got), `"body_base64":"/wA="`) || strings.Contains(string(got), `"body"`) {
		t.Fatal(string(got))
	}
}

func TestFileContentDecodesOnlyStompPyBase64(t *testing.T) {
	raw := []byte("plain text, not base64!")
	f := codec.New(codec.Message, hdrFilename, "a.txt")
	f.Body = []byte(base64.StdEncoding.EncodeToString(raw) + "\n")
	if got := fileContent(f); string(got) != string(raw) {
		t.Fatalf("stomp.py body: %q", got)
	}
	f.Body = raw
	if got := fileContent(f); string(got) != string(raw) {
		t.Fatalf("not base64: %q", got)
	}
	f = codec.New(codec.Message, hdrFilename, "a.txt", codec.HdrContentType, fileContentType)
	f.Body = []byte("aGVsbG8=") // valid base64, but sent as bytes
	if got := fileContent(f); string(got) != "aGVsbG8=" {
		t.Fatalf("with content-type: %q", got)
	}
}

func TestSaveFileNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, name := range []string{"report.txt", "../../report.txt", "/etc/report.txt", "..", ".profile", ".profile"} {
		p, err := saveFile(dir, name, []byte{byte('a' + i)})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(p))
		if filepath.Dir(p) != dir {
			t.Fatalf("%q saved outside: %s", name, p)
		}
	}
	want := []string{"report.txt", "report-1.txt", "report-2.txt", "stampede-file", ".profile", ".profile-1"}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("saved as %q, want %q", paths, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.txt")); string(b) != "a" {
		t.Fatalf("first file overwritten: %q", b)
	}
}

// message makes a received message for the ack book.
func message(ack, sub, mode, id string) *handlers.Message {
	f := codec.New(codec.Message, codec.HdrMessageID, id, codec.HdrSubscription, sub, codec.HdrAck, ack)
	return &handlers.Message{Frame: f, Subscription: sub, AckMode: mode}
}

func TestAckBookFindsMessagesPerVersion(t *testing.T) {
	var b ackBook
	b.add(&handlers.Message{Frame: codec.New(codec.Message), AckMode: "auto"}) // not kept
	m1, m2, m3 := message("a1", "1", "client", "m1"), message("a2", "1", "client", "m2"), message("a3", "2", "client-individual", "m3")
	b.add(m1)
	b.add(m2)
	b.add(m3)
	if got := b.ids(codec.V12); !reflect.DeepEqual(got, []string{"a1", "a2", "a3"}) {
		t.Fatalf("ids %q", got)
	}
	if _, err := b.take(codec.V12, []string{"zz"}); err == nil || !strings.Contains(err.Error(), "waiting: a1, a2, a3") {
		t.Fatalf("unknown id: %v", err)
	}
	// In client mode an ack covers the earlier messages of the subscription.
	if m, err := b.take(codec.V12, []string{"a2"}); err != nil || m != m2 {
		t.Fatalf("take a2: %v", err)
	}
	if got := b.ids(codec.V12); !reflect.DeepEqual(got, []string{"a3"}) {
		t.Fatalf("after cumulative ack: %q", got)
	}
	if m, err := b.take(codec.V11, []string{"m3", "2"}); err != nil || m != m3 {
		t.Fatalf("take 1.1: %v", err)
	}
	b.add(m1)
	if _, err := b.take(codec.V11, []string{"m1", "9"}); err == nil {
		t.Fatal("wrong subscription accepted")
	}
	if m, err := b.take(codec.V10, []string{"m1"}); err != nil || m != m1 {
		t.Fatalf("take 1.0: %v", err)
	}
}
