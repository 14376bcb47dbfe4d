package console

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorilla/mux"
)

// newServer serves the console alone on a router, as simulator.New mounts it.
func newServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	c.Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

// noRedirect is a client that shows redirects instead of following them.
func noRedirect(srv *httptest.Server) *http.Client {
	c := *srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func get(t *testing.T, client *http.Client, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	if got := h.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
		t.Errorf("%s: Content-Security-Policy = %q, want %q", what, got, ContentSecurityPolicy)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", what, got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q", what, got)
	}
}

func TestContentSecurityPolicyIsStrict(t *testing.T) {
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} {
		if strings.Contains(ContentSecurityPolicy, bad) {
			t.Errorf("the policy allows %s: %s", bad, ContentSecurityPolicy)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("the policy lacks %s: %s", want, ContentSecurityPolicy)
		}
	}
}

func TestIndex(t *testing.T) {
	srv := newServer(t, Config{PublicURL: "http://sandbox.example:8080/", DemovilleClientID: "demoville-test"})
	res, body := get(t, srv.Client(), srv.URL+"/_bacasable/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	checkSecurityHeaders(t, "index", res.Header)
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", cc)
	}
	for _, want := range []string{`data-public-url="http://sandbox.example:8080"`, `data-demoville-client="demoville-test"`, "personnes et données sont fictives"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}

	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	res, _ = get(t, srv.Client(), srv.URL+"/_bacasable/", "If-None-Match", etag)
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", res.StatusCode)
	}

	head, err := srv.Client().Head(srv.URL + "/_bacasable/")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != http.StatusOK || head.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("HEAD: status %d, CSP %q", head.StatusCode, head.Header.Get("Content-Security-Policy"))
	}
}

func TestRedirectToIndex(t *testing.T) {
	srv := newServer(t, Config{})
	for _, tc := range []struct{ path, location string }{
		{"/_bacasable", "/_bacasable/"},
		{"/_bacasable?x=1", "/_bacasable/?x=1"},
	} {
		res, _ := get(t, noRedirect(srv), srv.URL+tc.path)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != tc.location {
			t.Errorf("GET %s: %d to %q, want 301 to %q", tc.path, res.StatusCode, res.Header.Get("Location"), tc.location)
		}
	}
}

// TestEveryAsset fetches every embedded file as the page links it (with
// its fingerprint: cached for a year), bare (as a module import: revalidated)
// and with a stale fingerprint.
func TestEveryAsset(t *testing.T) {
	srv := newServer(t, Config{})
	n := 0
	err := fs.WalkDir(FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		want, err := fs.ReadFile(FS(), name)
		if err != nil {
			return err
		}
		wantType := map[string]string{
			".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
		}[path.Ext(name)]
		if wantType == "" {
			t.Errorf("%s: the test knows no content type for this extension; add it", name)
		}
		url := srv.URL + "/_bacasable/static/" + name
		for _, tc := range []struct{ query, cache string }{
			{"?v=" + fingerprint(want), "public, max-age=31536000, immutable"},
			{"", "no-cache"},
			{"?v=0000000000000000", "no-cache"},
		} {
			res, body := get(t, srv.Client(), url+tc.query)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s%s: status %d", name, tc.query, res.StatusCode)
				continue
			}
			if ct := res.Header.Get("Content-Type"); ct != wantType {
				t.Errorf("%s: Content-Type = %q, want %q", name, ct, wantType)
			}
			if cc := res.Header.Get("Cache-Control"); cc != tc.cache {
				t.Errorf("%s%s: Cache-Control = %q, want %q", name, tc.query, cc, tc.cache)
			}
			checkSecurityHeaders(t, name, res.Header)
			if body != string(want) {
				t.Errorf("%s: the body differs from the embedded file", name)
			}
			res, _ = get(t, srv.Client(), url+tc.query, "If-None-Match", res.Header.Get("ETag"))
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("%s%s: revalidation status %d, want 304", name, tc.query, res.StatusCode)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Errorf("only %d static files", n)
	}
}

// TestIndexLinksResolve fetches every file the page links.
func TestIndexLinksResolve(t *testing.T) {
	srv := newServer(t, Config{})
	_, body := get(t, srv.Client(), srv.URL+"/_bacasable/")
	links := regexp.MustCompile(`(?:src|href)="(/_bacasable/static/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(links) < 3 {
		t.Fatalf("the page links %d files, want the icon, the style sheet and the script", len(links))
	}
	for _, l := range links {
		url := strings.ReplaceAll(l[1], "&amp;", "&")
		res, _ := get(t, srv.Client(), srv.URL+url)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, Cache-Control %q", url, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
}

// TestModuleImportsResolve checks that every relative import of every
// JavaScript module names an embedded file.
func TestModuleImportsResolve(t *testing.T) {
	imports := regexp.MustCompile(`(?m)^\s*import\b[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'`)
	files, err := fs.Glob(FS(), "js/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no module: %v", err)
	}
	for _, f := range files {
		src, _ := fs.ReadFile(FS(), f)
		for _, m := range imports.FindAllStringSubmatch(string(src), -1) {
			target := m[1] + m[2]
			if !strings.HasPrefix(target, "./") {
				t.Errorf("%s imports %q: only relative imports of the console's own files work offline", f, target)
				continue
			}
			if _, err := fs.Stat(FS(), path.Join(path.Dir(f), target)); err != nil {
				t.Errorf("%s imports %q, which is not embedded", f, target)
			}
		}
	}
}

// TestJavaScriptSafety keeps the modules free of what the policy forbids or
// what would turn journal content into markup.
func TestJavaScriptSafety(t *testing.T) {
	files, _ := fs.Glob(FS(), "js/*.js")
	for _, f := range files {
		src, _ := fs.ReadFile(FS(), f)
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", ".style.", "setAttribute('style'"} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s contains %s", f, bad)
			}
		}
	}
}

func TestNotServed(t *testing.T) {
	srv := newServer(t, Config{})
	for _, p := range []string{"/_bacasable/static/absent.js", "/_bacasable/static/", "/_bacasable/api/personas", "/_bacasable/lieux"} {
		res, _ := get(t, srv.Client(), srv.URL+p)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, res.StatusCode)
		}
	}
	res, err := srv.Client().Post(srv.URL+"/_bacasable/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /_bacasable/: status %d, want 405", res.StatusCode)
	}
}

func TestPlaces(t *testing.T) {
	names := map[string]string{"75107": "Paris 7e Arrondissement", "99100": "France", "2A004": "Ajaccio"}
	srv := newServer(t, Config{PlaceName: func(code string) (string, bool) { n, ok := names[code]; return n, ok }})
	res, body := get(t, srv.Client(), srv.URL+"/_bacasable/lieux?code=75107&code=99100&code=2A004&code=00000&code=")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, "lieux", res.Header)
	if want := `{"2A004":"Ajaccio","75107":"Paris 7e Arrondissement","99100":"France"}` + "\n"; body != want {
		t.Errorf("body %s, want %s", body, want)
	}
	res, _ = get(t, srv.Client(), srv.URL+"/_bacasable/lieux?"+strings.Repeat("code=75107&", maxPlaces+1))
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("%d codes: status %d, want 400", maxPlaces+1, res.StatusCode)
	}
}

func TestCheckPublicURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"http://localhost:8080", "http://localhost:8080", true},
		{"https://bac.example/sandbox/", "https://bac.example/sandbox", true},
		{"localhost:8080", "", false},
		{"ftp://x", "", false},
		{"http://x?a=b", "", false},
		{"http://x#frag", "", false},
	} {
		got, err := checkPublicURL(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("checkPublicURL(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if _, err := New(Config{PublicURL: "nope"}); err == nil {
		t.Error("New accepted a malformed public URL")
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"console.css": "text/css; charset=utf-8", "js/main.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml",
	} {
		if got, ok := contentType(name); !ok || got != want {
			t.Errorf("contentType(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := contentType("notes.md"); ok {
		t.Error("contentType knows .md")
	}
}

func TestBuildRefusesUnknownFiles(t *testing.T) {
	tmpl := fstest.MapFS{"templates/index.html": {Data: []byte(`<script src="{{asset "app.js"}}"></script>`)}}
	if _, err := build(Config{}, fstest.MapFS{"app.js": {}, "notes.md": {}}, tmpl); err == nil || !strings.Contains(err.Error(), "notes.md") {
		t.Errorf("a file of unknown type: err = %v", err)
	}
	if _, err := build(Config{}, fstest.MapFS{"other.js": {}}, tmpl); err == nil || !strings.Contains(err.Error(), `"app.js"`) {
		t.Errorf("a link to a missing file: err = %v", err)
	}
	c, err := build(Config{}, fstest.MapFS{"app.js": {Data: []byte("x")}}, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.files()
	if want := `<script src="/_bacasable/static/app.js?v=` + fingerprint([]byte("x")) + `"></script>`; string(f.index) != want {
		t.Errorf("index = %s, want %s", f.index, want)
	}
}

func TestCacheControl(t *testing.T) {
	a := &asset{version: "0123456789abcdef"}
	for v, want := range map[string]string{
		"0123456789abcdef": "public, max-age=31536000, immutable",
		"":                 "no-cache",
		"fedcba9876543210": "no-cache",
	} {
		if got := cacheControl(v, a); got != want {
			t.Errorf("cacheControl(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestDNSRebinding: a page that rebinds its name to 127.0.0.1 reaches the
// console with its own name in Host, and is refused; the public URL's host
// and the loopback names are answered.
func TestDNSRebinding(t *testing.T) {
	srv := newServer(t, Config{PublicURL: "http://bacasable.test:8080", PlaceName: func(string) (string, bool) { return "", false }})
	for host, want := range map[string]int{"evil.example:8080": 403, "bacasable.test:8080": 200, "localhost:8080": 200, "127.0.0.1": 200} {
		for _, path := range []string{"/_bacasable/", "/_bacasable/lieux?code=75056"} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			req.Host = host
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("GET %s with Host %s: %d, want %d", path, host, res.StatusCode, want)
			}
		}
	}
}
