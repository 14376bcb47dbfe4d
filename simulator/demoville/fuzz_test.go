package demoville_test

// Fuzz targets of Démoville's inputs (docs/fuzzing.md): the callback's
// query and the forms of the compte Démoville. Each target drives one whole
// sandbox in process; Démoville reaches FranceConnect and the API over HTTP,
// as in production. Every answer must be a page of Démoville: an error on
// its error page, a 5xx only when FranceConnect or the API refused
// (Démoville's 502 page), and no redirect out of Démoville but to
// FranceConnect.

import (
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/internal/fuzztest"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// fuzzSite is a whole sandbox whose Démoville a fuzz target drives.
type fuzzSite struct {
	s    *sandboxtest.Sandbox
	host string
}

func newFuzzSite(f *testing.F) *fuzzSite {
	f.Helper()
	// Quotas a fuzzer cannot reach: each login calls the API.
	fsys := fstest.MapFS{}
	err := fs.WalkDir(fixtures.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fixtures.FS(), path)
		if path == "habilitations.yaml" {
			data = regexp.MustCompile(`quota_par_minute: \d+`).ReplaceAll(data, []byte("quota_par_minute: 1000000000"))
		}
		fsys[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	s := sandboxtest.New(f, frozen, func(c *simulator.Config) { c.Fixtures = fsys })
	u, err := url.Parse(s.URL)
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzSite{s: s, host: u.Host}
}

// serve sends a request in process with the browser's cookies; target is
// a path and a raw query.
func (z *fuzzSite) serve(method, target, body, contentType string, header http.Header, cookies []*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Method, req.Host = method, z.host
	path, query, _ := strings.Cut(target, "?")
	req.URL.Path, req.URL.RawQuery = path, query
	if u, err := url.Parse("http://" + z.host + path); err == nil {
		req.URL.Path, req.URL.RawPath = u.Path, u.RawPath
	}
	req.RequestURI = req.URL.RequestURI()
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if method != http.MethodGet {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	rec := httptest.NewRecorder()
	z.s.SB.Handler().ServeHTTP(rec, req)
	return rec
}

// keep adds the cookies rec sets to the browser's.
func keep(cookies []*http.Cookie, rec *httptest.ResponseRecorder) []*http.Cookie {
	for _, c := range rec.Result().Cookies() {
		cookies = slices.DeleteFunc(cookies, func(o *http.Cookie) bool { return o.Name == c.Name })
		if c.MaxAge >= 0 {
			cookies = append(cookies, c)
		}
	}
	return cookies
}

// startLogin starts a FranceConnect login on the canteen's page: it
// returns the browser's cookies and the authorization request Démoville
// sent the browser to.
func (z *fuzzSite) startLogin(t *testing.T) ([]*http.Cookie, *url.URL) {
	t.Helper()
	rec := z.serve(http.MethodGet, "/demoville/cantine/connexion", "", "", nil, nil)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || err != nil || loc.Query().Get("state") == "" {
		t.Fatalf("starting a login: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	return keep(nil, rec), loc
}

// code logs test in at FranceConnect for the authorization request and
// returns the code it sends back.
func (z *fuzzSite) code(t *testing.T, authorize *url.URL) string {
	t.Helper()
	rec := z.serve(http.MethodGet, authorize.RequestURI(), "", "", http.Header{franceconnect.PersonaHeader: {"test"}}, nil)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("logging in at FranceConnect: %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	return loc.Query().Get("code")
}

// check asserts what every answer of Démoville must be.
func (z *fuzzSite) check(t *testing.T, rec *httptest.ResponseRecorder, inputs ...string) {
	t.Helper()
	body := rec.Body.String()
	if leak := fuzztest.Leak(body, inputs...); leak != "" {
		t.Fatalf("the answer %d shows %q: %s", rec.Code, leak, body)
	}
	mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	switch {
	case rec.Code == http.StatusInternalServerError, rec.Code > 504:
		t.Fatalf("answered %d: %s", rec.Code, body)
	case rec.Code >= 400 && (mt != "text/html" || !strings.Contains(body, `role="alert"`)):
		t.Fatalf("the error %d is not Démoville's error page: %s", rec.Code, body)
	case rec.Code >= 300 && rec.Code < 400:
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil {
			t.Fatalf("Location %q: %v", rec.Header().Get("Location"), err)
		}
		target := loc.Path
		if loc.IsAbs() {
			if loc.Host != z.host {
				t.Fatalf("redirected out of the sandbox: %s", loc)
			}
		}
		if !strings.HasPrefix(target, "/demoville/") && !strings.HasPrefix(target, "/api/v2/") {
			t.Fatalf("redirected to %s, neither Démoville nor FranceConnect", loc)
		}
	}
}

// FuzzCallback sends FranceConnect's redirect back to Démoville with any
// query. STATE stands for the state of a login this browser started, CODE
// for the code FranceConnect gave that login, ISS for FranceConnect's
// issuer.
func FuzzCallback(f *testing.F) {
	for _, q := range []string{
		"code=CODE&state=STATE&iss=ISS",
		"state=STATE&code=CODE&iss=ISS&extra=1",
		"code=CODE&state=STATE",
		"code=CODE&state=STATE&iss=https%3A%2F%2Fevil.example%2Fapi%2Fv2",
		"code=inconnu&state=STATE&iss=ISS",
		"error=access_denied&error_description=User+auth+aborted&state=STATE&iss=ISS",
		"error=invalid_scope&error_description=x&state=STATE&iss=ISS",
		"error=server_error&state=STATE&iss=ISS",
		"error=%zz&state=STATE&iss=ISS",
		"code=CODE&state=forged&iss=ISS",
		"code=CODE&state=STATE&state=autre&iss=ISS",
		"code=stolen&state=whatever",
		"",
	} {
		f.Add(q)
	}
	z := newFuzzSite(f)
	issuer := z.s.URL + "/api/v2"
	f.Fuzz(func(t *testing.T, query string) {
		fuzztest.Sendable(t, "?"+query)
		var cookies []*http.Cookie
		if strings.Contains(query, "STATE") || strings.Contains(query, "CODE") {
			var authorize *url.URL
			cookies, authorize = z.startLogin(t)
			repl := []string{"STATE", url.QueryEscape(authorize.Query().Get("state"))}
			if strings.Contains(query, "CODE") {
				repl = append(repl, "CODE", url.QueryEscape(z.code(t, authorize)))
			}
			query = strings.NewReplacer(repl...).Replace(query)
		}
		query = strings.ReplaceAll(query, "ISS", url.QueryEscape(issuer))
		rec := z.serve(http.MethodGet, "/demoville/callback?"+query, "", "", nil, cookies)
		z.check(t, rec, query)
	})
}

// fuzzAccountRoutes are the forms of the compte Démoville and the
// logout, which a fuzz input picks from.
var fuzzAccountRoutes = []string{
	"/demoville/compte/connexion",
	"/demoville/deconnexion",
	"/demoville/cantine/compte",
	"/demoville/stationnement/compte",
}

// FuzzAccountForms posts the compte Démoville's login, the démarches in
// SPI mode and the logout with any body, logged in with a compte
// Démoville, through FranceConnect, or not at all: no redirect leaves
// Démoville but to FranceConnect (the « suite » field is no open redirect).
func FuzzAccountForms(f *testing.F) {
	const form = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		route       uint8
		session     uint8 // 0 none, 1 compte Démoville, 2 FranceConnect
		body, ctype string
	}{
		{0, 0, "identifiant=angela.dubois&mot_de_passe=demoville", form},
		{0, 0, "identifiant=angela.dubois&mot_de_passe=demoville&suite=cantine", form},
		{0, 0, "identifiant=moussa.ndiaye&mot_de_passe=demoville&suite=stationnement", form},
		{0, 0, "identifiant=angela.dubois&mot_de_passe=faux", form},
		{0, 0, "identifiant=angela.dubois&mot_de_passe=demoville&suite=https%3A%2F%2Fevil.example", form},
		{0, 0, "identifiant=angela.dubois&mot_de_passe=demoville&suite=%2F%2Fevil.example", form},
		{0, 1, "identifiant=charles.demontfort&mot_de_passe=demoville", form},
		{0, 0, "identifiant=%zz", form},
		{0, 0, `{"identifiant": "angela.dubois"}`, "application/json"},
		{1, 0, "", form},
		{1, 1, "", form},
		{1, 2, "", form},
		{2, 1, "", form},
		{3, 1, "", form},
		{2, 0, "", form},
		{3, 2, "", ""},
	} {
		f.Add(c.route, c.session, c.body, c.ctype)
	}
	z := newFuzzSite(f)
	f.Fuzz(func(t *testing.T, route, session uint8, body, contentType string) {
		fuzztest.Sendable(t, "", contentType)
		var cookies []*http.Cookie
		switch session % 3 {
		case 1:
			rec := z.serve(http.MethodPost, "/demoville/compte/connexion", "identifiant=angela.dubois&mot_de_passe=demoville", form, nil, nil)
			cookies = keep(cookies, rec)
		case 2:
			var authorize *url.URL
			cookies, authorize = z.startLogin(t)
			q := url.Values{"code": {z.code(t, authorize)}, "state": {authorize.Query().Get("state")}, "iss": {z.s.URL + "/api/v2"}}
			rec := z.serve(http.MethodGet, "/demoville/callback?"+q.Encode(), "", "", nil, cookies)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("logging in through FranceConnect: %d %s", rec.Code, rec.Body)
			}
			cookies = keep(cookies, rec)
		}
		path := fuzzAccountRoutes[int(route)%len(fuzzAccountRoutes)]
		rec := z.serve(http.MethodPost, path, body, contentType, nil, cookies)
		z.check(t, rec, body, contentType)
	})
}
