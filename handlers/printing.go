package handlers

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/stampede-mq/stampede/codec"
)

// DefaultPrintBodyLimit is how many bytes of a body [Printing] shows by
// default.
const DefaultPrintBodyLimit = 1024

// Direction prefixes of [Printing]'s lines.
const (
	// Outbound marks what the client does: connecting, sending a frame,
	// disconnecting.
	Outbound = ">>>"
	// Inbound marks what the server sends and what happens to the
	// connection.
	Inbound = "<<<"
)

// PrintingOption configures [NewPrinting] and [NewPrintingLogger].
type PrintingOption func(*Printing)

// PrintBodyLimit sets how much of a text body is shown: at most n bytes
// when n > 0 (default [DefaultPrintBodyLimit]), none when n == 0, all of
// it when n < 0. A binary body is shown as its size.
func PrintBodyLimit(n int) PrintingOption {
	return func(p *Printing) { p.body = n }
}

// PrintSensitiveHeaders replaces the set of headers whose values are shown
// as [Masked] (default: passcode only). Names match without
// regard to case. The passcode header is masked whatever the set.
func PrintSensitiveHeaders(names ...string) PrintingOption {
	return func(p *Printing) { p.sensitive = newSensitiveSet(names) }
}

// PrintLevel sets the level of the records of a Printing made by
// [NewPrintingLogger] (default slog.LevelInfo, as stomp.py's
// print_to_log). It does nothing for one that writes to an io.Writer.
func PrintLevel(l slog.Level) PrintingOption {
	return func(p *Printing) { p.level = l }
}

// Printing is a [Listener] that shows every event and frame, like stomp.py's
// PrintingListener: one line per event, prefixed with its direction
// ([Outbound] ">>>" or [Inbound] "<<<") and named after stomp.py's
// callback, with the frame's command, headers (sensitive values masked)
// and text body:
//
//	>>> on_connecting localhost:61613
//	<<< on_connected CONNECTED {version:1.2, heart-beat:0,0}
//	>>> on_send SEND {destination:/queue/a, passcode:********} hello
//	<<< on_message MESSAGE {destination:/queue/a, message-id:1} hello
//	<<< on_disconnected cause=EOF
//
// Control characters in values and bodies are escaped, so every event is
// one line. OnBeforeMessage is not shown: the frame appears once, in
// on_message, as the handlers see it.
//
// Lines are written whole, under a lock, so one Printing may be shared by
// many connections and OnSend may run concurrently with the others. Write
// errors are ignored: printing must not disturb the connection.
type Printing struct {
	Base

	w         io.Writer
	logger    *slog.Logger
	level     slog.Level
	body      int
	sensitive sensitiveSet

	mu sync.Mutex // serialises writes to w
}

// NewPrinting returns a Printing that writes lines to w (os.Stdout when w is
// nil, where stomp.py prints).
func NewPrinting(w io.Writer, opts ...PrintingOption) *Printing {
	if w == nil {
		w = os.Stdout
	}
	return newPrinting(&Printing{w: w}, opts)
}

// NewPrintingLogger returns a Printing that logs each event as a record on
// l (slog.Default() when l is nil): the message is the event name
// ("on_message") and the attributes are direction, command, headers (a
// group), body, and addr or cause or error where they apply.
func NewPrintingLogger(l *slog.Logger, opts ...PrintingOption) *Printing {
	if l == nil {
		l = slog.Default()
	}
	return newPrinting(&Printing{logger: l}, opts)
}

func newPrinting(p *Printing, opts []PrintingOption) *Printing {
	p.level = slog.LevelInfo
	p.body = DefaultPrintBodyLimit
	p.sensitive = newSensitiveSet(nil)
	for _, o := range opts {
		if o != nil {
			o(p)
		}
	}
	return p
}

// OnConnecting prints ">>> on_connecting addr".
func (p *Printing) OnConnecting(addr string) { p.event(Outbound, "on_connecting", nil, "addr", addr) }

// OnConnected prints the CONNECTED frame.
func (p *Printing) OnConnected(f *codec.Frame) { p.event(Inbound, "on_connected", f, "", "") }

// OnDisconnecting prints ">>> on_disconnecting".
func (p *Printing) OnDisconnecting() { p.event(Outbound, "on_disconnecting", nil, "", "") }

// OnDisconnected prints "<<< on_disconnected", with the cause if any.
func (p *Printing) OnDisconnected(cause error) {
	p.event(Inbound, "on_disconnected", nil, "cause", errorText(cause))
}

// OnHeartbeatTimeout prints "<<< on_heartbeat_timeout".
func (p *Printing) OnHeartbeatTimeout() { p.event(Inbound, "on_heartbeat_timeout", nil, "", "") }

// OnMessage prints the MESSAGE frame.
func (p *Printing) OnMessage(m *Message) {
	var f *codec.Frame
	if m != nil {
		f = m.Frame
	}
	p.event(Inbound, "on_message", f, "", "")
}

// OnReceipt prints the RECEIPT frame.
func (p *Printing) OnReceipt(f *codec.Frame) { p.event(Inbound, "on_receipt", f, "", "") }

// OnError prints the ERROR frame, or the error when there is no frame.
func (p *Printing) OnError(f *codec.Frame, err error) {
	if f != nil {
		p.event(Inbound, "on_error", f, "", "")
		return
	}
	p.event(Inbound, "on_error", nil, "error", errorText(err))
}

// OnSend prints the frame about to be sent. It runs on the sending
// goroutine, like every OnSend.
func (p *Printing) OnSend(f *codec.Frame) { p.event(Outbound, "on_send", f, "", "") }

// OnHeartbeat prints "<<< on_heartbeat".
func (p *Printing) OnHeartbeat() { p.event(Inbound, "on_heartbeat", nil, "", "") }

// OnReconnected prints the new CONNECTED frame.
func (p *Printing) OnReconnected(f *codec.Frame) { p.event(Inbound, "on_reconnected", f, "", "") }

// OnClosed prints "<<< on_closed".
func (p *Printing) OnClosed() { p.event(Inbound, "on_closed", nil, "", "") }

// event shows one event: a frame, or one key=value detail, or nothing more.
func (p *Printing) event(dir, name string, f *codec.Frame, key, value string) {
	if p.logger != nil {
		p.log(dir, name, f, key, value)
		return
	}
	b := make([]byte, 0, 128)
	b = append(b, dir...)
	b = append(b, ' ')
	b = append(b, name...)
	switch {
	case f != nil:
		b = append(b, ' ')
		b = p.appendFrame(b, f)
	case key == "addr":
		b = append(b, ' ')
		b = appendReadable(b, value, 0)
	case value != "":
		b = append(b, ' ')
		b = append(b, key...)
		b = append(b, '=')
		b = appendReadable(b, value, 0)
	}
	b = append(b, '\n')
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = p.w.Write(b)
}

// appendFrame appends "COMMAND {k:v, ...} body".
func (p *Printing) appendFrame(b []byte, f *codec.Frame) []byte {
	b = appendReadable(b, string(f.Command), 0)
	b = append(b, " {"...)
	for i, h := range f.Header {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendReadable(b, h.Key, 0)
		b = append(b, ':')
		b = appendReadable(b, p.sensitive.value(h.Key, h.Value), 0)
	}
	b = append(b, '}')
	if len(f.Body) > 0 && p.body != 0 {
		b = append(b, ' ')
		b = appendBody(b, f, max(p.body, 0))
	}
	return b
}

// log shows one event as a slog record.
func (p *Printing) log(dir, name string, f *codec.Frame, key, value string) {
	ctx := context.Background()
	if !p.logger.Enabled(ctx, p.level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.String("direction", dir))
	if f != nil {
		hs := make([]slog.Attr, len(f.Header))
		for i, h := range f.Header {
			hs[i] = slog.String(h.Key, p.sensitive.value(h.Key, h.Value))
		}
		attrs = append(attrs,
			slog.String("command", string(f.Command)),
			slog.Attr{Key: "headers", Value: slog.GroupValue(hs...)})
		if len(f.Body) > 0 && p.body != 0 {
			attrs = append(attrs, slog.String("body", bodyValue(f, max(p.body, 0))))
		}
	} else if value != "" {
		attrs = append(attrs, slog.String(key, value))
	}
	p.logger.LogAttrs(ctx, p.level, name, attrs...)
}

// errorText returns err.Error(), or "" for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
