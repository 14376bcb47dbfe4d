// Package text holds the small string helpers the services' messages
// share.
package text

import "unicode/utf8"

// Shorten returns s cut to its first n runes followed by "…" when it has
// more, for quoting what a client sent in a message. It never splits a
// rune.
func Shorten(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}
