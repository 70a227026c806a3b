package handlers

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stampede-mq/stampede/codec"
)

// This file renders frames for people ([Log], [Printing]): it masks
// sensitive header values and makes header values and bodies safe to put on
// one line of a log.

// Masked is what [Log] and [Printing] show instead of the value of a
// sensitive header. It does not reveal the length of the value.
const Masked = "********"

// sensitiveSet is a set of header names, matched without regard to case. A
// linear scan of a few names is faster than a map and allocates nothing.
type sensitiveSet []string

// newSensitiveSet returns the set of names, always including passcode.
func newSensitiveSet(names []string) sensitiveSet {
	s := sensitiveSet{codec.HdrPasscode}
	for _, n := range names {
		if n != "" && !s.has(n) {
			s = append(s, n)
		}
	}
	return s
}

// has reports whether key is in the set.
func (s sensitiveSet) has(key string) bool {
	for _, n := range s {
		if strings.EqualFold(n, key) {
			return true
		}
	}
	return false
}

// value returns the value to show for the header key.
func (s sensitiveSet) value(key, value string) string {
	if s.has(key) {
		return Masked
	}
	return value
}

// appendReadable appends s to b on one line: control characters and bytes
// that are not UTF-8 are escaped Go-style, so a value cannot forge a log
// line. When max > 0 and s is longer than max bytes, only the first max
// bytes are shown, followed by a note of how many were left out.
func appendReadable(b []byte, s string, max int) []byte {
	s, cut := truncate(s, max)
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != 0x7f && c < utf8.RuneSelf && c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\x`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		case c == '\\':
			b = append(b, `\\`...)
		case r < utf8.RuneSelf:
			b = appendEscapedASCII(b, c)
		case unicode.IsPrint(r):
			b = append(b, s[i:i+size]...)
		default: // U+2028, bidi overrides and such: as \uXXXX
			q := strconv.QuoteRuneToASCII(r)
			b = append(b, q[1:len(q)-1]...)
		}
		i += size
	}
	return appendCut(b, cut)
}

// truncate returns the first max bytes of s, or fewer so as not to split a
// UTF-8 sequence, and the number of bytes left out. max <= 0 keeps all.
func truncate(s string, max int) (string, int) {
	if max <= 0 || len(s) <= max {
		return s, 0
	}
	cut := len(s) - max
	s = s[:max]
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				cut += len(s) - i
				s = s[:i]
			}
			break
		}
	}
	return s, cut
}

// appendCut appends the note that cut bytes were left out, if any.
func appendCut(b []byte, cut int) []byte {
	if cut == 0 {
		return b
	}
	b = append(b, "…(+"...)
	b = strconv.AppendInt(b, int64(cut), 10)
	return append(b, " bytes)"...)
}

const hexDigits = "0123456789abcdef"

// appendEscapedASCII escapes one ASCII control character.
func appendEscapedASCII(b []byte, c byte) []byte {
	switch c {
	case '\n':
		return append(b, `\n`...)
	case '\r':
		return append(b, `\r`...)
	case '\t':
		return append(b, `\t`...)
	}
	return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
}

// readable returns appendReadable(nil, s, max) as a string.
func readable(s string, max int) string {
	if max <= 0 || len(s) <= max {
		plain := true
		for i := 0; i < len(s) && plain; i++ {
			c := s[i]
			plain = c >= 0x20 && c < utf8.RuneSelf && c != 0x7f && c != '\\'
		}
		if plain {
			return s // the common case costs nothing
		}
	}
	return string(appendReadable(nil, s, max))
}

// isText reports whether a body should be shown as text: the content-type
// says so (CONF-17), or there is no content-type and the body is UTF-8
// without control characters other than tab, CR and LF. Many producers
// send text without a content-type; showing it beats showing a size.
func isText(f *codec.Frame) bool {
	if f.Header.Has(codec.HdrContentType) {
		ct, err := f.ContentType()
		return err == nil && ct.Text()
	}
	if !utf8.Valid(f.Body) {
		return false
	}
	for _, c := range f.Body {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// appendBody appends the body of f as readable text (at most max bytes of
// it when max > 0) or, for a binary body, its size.
func appendBody(b []byte, f *codec.Frame, max int) []byte {
	if isText(f) {
		return appendReadable(b, string(f.Body), max)
	}
	return appendBinary(b, len(f.Body))
}

// bodyValue returns the body of f for a structured log, whose handler does
// its own escaping: the text cut to max bytes when max > 0, or the size of
// a binary body.
func bodyValue(f *codec.Frame, max int) string {
	if !isText(f) {
		return string(appendBinary(nil, len(f.Body)))
	}
	s, cut := truncate(string(f.Body), max)
	if cut == 0 {
		return s
	}
	return string(appendCut([]byte(s), cut))
}

// appendBinary describes a binary body of n bytes.
func appendBinary(b []byte, n int) []byte {
	b = append(b, "<binary, "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, " bytes>"...)
}

// headerOf returns the header key of m's frame, or "" when m or its frame
// is nil, so that code reporting a failure cannot fail itself.
func headerOf(m *Message, key string) string {
	if m == nil || m.Frame == nil {
		return ""
	}
	return m.Frame.Header.Get(key)
}
