package demoville

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bacasable/bacasable/simulator/banner"
	"github.com/bacasable/bacasable/simulator/clock"
)

//go:embed templates/*.html
var templateFS embed.FS

// page is what every template receives.
type page struct {
	Title   string
	Base    string // the site's path, e.g. /demoville (set by render)
	Session sessionView
	Notice  string // a confirmation shown at the top
	Data    any    // the page's own data
	Problem *problem
	Banner  *banner.Banner // what changes the sandbox's behaviour now (set by render)
}

// problem is a failure told to the citizen: what happened in their words,
// what they can do, and the way back. The technical detail goes to the log
// (and, in this sandbox, into a collapsed « Détails techniques pour le
// support »); a production site would show the reference alone.
type problem struct {
	// Status is the page's HTTP status: 200 for outcomes of the démarche
	// (login cancelled, household unknown to the DGFiP), 4xx for a request
	// Démoville refuses, 5xx when a partner or Démoville failed.
	Status    int
	Title     string
	Message   string
	Hint      string // what to do now
	Back      string // default: the home page
	BackLabel string
	Ref       string // reference for the support (the API call's X-Correlation-ID)
	Detail    string // technical detail
	Level     slog.Level
}

var templateFuncs = template.FuncMap{
	"euros":     func(n int64) string { return euros(n) },
	"eurosInt":  func(n int) string { return euros(int64(n)) },
	"euroCents": euroCents,
	"parts":     parts,
	"next":      func(year int) int { return year + 1 },
	"join":      strings.Join,
	"datetime": func(t time.Time) string {
		return t.In(clock.Paris()).Format("02/01/2006 à 15:04")
	},
}

// render writes a page. A template failure is logged and becomes a bare
// 500: it is a bug, and the error page itself might be what fails.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Base = s.base
	if s.cfg.Banner != nil {
		p.Banner = s.cfg.Banner()
	}
	var buf bytes.Buffer
	t, err := s.pages.Lookup(name)
	if err != nil {
		s.log.ErrorContext(r.Context(), "demoville: page", "page", name, "err", err)
		http.Error(w, "Erreur interne de Démoville", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		s.log.ErrorContext(r.Context(), "demoville: rendering page", "page", name, "err", err)
		http.Error(w, "Erreur interne de Démoville", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// fail logs p with its detail and shows the citizen's error page in answer
// to r. It and failAndRedirect are the only places errors are written.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, p *problem) {
	s.record(r, p)
	s.render(w, r, p.Status, "erreur.html", page{Title: p.Title, Session: s.sessions.get(r), Problem: p})
}

// failAndRedirect ends a démarche that failed — at the FranceConnect
// callback, or on the compte Démoville's form — the way a successful one
// ends: p is kept in the session and the browser sent to /demoville/erreur
// (post/redirect/get). Reloading that page, or coming back to it, shows the
// same error again; reloading the callback itself would replay a used state
// (« Demande de connexion non reconnue »), reposting the form would call the
// API again.
func (s *Site) failAndRedirect(w http.ResponseWriter, r *http.Request, p *problem) {
	s.record(r, p)
	s.sessions.ensure(w, r, func(ss *session) { ss.Problem = p })
	http.Redirect(w, r, s.base+"/erreur", http.StatusSeeOther)
}

// problemPage shows the problem of the last démarche that failed, with its
// status; without one, the home page.
func (s *Site) problemPage(w http.ResponseWriter, r *http.Request) {
	sess := s.sessions.get(r)
	p := sess.Problem
	if p == nil {
		http.Redirect(w, r, s.base+"/", http.StatusSeeOther)
		return
	}
	s.render(w, r, p.Status, "erreur.html", page{Title: p.Title, Session: sess, Problem: p})
}

// record completes p with its defaults and logs it, once.
func (s *Site) record(r *http.Request, p *problem) {
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	if p.Back == "" {
		p.Back, p.BackLabel = s.base+"/", "Revenir à l'accueil"
	}
	s.log.Log(r.Context(), p.Level, "demoville: "+p.Title, "path", r.URL.Path, "status", p.Status, "detail", p.Detail, "ref", p.Ref)
}
