package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// This file renders frames for people and scripts, and saves received
// files.

// hdrFilename marks a message that carries a file (stomp.py's sendfile).
const hdrFilename = "filename"

// fileContentType is the content-type sendfile gives a file; its presence
// also tells a receiver that the body is the file's bytes, not stomp.py's
// base64.
const fileContentType = "application/octet-stream"

// appendBlock appends a frame the way stomp.py's CLI prints one: the
// command, one "key: value" line per header (passcodes masked), then, when
// there is a body, an empty line and the body; an empty line ends it.
func appendBlock(b []byte, command string, h codec.Header, body string) []byte {
	b = append(b, command...)
	b = append(b, '\n')
	for _, f := range h {
		v := f.Value
		if strings.EqualFold(f.Key, codec.HdrPasscode) {
			v = handlers.Masked
		}
		b = append(b, printable(f.Key)...)
		b = append(b, ": "...)
		b = append(b, printable(v)...)
		b = append(b, '\n')
	}
	if body != "" {
		b = append(b, '\n')
		b = append(b, body...)
		if !strings.HasSuffix(body, "\n") {
			b = append(b, '\n')
		}
	}
	return append(b, '\n')
}

// displayBody returns a body as it is shown: text as it is, anything else
// (binary data, or text with control characters that could drive the
// terminal) summarised as its size, content type and first bytes.
func displayBody(f *codec.Frame) string {
	body := f.Body
	if isText(body) {
		return string(body)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "(binary body: %d bytes", len(body))
	if ct := f.Header.Get(codec.HdrContentType); ct != "" {
		fmt.Fprintf(&b, ", %s", printable(ct))
	}
	b.WriteString(":")
	const preview = 16
	for i, c := range body[:min(len(body), preview)] {
		if i == 8 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, " %02x", c)
	}
	if len(body) > preview {
		b.WriteString(" ...")
	}
	b.WriteString(")")
	return b.String()
}

// isText reports whether body is UTF-8 text without control characters
// other than tab, CR and LF.
func isText(body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	for _, r := range string(body) {
		if r == '\n' || r == '\t' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// printable makes a header name or value safe for one terminal line.
func printable(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
			q := strconv.QuoteToGraphic(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

// jsonMessage is one line of "stampede subscribe --json". Headers keep the
// first value of a repeated header, as STOMP does; exactly one of Body and
// BodyBase64 is present.
type jsonMessage struct {
	Destination string            `json:"destination"`
	Headers     map[string]string `json:"headers"`
	Body        *string           `json:"body,omitempty"`
	BodyBase64  *string           `json:"body_base64,omitempty"`
}

// appendJSON appends m as one JSON object and a newline.
func appendJSON(b []byte, f *codec.Frame) ([]byte, error) {
	m := jsonMessage{Destination: f.Header.Get(codec.HdrDestination), Headers: make(map[string]string, len(f.Header))}
	for _, h := range f.Header {
		if _, dup := m.Headers[h.Key]; !dup {
			m.Headers[h.Key] = h.Value
		}
	}
	if utf8.Valid(f.Body) {
		s := string(f.Body)
		m.Body = &s
	} else {
		s := base64.StdEncoding.EncodeToString(f.Body)
		m.BodyBase64 = &s
	}
	j, err := json.Marshal(m)
	if err != nil {
		return b, err
	}
	return append(append(b, j...), '\n'), nil
}

// fileContent returns the file a message carries. sendfile sends the
// bytes themselves with a content-type; stomp.py's sendfile sends them in
// base64 without one. A body without content-type that is valid base64 is
// therefore decoded; anything else is taken as it is.
func fileContent(f *codec.Frame) []byte {
	if f.Header.Has(codec.HdrContentType) {
		return f.Body
	}
	text := bytes.TrimSpace(f.Body)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Strict().Decode(out, text)
	if err != nil {
		return f.Body
	}
	return out[:n]
}

// maxSaveAttempts bounds the search for a free name in saveFile.
const maxSaveAttempts = 10000

// saveFile writes data into dir under the base name of name (a name with
// a directory in it cannot write elsewhere), never overwriting a file:
// when "report.txt" exists it tries "report-1.txt", "report-2.txt" and so
// on. It returns the path written.
func saveFile(dir, name string, data []byte) (string, error) {
	base := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if base == "." || base == ".." || base == "/" || base == "" {
		base = "stampede-file"
	}
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if stem == "" { // ".profile": the whole name is the stem
		stem, ext = base, ""
	}
	for i := range maxSaveAttempts {
		candidate := base
		if i > 0 {
			candidate = stem + "-" + strconv.Itoa(i) + ext
		}
		path := filepath.Join(dir, candidate)
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = fh.Write(data)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return "", err
		}
		return path, nil
	}
	return "", fmt.Errorf("no free name for %q in %s after %d tries", base, dir, maxSaveAttempts)
}
