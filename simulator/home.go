package simulator

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

// homeHTML is the root page: what runs here and where it is.
//
//go:embed home.html
var homeHTML string

var homeTemplate = template.Must(template.New("home").Parse(homeHTML))

// homeCSP allows the page's inline style and nothing else: no script, no
// image, no form, no framing.
const homeCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docsURL is where the repository's docs/ files are read.
const docsURL = "https://github.com/bacasable/bacasable/blob/main/docs/"

// home answers the root page, in HTML: the emulated services and their
// addresses under publicURL, Démoville, the console, the two contracts and
// the documentation.
func home(publicURL string) http.HandlerFunc {
	data := map[string]string{"URL": publicURL, "Docs": docsURL}
	return func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := homeTemplate.Execute(&buf, data); err != nil {
			http.Error(w, "bacasable: page d'accueil indisponible", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", homeCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(buf.Bytes())
	}
}
