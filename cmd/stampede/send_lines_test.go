package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/codec"
)

// lineSink records what sendLines sends; nothing else is called.
type lineSink struct {
	stompClient
	sent chan sentLine
}

type sentLine struct {
	body    string
	receipt bool
}

func (s *lineSink) send(_ context.Context, _ string, body []byte, _ codec.Header, _ clientTx, receipt bool) (string, error) {
	s.sent <- sentLine{string(body), receipt}
	return "", nil
}

// Each line goes out as soon as it is read, not when the next one comes
// (`tail -f | stampede send --lines`); the last line of each burst asks for
// the receipt.
func TestSendLinesSendsEachLineAtOnce(t *testing.T) {
	pr, pw := io.Pipe()
	sink := &lineSink{sent: make(chan sentLine, 16)}
	done := make(chan error, 1)
	go func() { done <- sendLines(context.Background(), sink, "/topic/logs", pr, nil, true) }()
	expect := func(want ...sentLine) {
		t.Helper()
		for _, w := range want {
			select {
			case got := <-sink.sent:
				if got != w {
					t.Fatalf("sent %+v, want %+v", got, w)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%+v not sent", w)
			}
		}
	}
	go io.WriteString(pw, "one\n")
	expect(sentLine{"one", true})
	go io.WriteString(pw, "two\r\nthree\n")
	expect(sentLine{"two", false}, sentLine{"three", true})
	go func() { io.WriteString(pw, "\nlast, no newline"); pw.Close() }()
	expect(sentLine{"", false}, sentLine{"last, no newline", true})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
