package franceconnect

import (
	"slices"
	"testing"

	"github.com/bacasable/bacasable/simulator/internal/pagetmpl"
)

// TestEmbeddedPagesParse: the pages, parsed only when first shown or when
// the sandbox warms up, parse, and none is missing.
func TestEmbeddedPagesParse(t *testing.T) {
	names, err := pagetmpl.New(templateFS, "templates", nil).Names()
	slices.Sort(names)
	if want := []string{"choose.html", "consent.html", "error.html", "login.html", "logout.html"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("pages %q (%v), want %q", names, err, want)
	}
}
