package franceconnect

import (
	"bytes"
	"embed"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

// render writes page name with data; a template failure is a 500 with no
// internal detail.
func (p *Provider) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	if p.cfg.Banner != nil {
		if b := p.cfg.Banner(); b != nil {
			data["Banner"] = b
		}
	}
	var buf bytes.Buffer
	t, err := p.pages.Lookup(name)
	if err != nil {
		p.log.Error("franceconnect: page", "page", name, "err", err)
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
