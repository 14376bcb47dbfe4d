package demoville

import (
	"slices"
	"testing"

	"github.com/bacasable/bacasable/simulator/internal/pagetmpl"
)

// TestEmbeddedPagesParse: the pages, parsed only when first shown or when
// the sandbox warms up, parse, and none is missing.
func TestEmbeddedPagesParse(t *testing.T) {
	names, err := pagetmpl.New(templateFS, "templates", templateFuncs).Names()
	slices.Sort(names)
	want := []string{"cantine.html", "cantine_resultat.html", "compte.html", "erreur.html", "home.html", "stationnement.html", "stationnement_resultat.html"}
	if err != nil || !slices.Equal(names, want) {
		t.Errorf("pages %q (%v), want %q", names, err, want)
	}
}
