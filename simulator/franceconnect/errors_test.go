package franceconnect

// Every error the reference (shared/reference/franceconnect-v2.md) lists,
// and the sandbox's own rules, endpoint by endpoint: one table per
// endpoint, real HTTP requests against newTestEnv's server, exact status,
// body and redirect parameters. Identifiers of this file start with errt
// so that they cannot collide with the other test files of the package.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// ─── Fixture clients ────────────────────────────────────────────────────

// errtSP is a service provider of fixtures/clients.yaml with what a test
// needs to log in with it.
type errtSP struct {
	id, secret, redirect, scope string
}

var (
	errtDemo   = errtSP{demoClientID, demoClientSecret, demoRedirect, "openid profile birth email"}
	errtRS256  = errtSP{"bacasable-rs256", "bacasable-rs256-secret", demoRedirect, "openid profile birth email"}
	errtStrict = errtSP{"bacasable-strict", "bacasable-strict-secret", errtStrictRedirect, "openid identite_pivot"}
)

const (
	errtStrictRedirect = "http://localhost:8080/demoville/callback"
	errtStrictName     = "Mairie de Démoville (inscriptions en ligne)"
	errtDGFiPID        = "dgfip"
	errtDGFiPSecret    = "bacasable-dgfip-checktoken-secret"
)

// authorize is a valid authorization request for the client.
func (c errtSP) authorize() url.Values {
	v := validAuthorize()
	v.Set("client_id", c.id)
	v.Set("redirect_uri", c.redirect)
	v.Set("scope", c.scope)
	return v
}

// tokenForm redeems code for the client (client_secret_post).
func (c errtSP) tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect},
		"client_id": {c.id}, "client_secret": {c.secret}}
}

// errtTokens logs the persona "test" in for the client and redeems the code.
func errtTokens(t *testing.T, env *testEnv, c errtSP) (accessToken, idToken string) {
	t.Helper()
	code := env.loginWithHeader(c.authorize(), "test").Get("code")
	r := errtPost(t, env.Issuer+"/token", c.tokenForm(code), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("token: status %d, body %s", r.Status, r.Body)
	}
	var tr tokenResponse
	if err := json.Unmarshal([]byte(r.Body), &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken, tr.IDToken
}

// ─── HTTP ───────────────────────────────────────────────────────────────

// errtResponse is a response read in full.
type errtResponse struct {
	Status int
	Header http.Header
	Body   string
}

// errtHTTP stops at the first redirect and never waits long: a hang is a
// failure.
var errtHTTP = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// errtDo sends req; any 5xx fails the test: no response may be a 500.
func errtDo(t *testing.T, req *http.Request) errtResponse {
	t.Helper()
	resp, err := errtHTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode >= 500 {
		t.Errorf("%s %s answered %d; no response may be a 5xx. Body: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return errtResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

func errtGet(t *testing.T, rawURL string, header http.Header) errtResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return errtDo(t, req)
}

func errtPost(t *testing.T, rawURL string, form url.Values, header http.Header) errtResponse {
	t.Helper()
	return errtPostBody(t, rawURL, form.Encode(), header)
}

func errtPostBody(t *testing.T, rawURL, body string, header http.Header) errtResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return errtDo(t, req)
}

// errtAuthorize sends the authorization request with method (GET: query,
// POST: form body).
func errtAuthorize(t *testing.T, env *testEnv, method string, params url.Values, header http.Header) errtResponse {
	t.Helper()
	if method == http.MethodPost {
		return errtPost(t, env.Issuer+"/authorize", params, header)
	}
	return errtGet(t, env.Issuer+"/authorize?"+params.Encode(), header)
}

// errtUID is the interaction uid of an authorize answer.
func errtUID(t *testing.T, r errtResponse) string {
	t.Helper()
	m := regexp.MustCompile(`^/api/v2/interaction/([A-Za-z0-9_-]+)$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("authorize: want 303 to the interaction page, got %d Location %q body %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	return m[1]
}

// ─── Expectations ───────────────────────────────────────────────────────

// errtCheck asserts a response.
type errtCheck func(t *testing.T, env *testEnv, r errtResponse)

func errtMediaType(t *testing.T, r errtResponse, want string) {
	t.Helper()
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		t.Errorf("Content-Type = %q, want %s", r.Header.Get("Content-Type"), want)
	}
}

var errtPageCode = regexp.MustCompile(`id="code-erreur">([^<]*)<`)

// errtWantPage: FranceConnect's HTML error page, no redirect, with the FC
// code and, unescaped, each text (the sandbox's French hint).
func errtWantPage(status int, fcCode string, texts ...string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != status {
			t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
		}
		errtMediaType(t, r, "text/html")
		if loc := r.Header.Get("Location"); loc != "" {
			t.Errorf("an error page must not redirect; Location = %q", loc)
		}
		if m := errtPageCode.FindStringSubmatch(r.Body); m == nil || m[1] != fcCode {
			t.Errorf("error code on the page = %v, want %s; body %s", m, fcCode, r.Body)
		}
		page := html.UnescapeString(r.Body)
		for _, text := range texts {
			if !strings.Contains(page, text) {
				t.Errorf("the page does not contain %q; body %s", text, page)
			}
		}
	}
}

// errtWantRedirectError: 303 to redirectURI (its own query kept) with
// exactly error, error_description, state and iss in the query.
func errtWantRedirectError(redirectURI, code, desc string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		loc := errtLocation(t, r)
		want := errtErrorParams(env, code, desc)
		if loc.Fragment != "" {
			t.Errorf("query mode: unexpected fragment %q", loc.Fragment)
		}
		errtSameTarget(t, loc, redirectURI, want, loc.Query())
	}
}

// errtWantFragmentError: the same parameters in the fragment.
func errtWantFragmentError(redirectURI, code, desc string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		loc := errtLocation(t, r)
		got, err := url.ParseQuery(loc.EscapedFragment())
		if err != nil {
			t.Fatalf("fragment %q: %v", loc.EscapedFragment(), err)
		}
		want := errtErrorParams(env, code, desc)
		if loc.RawQuery != "" {
			t.Errorf("fragment mode: unexpected query %q", loc.RawQuery)
		}
		loc.Fragment, loc.RawFragment = "", ""
		if loc.String() != redirectURI {
			t.Errorf("redirect to %q, want %q", loc.String(), redirectURI)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("fragment parameters = %v, want %v", got, want)
		}
	}
}

var (
	errtFormAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	errtHiddenInp  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// errtWantFormPost: 200, an auto-submitted form to redirectURI whose hidden
// inputs are exactly the error parameters.
func errtWantFormPost(redirectURI, code, desc string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", r.Status, r.Body)
		}
		errtMediaType(t, r, "text/html")
		if loc := r.Header.Get("Location"); loc != "" {
			t.Errorf("form_post must not redirect; Location = %q", loc)
		}
		if m := errtFormAction.FindStringSubmatch(r.Body); m == nil || html.UnescapeString(m[1]) != redirectURI {
			t.Errorf("form action = %v, want %q", m, redirectURI)
		}
		got := url.Values{}
		for _, m := range errtHiddenInp.FindAllStringSubmatch(r.Body, -1) {
			got.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
		if want := errtErrorParams(env, code, desc); !reflect.DeepEqual(got, want) {
			t.Errorf("hidden inputs = %v, want %v", got, want)
		}
	}
}

func errtErrorParams(env *testEnv, code, desc string) url.Values {
	return url.Values{"error": {code}, "error_description": {desc}, "state": {testState}, "iss": {env.Issuer}}
}

func errtLocation(t *testing.T, r errtResponse) *url.URL {
	t.Helper()
	if r.Status != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303; body %s", r.Status, r.Body)
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", r.Header.Get("Location"), err)
	}
	return loc
}

// errtSameTarget checks that loc is redirectURI plus the params want.
func errtSameTarget(t *testing.T, loc *url.URL, redirectURI string, want, got url.Values) {
	t.Helper()
	base, err := url.Parse(redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	all := base.Query()
	for k, v := range want {
		all[k] = v
	}
	target := *loc
	target.RawQuery, target.Fragment, target.RawFragment = "", "", ""
	base.RawQuery = ""
	if target.String() != base.String() {
		t.Errorf("redirect to %q, want %q", target.String(), base.String())
	}
	if !reflect.DeepEqual(got, all) {
		t.Errorf("redirect parameters = %v, want %v", got, all)
	}
}

// errtWantInteraction: the request is valid, the browser goes to the
// interaction page (with suffix, e.g. "/idp/demo" for an idp_hint).
func errtWantInteraction(suffix string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		loc := errtLocation(t, r)
		pattern := `^/api/v2/interaction/[A-Za-z0-9_-]+` + regexp.QuoteMeta(suffix) + `$`
		if !regexp.MustCompile(pattern).MatchString(loc.String()) {
			t.Errorf("Location = %q, want the interaction page %s", loc.String(), pattern)
		}
	}
}

// errtWantCode: 303 to redirectURI with exactly code, state and iss.
func errtWantCode(redirectURI string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		loc := errtLocation(t, r)
		got := loc.Query()
		code := got.Get("code")
		if code == "" {
			t.Fatalf("no code in %q", loc.String())
		}
		errtSameTarget(t, loc, redirectURI, url.Values{"code": {code}, "state": {testState}, "iss": {env.Issuer}}, got)
	}
}

// errtWantJSONError: a JSON body of exactly error, error_description and
// error_uri.
func errtWantJSONError(status int, code, desc string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != status {
			t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
		}
		errtMediaType(t, r, "application/json")
		var got map[string]any
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatalf("body %q is not JSON: %v", r.Body, err)
		}
		want := map[string]any{"error": code, "error_description": desc, "error_uri": ErrorURI}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("body = %v, want %v", got, want)
		}
		if !strings.HasPrefix(ErrorURI, "https://docs.partenaires.franceconnect.gouv.fr/") {
			t.Errorf("error_uri %q does not point at the partners' documentation", ErrorURI)
		}
	}
}

// errtWantInvalidToken: 401 invalid_token with its WWW-Authenticate header.
func errtWantInvalidToken(desc string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		errtWantJSONError(http.StatusUnauthorized, "invalid_token", desc)(t, env, r)
		want := `Bearer realm="` + env.Issuer + `", error="invalid_token", error_description="` + desc + `"`
		if desc == "no access token provided" {
			// RFC 6750 §3.1: no error code when the request carried no credentials.
			want = `Bearer realm="` + env.Issuer + `"`
		}
		if got := r.Header.Get("WWW-Authenticate"); got != want {
			t.Errorf("WWW-Authenticate = %q, want %q", got, want)
		}
	}
}

// errtWantTokens: the token endpoint's success, with exactly its five keys.
func errtWantTokens(scope string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", r.Status, r.Body)
		}
		errtMediaType(t, r, "application/json")
		var got map[string]any
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatalf("body %q is not JSON: %v", r.Body, err)
		}
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"access_token", "expires_in", "id_token", "scope", "token_type"}; !slices.Equal(keys, want) {
			t.Errorf("keys = %v, want exactly %v", keys, want)
		}
		if got["token_type"] != "Bearer" || got["expires_in"] != float64(60) {
			t.Errorf("token_type = %v, expires_in = %v; want Bearer, 60", got["token_type"], got["expires_in"])
		}
		if at, _ := got["access_token"].(string); at == "" {
			t.Errorf("access_token = %v", got["access_token"])
		}
		if idt, _ := got["id_token"].(string); strings.Count(idt, ".") != 2 {
			t.Errorf("id_token = %v, want a compact JWS", got["id_token"])
		}
		gotScope, _ := got["scope"].(string)
		g, w := strings.Fields(gotScope), strings.Fields(scope)
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("scope = %q, want the scopes %q", gotScope, scope)
		}
	}
}

// errtWantUserinfo: 200, a JWT signed with the provider's ES256 key for the
// demo client.
func errtWantUserinfo(t *testing.T, env *testEnv, r errtResponse) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.Status, r.Body)
	}
	errtMediaType(t, r, "application/jwt")
	claims := errtVerify(t, env, r.Body)
	if claims["aud"] != demoClientID || claims["iss"] != env.Issuer {
		t.Errorf("userinfo aud = %v, iss = %v", claims["aud"], claims["iss"])
	}
}

// errtVerify checks an ES256 JWS of the provider and returns its payload.
func errtVerify(t *testing.T, env *testEnv, token string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("%q is not an ES256 JWS: %v", token, err)
	}
	payload, err := jws.Verify(env.P.Keys().ES256.Public())
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// errtWantOK: a status with an exact body.
func errtWantOK(status int, body string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != status || r.Body != body {
			t.Errorf("got %d %q, want %d %q", r.Status, r.Body, status, body)
		}
	}
}

// ─── /authorize ─────────────────────────────────────────────────────────

func errtSet(kv ...string) func(url.Values) {
	return func(v url.Values) {
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
	}
}

func errtDel(keys ...string) func(url.Values) {
	return func(v url.Values) {
		for _, k := range keys {
			v.Del(k)
		}
	}
}

// errtStrictWith is a request of the strict client, plus kv.
func errtStrictWith(kv ...string) func(url.Values) {
	return errtSet(append([]string{"client_id", errtStrict.id, "redirect_uri", errtStrict.redirect, "scope", errtStrict.scope}, kv...)...)
}

func TestErrorsAuthorize(t *testing.T) {
	_, challenge := pkcePair()
	noncePad := func(n int) string { return strings.Repeat("n", n) }
	minNonce32 := func(c *Config) { c.NonceMinLength = 32 }
	y030007 := func(texts ...string) errtCheck { return errtWantPage(http.StatusBadRequest, "Y030007", texts...) }
	notRegistered := func(texts ...string) errtCheck { return errtWantPage(http.StatusBadRequest, "Y04C013C", texts...) }
	redir := func(code, desc string) errtCheck { return errtWantRedirectError(demoRedirect, code, desc) }

	cases := []struct {
		name    string
		modify  func(url.Values) // applied to validAuthorize()
		persona string           // X-Bacasable-Persona
		tweak   func(*Config)
		want    errtCheck
	}{
		// The client: an HTML page, never a redirect.
		{name: "unknown client_id", modify: errtSet("client_id", "inconnu"),
			want: errtWantPage(http.StatusBadRequest, "Y04EA6EF", "aucun fournisseur de service n'a le client_id « inconnu »")},
		{name: "client_id of a data provider", modify: errtSet("client_id", errtDGFiPID),
			want: errtWantPage(http.StatusBadRequest, "Y04EA6EF")},
		{name: "unknown client_id is reported before an unknown parameter", modify: errtSet("client_id", "inconnu", "foo", "bar"),
			want: errtWantPage(http.StatusBadRequest, "Y04EA6EF")},
		{name: "missing client_id", modify: errtDel("client_id"), want: y030007("client_id manquant")},
		{name: "empty client_id", modify: errtSet("client_id", ""), want: y030007("client_id manquant")},

		// redirect_uri: exact match, except the demo clients' localhost convenience.
		{name: "missing redirect_uri", modify: errtDel("redirect_uri"), want: y030007("redirect_uri manquant")},
		{name: "strict client: unregistered redirect_uri", modify: errtStrictWith("redirect_uri", demoRedirect),
			want: notRegistered("redirect_uri « " + demoRedirect + " » n'est pas enregistrée pour « " + errtStrictName + " » ; URL enregistrées : " + errtStrictRedirect)},
		{name: "strict client: registered redirect_uri plus a trailing slash", modify: errtStrictWith("redirect_uri", errtStrictRedirect+"/"),
			want: notRegistered()},
		{name: "strict client: registered redirect_uri plus a query", modify: errtStrictWith("redirect_uri", errtStrictRedirect+"?x=1"),
			want: notRegistered()},
		{name: "strict client: unregistered redirect_uri is reported before missing parameters", modify: func(v url.Values) {
			errtStrictWith("redirect_uri", demoRedirect)(v)
			v.Del("nonce")
			v.Del("state")
		}, want: notRegistered()},
		{name: "demo client: http://example.com/cb refused", modify: errtSet("redirect_uri", "http://example.com/cb"),
			want: notRegistered("redirect_uri « http://example.com/cb » n'est pas enregistrée")},
		{name: "demo client: https://localhost refused (only http)", modify: errtSet("redirect_uri", "https://localhost:4242/callback"),
			want: notRegistered()},
		{name: "demo client: localhost.example.com refused", modify: errtSet("redirect_uri", "http://localhost.example.com/cb"),
			want: notRegistered()},
		{name: "demo client: localhost as userinfo of another host refused", modify: errtSet("redirect_uri", "http://localhost@example.com/cb"),
			want: notRegistered()},
		{name: "demo client: any http://localhost port accepted", modify: errtSet("redirect_uri", "http://localhost:5173/auth/callback"),
			want: errtWantInteraction("")},
		{name: "demo client: any http://127.0.0.1 port accepted", modify: errtSet("redirect_uri", "http://127.0.0.1:9999/cb"),
			want: errtWantInteraction("")},
		{name: "demo client: http://localhost without port accepted", modify: errtSet("redirect_uri", "http://localhost/cb"),
			want: errtWantInteraction("")},
		{name: "strict client: registered redirect_uri accepted", modify: errtStrictWith(), want: errtWantInteraction("")},
		{name: "malformed redirect_uri: not a URL", modify: errtSet("redirect_uri", "not a url"),
			want: y030007("redirect_uri « not a url » n'est pas une URL absolue sans fragment")},
		{name: "malformed redirect_uri: relative", modify: errtSet("redirect_uri", "/callback"), want: y030007()},
		{name: "malformed redirect_uri: fragment", modify: errtSet("redirect_uri", demoRedirect+"#frag"), want: y030007()},
		{name: "malformed redirect_uri: unparsable", modify: errtSet("redirect_uri", "http://[::1"), want: y030007()},

		// The parameter DTO: Y030007 page.
		{name: "unknown parameter", modify: errtSet("foo", "bar"), want: y030007("paramètre(s) inconnu(s) : foo")},
		{name: "repeated parameter", modify: func(v url.Values) { v.Add("scope", "openid") },
			want: y030007("le paramètre « scope » est répété 2 fois")},
		{name: "repeated client_id", modify: func(v url.Values) { v.Add("client_id", demoClientID) },
			want: y030007("le paramètre « client_id » est répété 2 fois")},
		{name: "missing scope", modify: errtDel("scope"), want: y030007("scope manquant")},
		{name: "empty scope", modify: errtSet("scope", ""), want: y030007("scope manquant")},
		{name: "missing acr_values", modify: errtDel("acr_values"), want: y030007("acr_values manquant")},
		{name: "unknown acr_values", modify: errtSet("acr_values", "eidas9"), want: y030007("acr_values « eidas9 » inconnu")},
		{name: "missing nonce", modify: errtDel("nonce"), want: y030007("nonce manquant ; il doit faire au moins 22 caractères")},
		{name: "nonce of 12 characters", modify: errtSet("nonce", noncePad(12)), want: y030007("nonce trop court : 12 caractères, 22 minimum")},
		{name: "nonce of 21 characters", modify: errtSet("nonce", noncePad(21)), want: y030007("nonce trop court : 21 caractères, 22 minimum")},
		{name: "nonce of 22 characters accepted", modify: errtSet("nonce", noncePad(22)), want: errtWantInteraction("")},
		{name: "nonce length counts characters, not bytes", modify: errtSet("nonce", strings.Repeat("é", 21)),
			want: y030007("nonce trop court : 21 caractères, 22 minimum")},
		{name: "NonceMinLength 32: nonce of 22 characters refused", tweak: minNonce32, modify: errtSet("nonce", noncePad(22)),
			want: y030007("nonce trop court : 22 caractères, 32 minimum")},
		{name: "NonceMinLength 32: nonce of 32 characters accepted", tweak: minNonce32, modify: errtSet("nonce", noncePad(32)),
			want: errtWantInteraction("")},
		{name: "missing state", modify: errtDel("state"), want: y030007("state manquant")},
		{name: "prompt=none", modify: errtSet("prompt", "none"), want: y030007("prompt « none » refusé")},
		{name: "prompt=select_account", modify: errtSet("prompt", "select_account"), want: y030007("prompt « select_account » refusé")},
		{name: "empty prompt", modify: errtSet("prompt", ""), want: y030007("prompt «  » refusé")},
		{name: "prompt=login none", modify: errtSet("prompt", "login none"), want: y030007()},
		{name: "prompt=login consent accepted", modify: errtSet("prompt", "login consent"), want: errtWantInteraction("")},
		{name: "prompt=login accepted", modify: errtSet("prompt", "login"), want: errtWantInteraction("")},
		{name: "prompt=consent accepted", modify: errtSet("prompt", "consent"), want: errtWantInteraction("")},
		{name: "response_mode=bogus", modify: errtSet("response_mode", "bogus"), want: y030007("response_mode « bogus » inconnu")},

		// Errors sent back to the trusted redirect_uri.
		{name: "missing response_type", modify: errtDel("response_type"),
			want: redir("invalid_request", "missing required parameter 'response_type'")},
		{name: "response_type=token", modify: errtSet("response_type", "token"),
			want: redir("unsupported_response_type", "unsupported response_type requested")},
		{name: "response_type=code id_token", modify: errtSet("response_type", "code id_token"),
			want: redir("unsupported_response_type", "unsupported response_type requested")},
		{name: "scope without openid", modify: errtSet("scope", "profile email"),
			want: redir("invalid_request", "openid scope must be requested")},
		{name: "strict client: dgfip_IndLep not allowed", modify: errtStrictWith("scope", "openid identite_pivot dgfip_IndLep"),
			want: errtWantRedirectError(errtStrictRedirect, "invalid_scope", "requested scope is not allowed")},
		{name: "strict client: profile not allowed", modify: errtStrictWith("scope", "openid profile"),
			want: errtWantRedirectError(errtStrictRedirect, "invalid_scope", "requested scope is not allowed")},
		{name: "scope address no longer exists in v2", modify: errtSet("scope", "openid address"),
			want: redir("invalid_scope", "requested scope is not allowed")},
		{name: "acr_values=eidas2", modify: errtSet("acr_values", "eidas2"), want: redir("invalid_acr", "acr_value is not valid")},
		{name: "acr_values=eidas3", modify: errtSet("acr_values", "eidas3"), want: redir("invalid_acr", "acr_value is not valid")},
		{name: "unknown idp_hint", modify: errtSet("idp_hint", "ameli"), want: redir("invalid_idp_hint", "idp_hint is not allowed")},
		{name: "idp_hint=bacasable-demo goes to its login page", modify: errtSet("idp_hint", "bacasable-demo"), want: errtWantInteraction("/idp/demo")},
		{name: "idp_hint=bacasable-impots goes to its login page", modify: errtSet("idp_hint", "bacasable-impots"), want: errtWantInteraction("/idp/impots")},
		{name: "claims not JSON", modify: errtSet("claims", "{id_token"),
			want: redir("invalid_request", "could not parse the claims parameter JSON")},
		{name: "claims asking for amr accepted", modify: errtSet("claims", `{"id_token":{"amr":{"essential":true}}}`), want: errtWantInteraction("")},
		{name: "ui_locales accepted", modify: errtSet("ui_locales", "fr"), want: errtWantInteraction("")},
		{name: "code_challenge_method=plain", modify: errtSet("code_challenge", challenge, "code_challenge_method", "plain"),
			want: redir("invalid_request", "not supported value of code_challenge_method")},
		{name: "code_challenge without code_challenge_method", modify: errtSet("code_challenge", challenge),
			want: redir("invalid_request", "not supported value of code_challenge_method")},
		{name: "code_challenge too short", modify: errtSet("code_challenge", challenge[:42], "code_challenge_method", "S256"),
			want: redir("invalid_request", "code_challenge must be a string with a minimum length of 43 characters")},
		{name: "code_challenge S256 accepted", modify: errtSet("code_challenge", challenge, "code_challenge_method", "S256"),
			want: errtWantInteraction("")},
		{name: "response_mode=query", modify: errtSet("response_mode", "query", "acr_values", "eidas2"),
			want: redir("invalid_acr", "acr_value is not valid")},
		{name: "response_mode=fragment puts the error in the fragment", modify: errtSet("response_mode", "fragment", "response_type", "token"),
			want: errtWantFragmentError(demoRedirect, "unsupported_response_type", "unsupported response_type requested")},
		{name: "response_mode=form_post answers a form", modify: errtSet("response_mode", "form_post", "acr_values", "eidas2"),
			want: errtWantFormPost(demoRedirect, "invalid_acr", "acr_value is not valid")},
		{name: "the redirect_uri's own query is kept", modify: errtSet("redirect_uri", "http://localhost:5173/cb?tenant=a", "acr_values", "eidas2"),
			want: errtWantRedirectError("http://localhost:5173/cb?tenant=a", "invalid_acr", "acr_value is not valid")},

		// The sandbox's X-Bacasable-Persona shortcut.
		{name: "X-Bacasable-Persona: unknown persona", persona: "personne-inconnue",
			want: errtWantPage(http.StatusBadRequest, "BAC-PERSONA", "l'en-tête X-Bacasable-Persona désigne « personne-inconnue »")},
		{name: "X-Bacasable-Persona: known persona gets a code", persona: "test", want: errtWantCode(demoRedirect)},
		{name: "X-Bacasable-Persona: an invalid request is still refused", persona: "test", modify: errtSet("acr_values", "eidas2"),
			want: redir("invalid_acr", "acr_value is not valid")},
		{name: "valid request", want: errtWantInteraction("")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, tc.tweak)
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				t.Run(method, func(t *testing.T) {
					params := validAuthorize()
					if tc.modify != nil {
						tc.modify(params)
					}
					header := http.Header{}
					if tc.persona != "" {
						header.Set(PersonaHeader, tc.persona)
					}
					tc.want(t, env, errtAuthorize(t, env, method, params, header))
				})
			}
		})
	}
}

// TestErrorsOversizeBodies: a 100 KB body is refused quickly with the
// endpoint's usual error, never a hang or a 500.
func TestErrorsOversizeBodies(t *testing.T) {
	pad := "&padding=" + strings.Repeat("a", 100<<10)
	cases := []struct {
		name string
		path string
		form url.Values
		want errtCheck
	}{
		{"authorize", "/authorize", validAuthorize(),
			errtWantPage(http.StatusBadRequest, "Y030007", "la requête n'a pas pu être lue")},
		{"token", "/token", tokenForm("x"),
			errtWantJSONError(http.StatusBadRequest, "invalid_request", "could not parse the request body")},
		{"userinfo", "/userinfo", url.Values{"access_token": {"x"}},
			errtWantJSONError(http.StatusBadRequest, "invalid_request", "could not parse the request body")},
		{"revocation", "/token/revocation", url.Values{"token": {"x"}, "client_id": {demoClientID}, "client_secret": {demoClientSecret}},
			errtWantJSONError(http.StatusBadRequest, "invalid_request", "could not parse the request body")},
		{"checktoken", "/checktoken", url.Values{"token": {"x"}, "client_id": {errtDGFiPID}, "client_secret": {errtDGFiPSecret}},
			errtWantJSONError(http.StatusBadRequest, "invalid_request", "Required parameter missing or invalid.")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			tc.want(t, env, errtPostBody(t, env.Issuer+tc.path, tc.form.Encode()+pad, nil))
		})
	}
}

// TestErrorsInteractionCancel: the user cancels (access_denied "User auth
// aborted"), or comes back to a finished or expired interaction.
func TestErrorsInteractionCancel(t *testing.T) {
	aborted := errtWantRedirectError(demoRedirect, "access_denied", "User auth aborted")
	gone := errtWantPage(http.StatusBadRequest, "Y190001")
	abort := func(t *testing.T, env *testEnv, uid string) errtResponse {
		return errtPost(t, env.Issuer+"/interaction/"+uid+"/abort", url.Values{}, nil)
	}
	cases := []struct {
		name   string
		params func(url.Values)
		run    func(t *testing.T, env *testEnv, uid string) errtResponse
		want   errtCheck
	}{
		{name: "abort on the provider choice page", run: abort, want: aborted},
		{name: "abort with response_mode=fragment", params: errtSet("response_mode", "fragment"), run: abort,
			want: errtWantFragmentError(demoRedirect, "access_denied", "User auth aborted")},
		{name: "abort with response_mode=form_post", params: errtSet("response_mode", "form_post"), run: abort,
			want: errtWantFormPost(demoRedirect, "access_denied", "User auth aborted")},
		{name: "cancel on the consent page", run: func(t *testing.T, env *testEnv, uid string) errtResponse {
			r := errtPost(t, env.Issuer+"/interaction/"+uid+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}}, nil)
			if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "/interaction/"+uid+"/consent") {
				t.Fatalf("login: %d %q", r.Status, r.Header.Get("Location"))
			}
			return errtPost(t, env.Issuer+"/interaction/"+uid+"/consent", url.Values{"action": {"cancel"}}, nil)
		}, want: aborted},
		{name: "abort an unknown interaction", run: func(t *testing.T, env *testEnv, uid string) errtResponse {
			return abort(t, env, "inconnue")
		}, want: gone},
		{name: "abort twice", run: func(t *testing.T, env *testEnv, uid string) errtResponse {
			aborted(t, env, abort(t, env, uid))
			return abort(t, env, uid)
		}, want: gone},
		{name: "abort after the session expired", run: func(t *testing.T, env *testEnv, uid string) errtResponse {
			env.Clock.Advance(1801 * time.Second)
			return abort(t, env, uid)
		}, want: gone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			params := validAuthorize()
			if tc.params != nil {
				tc.params(params)
			}
			uid := errtUID(t, errtAuthorize(t, env, http.MethodGet, params, nil))
			tc.want(t, env, tc.run(t, env, uid))
		})
	}
}

// ─── /token ─────────────────────────────────────────────────────────────

func TestErrorsToken(t *testing.T) {
	verifier, challenge := pkcePair()
	// code logs the persona "test" in with the demo client.
	code := func(t *testing.T, env *testEnv, kv ...string) string {
		t.Helper()
		params := validAuthorize()
		errtSet(kv...)(params)
		return env.loginWithHeader(params, "test").Get("code")
	}
	withCode := func(edit func(url.Values)) func(*testing.T, *testEnv) url.Values {
		return func(t *testing.T, env *testEnv) url.Values {
			form := tokenForm(code(t, env))
			if edit != nil {
				edit(form)
			}
			return form
		}
	}
	pkce := func(edit func(url.Values)) func(*testing.T, *testEnv) url.Values {
		return func(t *testing.T, env *testEnv) url.Values {
			form := tokenForm(code(t, env, "code_challenge", challenge, "code_challenge_method", "S256"))
			edit(form)
			return form
		}
	}
	after := func(d time.Duration) func(*testing.T, *testEnv) url.Values {
		return func(t *testing.T, env *testEnv) url.Values {
			form := tokenForm(code(t, env))
			env.Clock.Advance(d)
			return form
		}
	}
	invalidClient := func(reason string) errtCheck {
		return errtWantJSONError(http.StatusUnauthorized, "invalid_client", "client authentication failed ("+reason+")")
	}
	invalidGrant := func(reason string) errtCheck {
		return errtWantJSONError(http.StatusBadRequest, "invalid_grant", "grant request is invalid ("+reason+")")
	}
	invalidRequest := func(desc string) errtCheck { return errtWantJSONError(http.StatusBadRequest, "invalid_request", desc) }
	success := errtWantTokens("openid profile birth email")

	cases := []struct {
		name  string
		form  func(*testing.T, *testEnv) url.Values
		basic []string // HTTP Basic user and password, when set
		want  errtCheck
	}{
		// Client authentication: 401.
		{name: "HTTP Basic authentication", form: withCode(errtDel("client_id", "client_secret")), basic: []string{demoClientID, demoClientSecret},
			want: invalidClient("the provided authentication mechanism does not match the registered client authentication method")},
		{name: "HTTP Basic alongside client_secret_post", form: withCode(nil), basic: []string{demoClientID, demoClientSecret},
			want: invalidClient("the provided authentication mechanism does not match the registered client authentication method")},
		{name: "wrong client_secret", form: withCode(errtSet("client_secret", "wrong")), want: invalidClient("invalid secret provided")},
		{name: "unknown client_id", form: withCode(errtSet("client_id", "inconnu")), want: invalidClient("client not found")},
		{name: "data provider credentials", form: withCode(errtSet("client_id", errtDGFiPID, "client_secret", errtDGFiPSecret)),
			want: invalidClient("client not found")},
		{name: "no client authentication", form: withCode(errtDel("client_id", "client_secret")),
			want: invalidClient("no client authentication mechanism provided")},
		{name: "client_id without client_secret", form: withCode(errtDel("client_secret")),
			want: invalidClient("no client authentication mechanism provided")},

		// Request parameters: 400.
		{name: "missing grant_type", form: withCode(errtDel("grant_type")), want: invalidRequest("missing required parameter 'grant_type' (undefined)")},
		{name: "grant_type=refresh_token", form: withCode(errtSet("grant_type", "refresh_token")),
			want: errtWantJSONError(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type requested (refresh_token)")},
		{name: "grant_type=client_credentials", form: withCode(errtSet("grant_type", "client_credentials")),
			want: errtWantJSONError(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type requested (client_credentials)")},
		{name: "missing code", form: withCode(errtDel("code")), want: invalidRequest("missing required parameter 'code' (undefined)")},
		{name: "missing redirect_uri", form: withCode(errtDel("redirect_uri")), want: invalidRequest("missing required parameter 'redirect_uri' (undefined)")},

		// The code: 400 invalid_grant.
		{name: "unknown code", form: withCode(errtSet("code", "inconnu")), want: invalidGrant("authorization code not found")},
		{name: "code expired after 31 s", form: after(31 * time.Second), want: invalidGrant("authorization code is expired")},
		{name: "code still valid after 30 s", form: after(30 * time.Second), want: success},
		{name: "redirect_uri mismatch", form: withCode(errtSet("redirect_uri", "http://localhost:8080/callback")),
			want: invalidGrant("authorization code redirect_uri mismatch")},
		{name: "code of another client", form: func(t *testing.T, env *testEnv) url.Values {
			rs := env.loginWithHeader(errtRS256.authorize(), "test").Get("code")
			return tokenForm(rs) // redeemed by the demo client
		}, want: invalidGrant("authorization code client mismatch")},

		// PKCE.
		{name: "PKCE: verifier missing", form: pkce(func(url.Values) {}), want: invalidGrant("PKCE verification failed")},
		{name: "PKCE: wrong verifier", form: pkce(errtSet("code_verifier", verifier+"x")), want: invalidGrant("PKCE verification failed")},
		{name: "PKCE: verifier without challenge", form: withCode(errtSet("code_verifier", verifier)), want: invalidGrant("PKCE verification failed")},
		{name: "PKCE: correct verifier", form: pkce(errtSet("code_verifier", verifier)), want: success},

		{name: "valid exchange", form: withCode(nil), want: success},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			req, err := http.NewRequest(http.MethodPost, env.Issuer+"/token", strings.NewReader(tc.form(t, env).Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic != nil {
				req.SetBasicAuth(tc.basic[0], tc.basic[1])
			}
			tc.want(t, env, errtDo(t, req))
		})
	}
}

// TestErrorsTokenCodeReplay: a code is single use, and presenting it again
// revokes the access token it gave.
func TestErrorsTokenCodeReplay(t *testing.T) {
	env := newTestEnv(t, nil)
	code := env.loginWithHeader(validAuthorize(), "test").Get("code")
	first := errtPost(t, env.Issuer+"/token", tokenForm(code), nil)
	errtWantTokens("openid profile birth email")(t, env, first)
	var tr tokenResponse
	if err := json.Unmarshal([]byte(first.Body), &tr); err != nil {
		t.Fatal(err)
	}
	bearer := http.Header{"Authorization": {"Bearer " + tr.AccessToken}}

	t.Run("the access token works", func(t *testing.T) {
		errtWantUserinfo(t, env, errtGet(t, env.Issuer+"/userinfo", bearer))
	})
	t.Run("second exchange of the code", func(t *testing.T) {
		errtWantJSONError(http.StatusBadRequest, "invalid_grant", "grant request is invalid (authorization code already consumed)")(
			t, env, errtPost(t, env.Issuer+"/token", tokenForm(code), nil))
	})
	t.Run("the first access token no longer works", func(t *testing.T) {
		errtWantInvalidToken("invalid token provided (access token not found)")(t, env, errtGet(t, env.Issuer+"/userinfo", bearer))
	})
}

// TestErrorsTokenFailedExchangeKeepsCode: FranceConnect (node-oidc-provider)
// checks expiry, PKCE, client and redirect_uri before it consumes the code,
// so a rejected request does not burn it: the right request afterwards
// still gets tokens.
func TestErrorsTokenFailedExchangeKeepsCode(t *testing.T) {
	verifier, challenge := pkcePair()
	cases := []struct {
		name  string
		bad   func(form url.Values) url.Values // the rejected request
		right func(form url.Values) url.Values // the request that must then succeed
	}{
		{name: "after a redirect_uri mismatch",
			bad: func(f url.Values) url.Values {
				f.Set("redirect_uri", "http://localhost:8080/callback")
				f.Set("code_verifier", verifier)
				return f
			},
			right: func(f url.Values) url.Values { f.Set("code_verifier", verifier); return f }},
		{name: "after a wrong PKCE verifier",
			bad:   func(f url.Values) url.Values { f.Set("code_verifier", verifier+"x"); return f },
			right: func(f url.Values) url.Values { f.Set("code_verifier", verifier); return f }},
		{name: "after another client presented it",
			bad: func(f url.Values) url.Values {
				f = errtRS256.tokenForm(f.Get("code"))
				f.Set("code_verifier", verifier)
				return f
			},
			right: func(f url.Values) url.Values { f.Set("code_verifier", verifier); return f }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			params := validAuthorize()
			errtSet("code_challenge", challenge, "code_challenge_method", "S256")(params)
			code := env.loginWithHeader(params, "test").Get("code")
			bad := errtPost(t, env.Issuer+"/token", tc.bad(tokenForm(code)), nil)
			if bad.Status != http.StatusBadRequest {
				t.Fatalf("the bad request: status %d, body %s", bad.Status, bad.Body)
			}
			errtWantTokens("openid profile birth email")(t, env, errtPost(t, env.Issuer+"/token", tc.right(tokenForm(code)), nil))
		})
	}
}

// TestErrorsTokenRejectedReplayKeepsToken: node-oidc-provider checks the
// client and the redirect_uri before it looks at "consumed", so a replay
// that fails those checks is refused for them and revokes nothing; only a
// replay that would otherwise succeed revokes the tokens.
func TestErrorsTokenRejectedReplayKeepsToken(t *testing.T) {
	cases := []struct {
		name   string
		replay func(code string) url.Values
		desc   string
	}{
		{name: "another client presents the consumed code", replay: errtRS256.tokenForm,
			desc: "grant request is invalid (authorization code client mismatch)"},
		{name: "the client presents it with another redirect_uri", replay: func(code string) url.Values {
			f := tokenForm(code)
			f.Set("redirect_uri", "http://localhost:8080/callback")
			return f
		}, desc: "grant request is invalid (authorization code redirect_uri mismatch)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			code := env.loginWithHeader(validAuthorize(), "test").Get("code")
			first := errtPost(t, env.Issuer+"/token", tokenForm(code), nil)
			var tr tokenResponse
			if err := json.Unmarshal([]byte(first.Body), &tr); err != nil || first.Status != http.StatusOK {
				t.Fatalf("first exchange: %d %s", first.Status, first.Body)
			}
			errtWantJSONError(http.StatusBadRequest, "invalid_grant", tc.desc)(t, env, errtPost(t, env.Issuer+"/token", tc.replay(code), nil))
			errtWantUserinfo(t, env, errtGet(t, env.Issuer+"/userinfo", http.Header{"Authorization": {"Bearer " + tr.AccessToken}}))
		})
	}
}

// ─── /userinfo ──────────────────────────────────────────────────────────

func TestErrorsUserinfo(t *testing.T) {
	get := func(header http.Header, query url.Values) func(*testing.T, *testEnv, string) errtResponse {
		return func(t *testing.T, env *testEnv, at string) errtResponse {
			h := http.Header{}
			for k, v := range header {
				h[k] = []string{strings.ReplaceAll(v[0], "{at}", at)}
			}
			u := env.Issuer + "/userinfo"
			if query != nil {
				q := url.Values{}
				for k, v := range query {
					q.Set(k, strings.ReplaceAll(v[0], "{at}", at))
				}
				u += "?" + q.Encode()
			}
			return errtGet(t, u, h)
		}
	}
	post := func(form url.Values) func(*testing.T, *testEnv, string) errtResponse {
		return func(t *testing.T, env *testEnv, at string) errtResponse {
			f := url.Values{}
			for k, v := range form {
				f.Set(k, strings.ReplaceAll(v[0], "{at}", at))
			}
			return errtPost(t, env.Issuer+"/userinfo", f, nil)
		}
	}
	bearer := http.Header{"Authorization": {"Bearer {at}"}}
	badHeader := errtWantJSONError(http.StatusBadRequest, "invalid_request", "invalid authorization header value format")

	cases := []struct {
		name    string
		advance time.Duration // after the token is issued
		send    func(t *testing.T, env *testEnv, at string) errtResponse
		want    errtCheck
	}{
		{name: "GET without token", send: get(nil, nil), want: errtWantInvalidToken("no access token provided")},
		{name: "POST without token", send: post(url.Values{}), want: errtWantInvalidToken("no access token provided")},
		{name: "garbage Bearer token", send: get(http.Header{"Authorization": {"Bearer garbage"}}, nil),
			want: errtWantInvalidToken("invalid token provided (access token not found)")},
		{name: "garbage token in the query", send: get(nil, url.Values{"access_token": {"garbage"}}),
			want: errtWantInvalidToken("invalid token provided (access token not found)")},
		{name: "token expired after 61 s", advance: 61 * time.Second, send: get(bearer, nil),
			want: errtWantInvalidToken("invalid token provided (access token is expired)")},
		{name: "token still valid after 60 s", advance: 60 * time.Second, send: get(bearer, nil), want: errtWantUserinfo},
		{name: "Authorization Basic", send: get(http.Header{"Authorization": {"Basic xxx"}}, nil), want: badHeader},
		{name: "Authorization Bearer without value", send: get(http.Header{"Authorization": {"Bearer"}}, nil), want: badHeader},
		{name: "Authorization with three parts", send: get(http.Header{"Authorization": {"Bearer {at} extra"}}, nil), want: badHeader},
		{name: "token in both the header and the query", send: get(bearer, url.Values{"access_token": {"{at}"}}),
			want: errtWantJSONError(http.StatusBadRequest, "invalid_request", "access token must only be provided using one mechanism")},
		{name: "Bearer header", send: get(bearer, nil), want: errtWantUserinfo},
		{name: "bearer scheme is case-insensitive", send: get(http.Header{"Authorization": {"bearer {at}"}}, nil), want: errtWantUserinfo},
		{name: "token in the query", send: get(nil, url.Values{"access_token": {"{at}"}}), want: errtWantUserinfo},
		{name: "token in the POST form", send: post(url.Values{"access_token": {"{at}"}}), want: errtWantUserinfo},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			at, _ := errtTokens(t, env, errtDemo)
			env.Clock.Advance(tc.advance)
			tc.want(t, env, tc.send(t, env, at))
		})
	}
}

// ─── /session/end ───────────────────────────────────────────────────────

func TestErrorsEndSession(t *testing.T) {
	logoutErr := func(texts ...string) errtCheck { return errtWantPage(http.StatusBadRequest, "Y030118", texts...) }
	loggedOut := func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", r.Status, r.Body)
		}
		errtMediaType(t, r, "text/html")
		if !strings.Contains(html.UnescapeString(r.Body), "Vous êtes bien déconnecté") {
			t.Errorf("the page does not say « Vous êtes bien déconnecté »: %s", r.Body)
		}
	}
	redirectTo := func(want string) errtCheck {
		return func(t *testing.T, env *testEnv, r errtResponse) {
			t.Helper()
			if loc := errtLocation(t, r); loc.String() != want {
				t.Errorf("Location = %q, want %q", loc.String(), want)
			}
		}
	}
	// foreign is an ID token for the demo client signed by another key.
	foreign := func(t *testing.T) string {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign([]byte(`{"aud":"` + demoClientID + `","sub":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		out, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	cases := []struct {
		name    string
		client  errtSP        // whose ID token is the hint
		advance time.Duration // after login
		query   func(t *testing.T, idToken string) url.Values
		want    errtCheck
	}{
		{name: "no id_token_hint", query: func(*testing.T, string) url.Values { return url.Values{"state": {testState}} },
			want: logoutErr("id_token_hint manquant")},
		{name: "empty id_token_hint", query: func(*testing.T, string) url.Values { return url.Values{"id_token_hint": {""}} },
			want: logoutErr("id_token_hint manquant")},
		{name: "garbage id_token_hint", query: func(*testing.T, string) url.Values { return url.Values{"id_token_hint": {"garbage"}} },
			want: logoutErr("id_token_hint n'est pas un ID token signé par ce FranceConnect")},
		{name: "ID token signed by another key", query: func(t *testing.T, _ string) url.Values {
			return url.Values{"id_token_hint": {foreign(t)}, "post_logout_redirect_uri": {"http://localhost:4242/"}}
		}, want: logoutErr("id_token_hint n'est pas un ID token signé par ce FranceConnect")},
		{name: "valid hint without post_logout_redirect_uri", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "state": {testState}}
		}, want: loggedOut},
		{name: "registered post_logout_redirect_uri with state", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:4242/"}, "state": {testState}}
		}, want: redirectTo("http://localhost:4242/?state=" + testState)},
		{name: "registered post_logout_redirect_uri without state", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:4242/"}}
		}, want: redirectTo("http://localhost:4242/")},
		{name: "demo client: any localhost post_logout_redirect_uri", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:9999/bye"}, "state": {testState}}
		}, want: redirectTo("http://localhost:9999/bye?state=" + testState)},
		{name: "unregistered post_logout_redirect_uri", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://example.com/"}, "state": {testState}}
		}, want: logoutErr("post_logout_redirect_uri « http://example.com/ » n'est pas enregistrée pour « Service de démonstration (localhost) »")},
		{name: "strict client: another client's post_logout_redirect_uri", client: errtStrict, query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:4242/"}, "state": {testState}}
		}, want: logoutErr("n'est pas enregistrée pour « " + errtStrictName + " »")},
		{name: "strict client: its registered post_logout_redirect_uri", client: errtStrict, query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:8080/demoville/"}, "state": {testState}}
		}, want: redirectTo("http://localhost:8080/demoville/?state=" + testState)},
		{name: "RS256 ID token", client: errtRS256, query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:4242/"}, "state": {testState}}
		}, want: redirectTo("http://localhost:4242/?state=" + testState)},
		{name: "expired ID token (2 h) is still a valid hint", advance: 2 * time.Hour, query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:4242/"}, "state": {testState}}
		}, want: redirectTo("http://localhost:4242/?state=" + testState)},
		{name: "expired ID token (2 h) without post_logout_redirect_uri", advance: 2 * time.Hour, query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}}
		}, want: loggedOut},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			client := tc.client
			if client.id == "" {
				client = errtDemo
			}
			_, idt := errtTokens(t, env, client)
			env.Clock.Advance(tc.advance)
			tc.want(t, env, errtGet(t, env.Issuer+"/session/end?"+tc.query(t, idt).Encode(), nil))
		})
	}
}

// ─── /token/revocation ──────────────────────────────────────────────────

func TestErrorsRevocation(t *testing.T) {
	form := func(kv ...string) func(at string) url.Values {
		return errtTokenForm(demoClientID, demoClientSecret, kv...)
	}
	cases := []struct {
		name     string
		form     func(at string) url.Values
		basic    bool
		want     errtCheck
		userinfo int // userinfo's status with the access token afterwards
	}{
		{name: "revoke the access token", form: form(), want: errtWantOK(http.StatusOK, ""), userinfo: http.StatusUnauthorized},
		{name: "revoke with token_type_hint", form: form("token_type_hint", "access_token"), want: errtWantOK(http.StatusOK, ""), userinfo: http.StatusUnauthorized},
		{name: "unknown token", form: form("token", "inconnu"), want: errtWantOK(http.StatusOK, ""), userinfo: http.StatusOK},
		{name: "wrong client_secret", form: form("client_secret", "wrong"),
			want: errtWantJSONError(http.StatusUnauthorized, "invalid_client", "client authentication failed (invalid secret provided)"), userinfo: http.StatusOK},
		{name: "unknown client", form: form("client_id", "inconnu"),
			want: errtWantJSONError(http.StatusUnauthorized, "invalid_client", "client authentication failed (client not found)"), userinfo: http.StatusOK},
		{name: "HTTP Basic authentication", form: form("client_id", "", "client_secret", ""), basic: true,
			want: errtWantJSONError(http.StatusUnauthorized, "invalid_client",
				"client authentication failed (the provided authentication mechanism does not match the registered client authentication method)"),
			userinfo: http.StatusOK},
		{name: "missing token", form: form("token", ""),
			want: errtWantJSONError(http.StatusBadRequest, "invalid_request", "missing required parameter 'token' (undefined)"), userinfo: http.StatusOK},
		{name: "another client's token", form: form("client_id", errtRS256.id, "client_secret", errtRS256.secret),
			want: errtWantJSONError(http.StatusBadRequest, "invalid_request", "this token does not belong to you"), userinfo: http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			at, _ := errtTokens(t, env, errtDemo)
			req, err := http.NewRequest(http.MethodPost, env.Issuer+"/token/revocation", strings.NewReader(tc.form(at).Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(demoClientID, demoClientSecret)
			}
			tc.want(t, env, errtDo(t, req))

			after := errtGet(t, env.Issuer+"/userinfo", http.Header{"Authorization": {"Bearer " + at}})
			if tc.userinfo == http.StatusUnauthorized {
				errtWantInvalidToken("invalid token provided (access token not found)")(t, env, after)
			} else if after.Status != tc.userinfo {
				t.Errorf("userinfo afterwards: status %d, want %d; body %s", after.Status, tc.userinfo, after.Body)
			}
		})
	}
}

// ─── /checktoken ────────────────────────────────────────────────────────

// errtWantIntrospection: 200, a JWS of exactly {token_introspection, aud,
// iat, iss}; check inspects token_introspection.
func errtWantIntrospection(check func(t *testing.T, ti map[string]any)) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/token-introspection+jwt" {
			t.Errorf("Content-Type = %q, want application/token-introspection+jwt", ct)
		}
		jws, err := jose.ParseSigned(r.Body, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatalf("%q is not an ES256 JWS: %v", r.Body, err)
		}
		if typ := jws.Signatures[0].Header.ExtraHeaders["typ"]; typ != "token-introspection+jwt" {
			t.Errorf("JWS typ = %v, want token-introspection+jwt", typ)
		}
		body := errtVerify(t, env, r.Body)
		keys := make([]string, 0, len(body))
		for k := range body {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"aud", "iat", "iss", "token_introspection"}; !slices.Equal(keys, want) {
			t.Errorf("payload keys = %v, want exactly %v", keys, want)
		}
		if body["aud"] != errtDGFiPID || body["iss"] != env.Issuer || body["iat"] != float64(env.Clock.Now().Unix()) {
			t.Errorf("aud = %v, iss = %v, iat = %v", body["aud"], body["iss"], body["iat"])
		}
		ti, _ := body["token_introspection"].(map[string]any)
		check(t, ti)
	}
}

func TestErrorsCheckToken(t *testing.T) {
	form := func(kv ...string) func(at string) url.Values {
		return errtTokenForm(errtDGFiPID, errtDGFiPSecret, kv...)
	}
	missing := errtWantJSONError(http.StatusBadRequest, "invalid_request", "Required parameter missing or invalid.")
	badCreds := errtWantJSONError(http.StatusUnauthorized, "invalid_client", "client authentication failed (invalid data provider credentials)")
	inactive := errtWantIntrospection(func(t *testing.T, ti map[string]any) {
		if want := map[string]any{"active": false}; !reflect.DeepEqual(ti, want) {
			t.Errorf("token_introspection = %v, want exactly %v", ti, want)
		}
	})
	active := errtWantIntrospection(func(t *testing.T, ti map[string]any) {
		sub, _ := ti["sub"].(string)
		if ti["active"] != true || ti["aud"] != demoClientID || ti["scope"] != "openid" || len(sub) != 66 {
			t.Errorf("token_introspection = %v, want active for %s with scope openid", ti, demoClientID)
		}
	})
	cases := []struct {
		name    string
		form    func(at string) url.Values
		advance time.Duration
		want    errtCheck
	}{
		{name: "missing token", form: form("token", ""), want: missing},
		{name: "missing client_id", form: form("client_id", ""), want: missing},
		{name: "missing client_secret", form: form("client_secret", ""), want: missing},
		{name: "empty form", form: func(string) url.Values { return url.Values{} }, want: missing},
		{name: "wrong data provider secret", form: form("client_secret", "wrong"), want: badCreds},
		{name: "unknown data provider", form: form("client_id", "inconnu"), want: badCreds},
		{name: "a service provider's credentials", form: form("client_id", demoClientID, "client_secret", demoClientSecret), want: badCreds},
		{name: "unknown token", form: form("token", "inconnu"), want: inactive},
		{name: "expired token (61 s)", form: form(), advance: 61 * time.Second, want: inactive},
		{name: "live token", form: form(), want: active},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			at, _ := errtTokens(t, env, errtDemo)
			env.Clock.Advance(tc.advance)
			tc.want(t, env, errtPost(t, env.Issuer+"/checktoken", tc.form(at), nil))
		})
	}
}

// ─── Routes ─────────────────────────────────────────────────────────────

// TestErrorsRoutes: like node-oidc-provider, an unknown path and a wrong
// method are both 404 "unrecognized route or not allowed method".
func TestErrorsRoutes(t *testing.T) {
	env := newTestEnv(t, nil)
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/v2/nowhere", http.StatusNotFound},
		{http.MethodPost, "/api/v2/nowhere", http.StatusNotFound},
		{http.MethodGet, "/api/v2/interaction", http.StatusNotFound},
		{http.MethodGet, "/api/v2/token", http.StatusNotFound},
		{http.MethodGet, "/api/v2/token/revocation", http.StatusNotFound},
		{http.MethodGet, "/api/v2/checktoken", http.StatusNotFound},
		{http.MethodPost, "/api/v2/session/end", http.StatusNotFound},
		{http.MethodPost, "/api/v2/jwks", http.StatusNotFound},
		{http.MethodPut, "/api/v2/authorize", http.StatusNotFound},
		{http.MethodDelete, "/api/v2/userinfo", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, env.Server.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			errtWantJSONError(tc.status, "invalid_request", "unrecognized route or not allowed method ("+tc.method+" on "+tc.path+")")(
				t, env, errtDo(t, req))
		})
	}
}

// errtTokenForm builds the form of a revocation or checktoken request for
// the access token at: token and client credentials, then kv pairs setting
// a field (or removing it when the value is "").
func errtTokenForm(id, secret string, kv ...string) func(at string) url.Values {
	return func(at string) url.Values {
		f := url.Values{"token": {at}, "client_id": {id}, "client_secret": {secret}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
}
