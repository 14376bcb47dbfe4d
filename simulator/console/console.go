package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/hostguard"
)

// Prefix is where the console lives. The control API owns Prefix + "/api/";
// the console serves nothing there.
const Prefix = "/_bacasable"

// DefaultDemovilleClientID is Démoville's FranceConnect client id, the
// client a « Se connecter en tant que… sur Démoville » queues its login for.
const DefaultDemovilleClientID = "demoville"

// ContentSecurityPolicy is the policy of the console's pages and files:
// everything from the sandbox's own origin, no inline script or style, no
// framing. The control API and the journal's event stream are same-origin
// (connect-src 'self').
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Config configures the console. Zero values take the defaults in comments.
type Config struct {
	// PublicURL is the base URL browsers and clients use, e.g.
	// http://localhost:8080; the console writes it in the curl commands it
	// gives for CI. Default: the origin the browser reached the console at.
	PublicURL string
	// Logger receives the console's messages. Default: discard.
	Logger *slog.Logger
	// DemovilleClientID is the FranceConnect client id of Démoville, for
	// which « Se connecter en tant que… » queues a login. Default:
	// DefaultDemovilleClientID.
	DemovilleClientID string
	// PlaceName names an Insee code of the COG: a commune (« 75107 » →
	// « Paris 7e Arrondissement ») or a country (« 99100 » → « France »).
	// The personas of the control API carry the codes alone; with
	// PlaceName the console shows the names too, through GET
	// /_bacasable/lieux. Default: none (codes only, and no such route).
	PlaceName func(code string) (name string, ok bool)
}

// Console serves the console's page and files.
type Console struct {
	log       *slog.Logger
	placeName func(string) (string, bool)
	// files are the page, rendered, and the static files, loaded on the
	// first request for either or by WarmUp: the sandbox answers before
	// (they were a sixth of its construction).
	files func() (*files, error)
	hosts hostguard.Hosts
}

// files are the console's page and static files.
type files struct {
	index     []byte
	indexETag string
	assets    map[string]*asset
}

// New returns the console of the embedded files, which it loads on first
// use (WarmUp). It fails on a malformed PublicURL.
func New(cfg Config) (*Console, error) {
	return newConsole(cfg, FS(), templateFiles)
}

// newConsole is New with its files given.
func newConsole(cfg Config, static, templates fs.FS) (*Console, error) {
	publicURL, err := checkPublicURL(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DemovilleClientID == "" {
		cfg.DemovilleClientID = DefaultDemovilleClientID
	}
	data := indexData{PublicURL: publicURL, DemovilleClientID: cfg.DemovilleClientID}
	return &Console{log: cfg.Logger, placeName: cfg.PlaceName, hosts: hostguard.New(publicURL),
		files: sync.OnceValues(func() (*files, error) { return loadFiles(static, templates, data) })}, nil
}

// build is newConsole, its files loaded at once: the tests see their
// errors.
func build(cfg Config, static, templates fs.FS) (*Console, error) {
	c, err := newConsole(cfg, static, templates)
	if err != nil {
		return nil, err
	}
	if _, err := c.files(); err != nil {
		return nil, err
	}
	return c, nil
}

// WarmUp loads the page and the static files, if no request did.
func (c *Console) WarmUp() { _, _ = c.files() }

// loadFiles loads the static files and renders the page.
func loadFiles(static, templates fs.FS, data indexData) (*files, error) {
	assets, err := loadAssets(static)
	if err != nil {
		return nil, err
	}
	index, err := renderIndex(templates, assets, data)
	if err != nil {
		return nil, err
	}
	return &files{index: index, indexETag: `"` + fingerprint(index) + `"`, assets: assets}, nil
}

// checkPublicURL returns the URL without its trailing slash; "" stays "".
func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("console: public URL %q must be like http://localhost:8080", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// indexData is what the page's template receives; the JavaScript reads it
// from the body's data- attributes.
type indexData struct {
	PublicURL         string
	DemovilleClientID string
}

// renderIndex renders templates/index.html once. Its {{asset "js/main.js"}}
// calls give the fingerprinted URL of a static file, and fail the
// rendering for a file that does not exist.
func renderIndex(templates fs.FS, assets map[string]*asset, data indexData) ([]byte, error) {
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := assets[name]
			if !ok {
				return "", fmt.Errorf("no static file %q", name)
			}
			return assetURL(name, a), nil
		},
	}
	t, err := template.New("index.html").Funcs(funcs).ParseFS(templates, "templates/index.html")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return buf.Bytes(), nil
}

// assetURL is the fingerprinted URL of a static file: browsers may keep it
// for a year, since another content gets another URL.
func assetURL(name string, a *asset) string {
	return Prefix + "/static/" + name + "?v=" + a.version
}

// Routes mounts the console: the page at /_bacasable/, its files under
// /_bacasable/static/, a redirect from /_bacasable, and, when PlaceName is
// set, the names of Insee codes at /_bacasable/lieux.
//
// Every route answers only requests whose Host names the sandbox
// (hostguard): a page that rebinds its name to 127.0.0.1 gets a 403.
func (c *Console) Routes(r *mux.Router) {
	r.HandleFunc(Prefix, c.guard(redirectToIndex)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(Prefix+"/", c.guard(c.serveIndex)).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix(Prefix+"/static/").HandlerFunc(c.guard(c.serveStatic)).Methods(http.MethodGet, http.MethodHead)
	if c.placeName != nil {
		r.HandleFunc(Prefix+"/lieux", c.guard(c.servePlaces)).Methods(http.MethodGet, http.MethodHead)
	}
}

// guard refuses a request whose Host does not name the sandbox.
func (c *Console) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !c.hosts.Allows(r.Host) {
			secureHeaders(w.Header())
			http.Error(w, "bacasable : la console ne répond qu'à l'adresse publique du bac à sable ou à localhost "+
				"(un autre nom d'hôte peut être une attaque par rebond DNS ; voir --public-url)", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

func redirectToIndex(w http.ResponseWriter, r *http.Request) {
	target := Prefix + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// secureHeaders sets the headers every answer of the console carries.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// serveIndex serves the page. The browser revalidates it at each visit
// (no-cache with an ETag), so that a new binary's page, and through it its
// new fingerprinted files, is seen at once.
func (c *Console) serveIndex(w http.ResponseWriter, r *http.Request) {
	f, ok := c.loaded(w, r)
	if !ok {
		return
	}
	h := w.Header()
	secureHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.indexETag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.index))
}

// loaded returns the console's files; when they did not load (the tests
// load the embedded ones, so it does not happen) it logs why and answers
// a bare 500.
func (c *Console) loaded(w http.ResponseWriter, r *http.Request) (*files, bool) {
	f, err := c.files()
	if err != nil {
		c.log.ErrorContext(r.Context(), "console: files", "err", err)
		http.Error(w, "erreur interne du bac à sable", http.StatusInternalServerError)
		return nil, false
	}
	return f, true
}

// serveStatic serves one static file. Requested with its fingerprint
// (?v=, as the page links it) it may be cached for a year; otherwise — a
// module another module imports, or an old fingerprint — it is
// revalidated with its ETag at each use.
func (c *Console) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := c.loaded(w, r)
	if !ok {
		return
	}
	h := w.Header()
	secureHeaders(h)
	name := strings.TrimPrefix(r.URL.Path, Prefix+"/static/")
	a, ok := f.assets[name]
	if !ok {
		c.log.DebugContext(r.Context(), "console: no such static file", "path", r.URL.Path)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "bacasable : pas de fichier %s dans la console\n", r.URL.Path)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag())
	h.Set("Cache-Control", cacheControl(r.URL.Query().Get("v"), a))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}

// cacheControl is the Cache-Control of a static file asked for with
// version v.
func cacheControl(v string, a *asset) string {
	if v != "" && v == a.version {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}
