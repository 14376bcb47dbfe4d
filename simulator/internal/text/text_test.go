package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"éééé", 3, "ééé…"},
		{"ééé", 3, "ééé"},
		{"a\xffbcd", 3, "a\xffb…"},
		{strings.Repeat("x", 100), 80, strings.Repeat("x", 80) + "…"},
	} {
		got := Shorten(tc.s, tc.n)
		if got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
		if utf8.ValidString(tc.s) && !utf8.ValidString(got) {
			t.Errorf("Shorten(%q, %d) split a rune: %q", tc.s, tc.n, got)
		}
	}
}
