package population

import (
	"strings"
	"testing"
)

// TestSearchIsBounded: a huge query counts for its first words only, so a
// search costs a few passes over the population whatever is typed.
func TestSearchIsBounded(t *testing.T) {
	huge := strings.Repeat("dubois angela ", 30000)
	if got := searchWords(huge); len(got) != 2 || got[0] != "dubois" || got[1] != "angela" {
		t.Errorf("searchWords(huge) = %v", got)
	}
	many := strings.Repeat("a b c d e f g h i j k l ", 100)
	if got := searchWords(many); len(got) != maxSearchWords {
		t.Errorf("%d words kept, want %d", len(got), maxSearchWords)
	}
	if got := searchWords(strings.Repeat("é", 1000)); len(strings.Join(got, "")) > maxSearchBytes {
		t.Errorf("query not cut: %d bytes", len(strings.Join(got, "")))
	}
}
