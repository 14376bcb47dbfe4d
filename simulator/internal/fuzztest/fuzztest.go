// Package fuzztest holds what the fuzz targets of every emulated service
// share: which inputs an HTTP client could send at all, and what no answer
// may show.
package fuzztest

import (
	"net/url"
	"strings"
	"testing"
)

// Sendable skips an input no HTTP client could send: a request target with
// a space or a control character, a header value with a control character
// (the server refuses both before any handler runs).
func Sendable(t *testing.T, target string, headerValues ...string) {
	t.Helper()
	if _, err := url.ParseRequestURI("/" + target); err != nil || strings.ContainsAny(target, " \t") {
		t.Skip()
	}
	for _, v := range headerValues {
		if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			t.Skip()
		}
	}
}

// leaks are what no answer may show: a Go panic or stack, or the
// sandbox's last-resort 500 message.
var leaks = []string{"goroutine ", "panic:", "runtime error", "erreur interne", "runtime/debug"}

// Leak returns what body shows that no answer may (compared without case),
// unless one of the inputs, as sent or decoded, holds it too (an answer
// may show an input back); "" when there is none.
func Leak(body string, inputs ...string) string {
	lower := strings.ToLower(body)
	for _, leak := range leaks {
		if strings.Contains(lower, leak) && !echoes(inputs, leak) {
			return leak
		}
	}
	return ""
}

// echoes tells whether the inputs, as they are or decoded as a query or a
// path, contain s.
func echoes(inputs []string, s string) bool {
	for _, in := range inputs {
		for _, v := range []string{in, strings.ReplaceAll(in, "+", " ")} {
			if dec, err := url.QueryUnescape(v); err == nil {
				v += dec
			}
			if dec, err := url.PathUnescape(v); err == nil {
				v += dec
			}
			if strings.Contains(strings.ToLower(v), s) {
				return true
			}
		}
	}
	return false
}
