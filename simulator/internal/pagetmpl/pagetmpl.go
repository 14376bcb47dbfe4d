// Package pagetmpl holds the server-rendered pages of an emulated service
// (FranceConnect's, Démoville's): each page of a directory parsed into a
// copy of the directory's layout.html. They are parsed once, the first
// time a page is asked for or when Warm is called: the sandbox answers
// before its pages are parsed (a millisecond and more at every start, for
// pages an API call or a login by header never shows), and the start
// warms them in the background once it listens.
package pagetmpl

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sync"
)

// Set is a directory's pages.
type Set struct {
	parse func() (map[string]*template.Template, error)
}

// New returns the pages of dir in fsys (dir/*.html but layout.html), to
// be parsed with funcs on first use.
func New(fsys fs.FS, dir string, funcs template.FuncMap) *Set {
	return &Set{parse: sync.OnceValues(func() (map[string]*template.Template, error) { return parse(fsys, dir, funcs) })}
}

// Warm parses the pages now, if no page was asked for before.
func (s *Set) Warm() { _, _ = s.parse() }

// Lookup returns page name ("login.html"): an error when the pages do not
// parse or when there is no such page.
func (s *Set) Lookup(name string) (*template.Template, error) {
	byName, err := s.parse()
	if err != nil {
		return nil, err
	}
	t, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("pagetmpl: no page %q", name)
	}
	return t, nil
}

// Names lists the pages, or says why they do not parse.
func (s *Set) Names() ([]string, error) {
	byName, err := s.parse()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	return names, nil
}

// parse parses the layout once and each page into a copy of it: the
// layout is most of the text.
func parse(fsys fs.FS, dir string, funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, path.Join(dir, "layout.html"))
	if err != nil {
		return nil, err
	}
	byName := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := layout.Clone() // fails only once executed
		if err == nil {
			t, err = t.ParseFS(fsys, n)
		}
		if err != nil {
			return nil, err
		}
		byName[base] = t
	}
	return byName, nil
}
