package franceconnect

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the server-rendered French pages, each combined with the
// layout that carries the sandbox warning.
type pages struct {
	byName map[string]*template.Template
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// The layout is parsed once and each page parsed into a copy of it:
	// the layout is most of the text.
	layout, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pg := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := n[len("templates/"):]
		if base == "layout.html" {
			continue
		}
		t, err := layout.Clone() // fails only once executed
		if err == nil {
			t, err = t.ParseFS(templateFS, n)
		}
		if err != nil {
			return nil, err
		}
		pg.byName[base] = t
	}
	return pg, nil
}

// render writes page name with data; a template failure is a 500 with no
// internal detail.
func (p *Provider) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	if p.cfg.Banner != nil {
		if b := p.cfg.Banner(); b != nil {
			data["Banner"] = b
		}
	}
	var buf bytes.Buffer
	t := p.pages.byName[name]
	if t == nil {
		p.log.Error("franceconnect: unknown page", "page", name)
		http.Error(w, "erreur interne du bac à sable", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, data); err != nil {
		p.log.Error("franceconnect: rendering page", "page", name, "err", err)
		http.Error(w, "erreur interne du bac à sable", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
