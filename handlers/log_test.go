package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stampede-mq/stampede/handlers"
)

// jsonLog captures records as decoded JSON objects.
type jsonLog struct{ buf bytes.Buffer }

func (j *jsonLog) logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(&j.buf, &slog.HandlerOptions{Level: level}))
}

func (j *jsonLog) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(j.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad record %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

func TestLogRecords(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name      string
		handler   handlers.Handler
		opts      []handlers.LogOption
		wantLevel string
		wantMsg   string
		wantErr   string
	}{
		{"success", ok, nil, "INFO", "stomp message handled", ""},
		{"failure", failWith(boom), nil, "ERROR", "stomp message handling failed", "boom"},
		{"levels", failWith(boom), []handlers.LogOption{handlers.LogLevels(slog.LevelDebug, slog.LevelWarn)}, "WARN", "stomp message handling failed", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var j jsonLog
			h := handlers.Log(j.logger(slog.LevelDebug), tc.opts...)(tc.handler)
			err := h.HandleMessage(context.Background(), newMessage("/queue/a", "m-1"))
			if (err != nil) != (tc.wantErr != "") {
				t.Fatalf("Log changed the result: %v", err)
			}
			recs := j.records(t)
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1: %s", len(recs), j.buf.String())
			}
			r := recs[0]
			if r["level"] != tc.wantLevel || r["msg"] != tc.wantMsg || r["destination"] != "/queue/a" ||
				r["message-id"] != "m-1" || r["subscription"] != "sub-1" {
				t.Errorf("record %v", r)
			}
			if _, has := r["duration"]; !has {
				t.Errorf("record has no duration: %v", r)
			}
			if got, _ := r["error"].(string); got != tc.wantErr {
				t.Errorf("error = %q, want %q", got, tc.wantErr)
			}
			for _, key := range []string{"headers", "body"} {
				if _, has := r[key]; has {
					t.Errorf("record has %s by default: %v", key, r)
				}
			}
		})
	}
}

func TestLogDisabledLevels(t *testing.T) {
	var j jsonLog
	calls := 0
	h := handlers.Log(j.logger(slog.LevelError), handlers.LogLevels(slog.LevelDebug, slog.LevelInfo))(
		handlers.HandlerFunc(func(context.Context, *handlers.Message) error {
			calls++
			return errors.New("x")
		}))
	if err := h.HandleMessage(context.Background(), newMessage("/q", "1")); err == nil {
		t.Error("error lost")
	}
	if calls != 1 || j.buf.Len() != 0 {
		t.Errorf("calls = %d, log = %q", calls, j.buf.String())
	}
	// One level enabled: only its outcome is logged.
	j.buf.Reset()
	h = handlers.Log(j.logger(slog.LevelInfo), handlers.LogLevels(slog.LevelDebug, slog.LevelError))(ok)
	if err := h.HandleMessage(context.Background(), newMessage("/q", "1")); err != nil || j.buf.Len() != 0 {
		t.Errorf("success at a disabled level logged %q (err %v)", j.buf.String(), err)
	}
}

func TestLogNeverShowsSensitiveValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []handlers.LogOption
		masked []string
		shown  []string
	}{
		{"default", nil, []string{"passcode"}, []string{"X-Token", "login"}},
		{"own set keeps passcode", []handlers.LogOption{handlers.LogSensitiveHeaders("x-token", "")}, []string{"passcode", "X-Token"}, []string{"login"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var j jsonLog
			h := handlers.Log(j.logger(slog.LevelInfo), append(tc.opts, handlers.LogHeaders(true))...)(ok)
			m := newMessage("/q", "1", "passcode", "s3cret-pass", "X-Token", "s3cret-token", "login", "guest")
			if err := h.HandleMessage(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			hdrs, _ := j.records(t)[0]["headers"].(map[string]any)
			for _, k := range tc.masked {
				if hdrs[k] != handlers.Masked {
					t.Errorf("%s = %v, want masked", k, hdrs[k])
				}
			}
			for _, k := range tc.shown {
				if hdrs[k] == handlers.Masked || hdrs[k] == nil {
					t.Errorf("%s = %v, want its value", k, hdrs[k])
				}
			}
			if strings.Contains(j.buf.String(), "s3cret-pass") {
				t.Errorf("the passcode was logged: %s", j.buf.String())
			}
		})
	}
}

func TestLogBody(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int
		ctype string
		body  string
		want  any // nil: no body attribute
	}{
		{"off by default", 0, "", "hello", nil},
		{"negative is off", -1, "", "hello", nil},
		{"short", 16, "", "hello", "hello"},
		{"cut", 5, "text/plain", "hello world", "hello…(+6 bytes)"},
		{"cut before a multi-byte character", 2, "", "héllo", "h…(+5 bytes)"},
		{"binary", 16, "application/octet-stream", "\x00\x01\x02", "<binary, 3 bytes>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var j jsonLog
			h := handlers.Log(j.logger(slog.LevelInfo), handlers.LogBody(tc.max))(ok)
			m := newMessage("/q", "1")
			if tc.ctype != "" {
				m.Frame.Header.Add("content-type", tc.ctype)
			}
			m.Frame.Body = []byte(tc.body)
			if err := h.HandleMessage(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if got := j.records(t)[0]["body"]; got != tc.want {
				t.Errorf("body = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestLogNilLoggerUsesDefault(t *testing.T) {
	var j jsonLog
	old := slog.Default()
	slog.SetDefault(j.logger(slog.LevelInfo))
	t.Cleanup(func() { slog.SetDefault(old) })
	h := handlers.Log(nil, nil)(ok)
	if err := h.HandleMessage(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	recs := j.records(t)
	if len(recs) != 1 || recs[0]["destination"] != "" || recs[0]["subscription"] != "" {
		t.Errorf("records %v", recs)
	}
}
