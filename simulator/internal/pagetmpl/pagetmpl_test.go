package pagetmpl

import (
	"html/template"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// TestPagesWithLayout: each page is rendered inside the layout with the
// functions given; the layout is not a page; pages are parsed once, when
// first asked for, whatever the number of readers.
func TestPagesWithLayout(t *testing.T) {
	fsys := fstest.MapFS{
		"t/layout.html": {Data: []byte(`<main>{{template "body" .}}</main>`)},
		"t/a.html":      {Data: []byte(`{{define "body"}}A {{shout .}}{{end}}`)},
		"t/b.html":      {Data: []byte(`{{define "body"}}B{{end}}`)},
	}
	s := New(fsys, "t", template.FuncMap{"shout": strings.ToUpper})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			p, err := s.Lookup("a.html")
			if err != nil {
				t.Error(err)
				return
			}
			var b strings.Builder
			if err := p.Execute(&b, "x"); err != nil || b.String() != "<main>A X</main>" {
				t.Errorf("a.html = %q (%v)", b.String(), err)
			}
		})
	}
	wg.Wait()
	names, err := s.Names()
	slices.Sort(names)
	if err != nil || !slices.Equal(names, []string{"a.html", "b.html"}) {
		t.Errorf("names %q (%v)", names, err)
	}
	if _, err := s.Lookup("layout.html"); err == nil {
		t.Error("the layout is served as a page")
	}
}

// TestBrokenPage: a page that does not parse is an error at every lookup,
// never a panic; Warm says nothing.
func TestBrokenPage(t *testing.T) {
	fsys := fstest.MapFS{
		"t/layout.html": {Data: []byte(`<main>{{template "body" .}}</main>`)},
		"t/a.html":      {Data: []byte(`{{define "body"}}{{if}}{{end}}`)},
	}
	s := New(fsys, "t", nil)
	s.Warm()
	for range 2 {
		if _, err := s.Lookup("a.html"); err == nil {
			t.Error("a broken page looked up without error")
		}
	}
}
