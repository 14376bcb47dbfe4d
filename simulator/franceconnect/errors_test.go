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
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
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
	Jar:           errtJar(),
}

// errtJar keeps cookies as a browser does: the login pages answer only the
// browser that started the login.
func errtJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
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
		// node-oidc-provider's order, which the platform's Cypress regex
		// expects: error, error_description, state, iss.
		if !regexp.MustCompile(`(^|&)error=[^&]+&error_description=[^&]+&state=[^&]+&iss=[^&]+$`).MatchString(loc.RawQuery) {
			t.Errorf("parameters out of order: %q", loc.RawQuery)
		}
	}
}

// errtWantScopeError: invalid_scope, naming the scope, between
// error_description and state as node-oidc-provider orders them.
func errtWantScopeError(redirectURI, scope string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		loc := errtLocation(t, r)
		want := errtErrorParams(env, "invalid_scope", "requested scope is not allowed")
		want.Set("scope", scope)
		errtSameTarget(t, loc, redirectURI, want, loc.Query())
		if !strings.Contains(loc.RawQuery, "error_description=requested+scope+is+not+allowed&scope="+url.QueryEscape(scope)+"&state=") {
			t.Errorf("parameters out of order: %q", loc.RawQuery)
		}
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

var errtErrorURI = regexp.MustCompile(`^` + regexp.QuoteMeta(ErrorURI) + `\?code=(Y[0-9A-F]{6,7})&id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// errtWantJSONError: a JSON body of exactly error, error_description and
// error_uri, whose code and id are the platform's format.
func errtWantJSONError(status int, code, desc string) errtCheck {
	return errtWantJSONErrorCode(status, code, desc, "")
}

// errtWantJSONErrorCode is errtWantJSONError with the error_uri's code
// (e.g. Y0434A7B) checked too.
func errtWantJSONErrorCode(status int, code, desc, fcCode string) errtCheck {
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
		uri, _ := got["error_uri"].(string)
		m := errtErrorURI.FindStringSubmatch(uri)
		if m == nil || (fcCode != "" && m[1] != fcCode) {
			t.Errorf("error_uri = %q, want %s?code=%s&id=<uuid>", uri, ErrorURI, fcCode)
		}
		delete(got, "error_uri")
		if want := map[string]any{"error": code, "error_description": desc}; !reflect.DeepEqual(got, want) {
			t.Errorf("body = %v, want %v and error_uri", got, want)
		}
	}
}

// errtWantBareError: checktoken's errors, exactly error and
// error_description (api-checktoken.feature).
func errtWantBareError(status int, code, desc string) errtCheck {
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
		if want := map[string]any{"error": code, "error_description": desc}; !reflect.DeepEqual(got, want) {
			t.Errorf("body = %v, want %v", got, want)
		}
	}
}

// errtWantInvalidToken: 401 invalid_token with its WWW-Authenticate header.
func errtWantInvalidToken(desc string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		errtWantJSONError(http.StatusUnauthorized, "invalid_token", desc)(t, env, r)
		want := `Bearer realm="` + env.Issuer + `", error="invalid_token", error_description="invalid token provided"`
		if strings.HasPrefix(desc, "no access token provided") {
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
	withPKCE := func(c *Config) { c.PKCE = true }
	y030007 := func(texts ...string) errtCheck { return errtWantPage(http.StatusBadRequest, "Y030007", texts...) }
	notRegistered := func(texts ...string) errtCheck { return errtWantPage(http.StatusBadRequest, "Y04C013C", texts...) }
	redir := func(code, desc string) errtCheck { return errtWantRedirectError(demoRedirect, code, desc) }
	const openidRequired = "openid scope must be requested when using the acr_values parameter"

	cases := []struct {
		name    string
		modify  func(url.Values) // applied to validAuthorize()
		persona string           // X-Bacasable-Persona
		tweak   func(*Config)
		want    errtCheck
		// wantPOST, when set, is the answer to the POST form (idp_hint is
		// read from the query only).
		wantPOST errtCheck
	}{
		// The parameter DTO comes first: Y030007 page, whatever the client.
		{name: "unknown parameter", modify: errtSet("foo", "bar"), want: y030007("paramètre(s) refusé(s) : foo")},
		{name: "an unknown parameter is reported before an unknown client_id", modify: errtSet("client_id", "inconnu", "foo", "bar"),
			want: y030007("foo")},
		{name: "code_challenge refused, PKCE explained", modify: errtSet("code_challenge", challenge, "code_challenge_method", "S256"),
			want: y030007("code_challenge, code_challenge_method", "FranceConnect v2 n'accepte pas PKCE", "code_challenge_methods_supported S256")},
		{name: "response_mode refused", modify: errtSet("response_mode", "form_post"), want: y030007("response_mode")},
		{name: "request_uri refused", modify: errtSet("request_uri", "urn:x"), want: y030007("request_uri")},
		{name: "repeated parameter", modify: func(v url.Values) { v.Add("scope", "openid") },
			want: y030007("le paramètre « scope » est répété 2 fois")},
		{name: "a state over 2048 bytes", modify: errtSet("state", strings.Repeat("s", 2049)), want: y030007("le paramètre « state » fait 2049 octets")},
		{name: "a state of 2048 bytes accepted", modify: errtSet("state", strings.Repeat("s", 2048)), want: errtWantInteraction("")},
		{name: "repeated client_id", modify: func(v url.Values) { v.Add("client_id", demoClientID) },
			want: y030007("le paramètre « client_id » est répété 2 fois")},
		{name: "missing client_id", modify: errtDel("client_id"), want: y030007("paramètre obligatoire manquant : client_id")},
		{name: "empty client_id", modify: errtSet("client_id", ""), want: y030007("client_id est vide")},
		{name: "missing redirect_uri", modify: errtDel("redirect_uri"), want: y030007("paramètre obligatoire manquant : redirect_uri")},
		{name: "missing scope", modify: errtDel("scope"), want: y030007("paramètre obligatoire manquant : scope")},
		{name: "missing acr_values", modify: errtDel("acr_values"), want: y030007("paramètre obligatoire manquant : acr_values")},
		{name: "missing response_type", modify: errtDel("response_type"), want: y030007("paramètre obligatoire manquant : response_type")},
		{name: "missing state", modify: errtDel("state"), want: y030007("paramètre obligatoire manquant : state")},
		{name: "missing nonce", modify: errtDel("nonce"), want: y030007("paramètre obligatoire manquant : nonce")},
		{name: "nonce of 12 characters", modify: errtSet("nonce", noncePad(12)), want: y030007("nonce trop court : 12 caractères, 22 minimum")},
		{name: "nonce of 21 characters", modify: errtSet("nonce", noncePad(21)), want: y030007("nonce trop court : 21 caractères, 22 minimum")},
		{name: "nonce of 22 characters accepted", modify: errtSet("nonce", noncePad(22)), want: errtWantInteraction("")},
		{name: "nonce length counts characters, not bytes", modify: errtSet("nonce", strings.Repeat("é", 21)),
			want: y030007("nonce trop court : 21 caractères, 22 minimum")},
		{name: "NonceMinLength 32: nonce of 22 characters refused", tweak: minNonce32, modify: errtSet("nonce", noncePad(22)),
			want: y030007("nonce trop court : 22 caractères, 32 minimum")},
		{name: "NonceMinLength 32: nonce of 32 characters accepted", tweak: minNonce32, modify: errtSet("nonce", noncePad(32)),
			want: errtWantInteraction("")},
		{name: "malformed redirect_uri: not a URL", modify: errtSet("redirect_uri", "not a url"),
			want: y030007("redirect_uri « not a url » n'est pas une URL http(s) absolue")},
		{name: "malformed redirect_uri: no scheme", modify: errtSet("redirect_uri", "example.com"), want: y030007()},
		{name: "malformed redirect_uri: relative", modify: errtSet("redirect_uri", "/callback"), want: y030007()},
		{name: "malformed redirect_uri: unparsable", modify: errtSet("redirect_uri", "http://[::1"), want: y030007()},
		{name: "prompt=none", modify: errtSet("prompt", "none"), want: y030007("prompt « none » refusé")},
		{name: "prompt=select_account", modify: errtSet("prompt", "select_account"), want: y030007("prompt « select_account » refusé")},
		{name: "empty prompt", modify: errtSet("prompt", ""), want: y030007("prompt «  » refusé")},
		{name: "prompt=login none accepted (one allowed value is enough)", modify: errtSet("prompt", "login none"), want: errtWantInteraction("")},
		{name: "prompt=login consent accepted", modify: errtSet("prompt", "login consent"), want: errtWantInteraction("")},
		{name: "prompt=login accepted", modify: errtSet("prompt", "login"), want: errtWantInteraction("")},
		{name: "prompt=consent accepted", modify: errtSet("prompt", "consent"), want: errtWantInteraction("")},
		{name: "empty state passes the DTO", modify: errtSet("state", ""), want: errtWantInteraction("")},

		// The client: an HTML page, never a redirect.
		{name: "unknown client_id", modify: errtSet("client_id", "inconnu"),
			want: errtWantPage(http.StatusBadRequest, "Y04EA6EF", "aucun fournisseur de service n'a le client_id « inconnu »",
				"Une erreur de communication avec le fournisseur de service est survenue. Veuillez réessayer ultérieurement.")},
		{name: "client_id of a data provider", modify: errtSet("client_id", errtDGFiPID),
			want: errtWantPage(http.StatusBadRequest, "Y04EA6EF")},

		// redirect_uri: exact match, except the demo clients' localhost convenience.
		{name: "strict client: unregistered redirect_uri", modify: errtStrictWith("redirect_uri", demoRedirect),
			want: notRegistered("redirect_uri « " + demoRedirect + " » n'est pas enregistrée pour « " + errtStrictName + " » ; URL enregistrées : " + errtStrictRedirect)},
		{name: "strict client: registered redirect_uri plus a trailing slash", modify: errtStrictWith("redirect_uri", errtStrictRedirect+"/"),
			want: notRegistered()},
		{name: "strict client: registered redirect_uri plus a query", modify: errtStrictWith("redirect_uri", errtStrictRedirect+"?x=1"),
			want: notRegistered()},
		{name: "strict client: missing parameters are reported before an unregistered redirect_uri", modify: func(v url.Values) {
			errtStrictWith("redirect_uri", demoRedirect)(v)
			v.Del("nonce")
		}, want: y030007()},
		{name: "strict client: a bad scope with an unregistered redirect_uri is Y040001", modify: func(v url.Values) {
			errtStrictWith("redirect_uri", errtStrictRedirect+"/wrong-url", "scope", "email")(v)
		}, want: errtWantPage(http.StatusBadRequest, "Y040001", "Une erreur s'est produite, veuillez réessayer ultérieurement")},
		{name: "demo client: http://example.com/cb refused", modify: errtSet("redirect_uri", "http://example.com/cb"),
			want: notRegistered("redirect_uri « http://example.com/cb » n'est pas enregistrée")},
		{name: "demo client: https://localhost accepted", modify: errtSet("redirect_uri", "https://localhost:8443/callback"),
			want: errtWantInteraction("")},
		{name: "demo client: http://[::1] accepted", modify: errtSet("redirect_uri", "http://[::1]:3000/callback"),
			want: errtWantInteraction("")},
		{name: "demo client: host.docker.internal is not localhost", modify: errtSet("redirect_uri", "http://host.docker.internal:3000/callback"),
			want: notRegistered()},
		{name: "demo client: localhost.example.com refused", modify: errtSet("redirect_uri", "http://localhost.example.com/cb"),
			want: notRegistered()},
		{name: "demo client: localhost as userinfo of another host refused", modify: errtSet("redirect_uri", "http://localhost@example.com/cb"),
			want: notRegistered()},
		{name: "demo client: a fragment in the redirect_uri refused", modify: errtSet("redirect_uri", demoRedirect+"#frag"), want: notRegistered()},
		{name: "demo client: any http://localhost port accepted", modify: errtSet("redirect_uri", "http://localhost:5173/auth/callback"),
			want: errtWantInteraction("")},
		{name: "demo client: any http://127.0.0.1 port accepted", modify: errtSet("redirect_uri", "http://127.0.0.1:9999/cb"),
			want: errtWantInteraction("")},
		{name: "demo client: http://localhost without port accepted", modify: errtSet("redirect_uri", "http://localhost/cb"),
			want: errtWantInteraction("")},
		{name: "strict client: registered redirect_uri accepted", modify: errtStrictWith(), want: errtWantInteraction("")},

		// Errors sent back to the trusted redirect_uri.
		{name: "empty response_type", modify: errtSet("response_type", ""),
			want: redir("invalid_request", "missing required parameter 'response_type'")},
		{name: "response_type=inconnu", modify: errtSet("response_type", "inconnu"),
			want: redir("unsupported_response_type", "unsupported response_type requested")},
		{name: "response_type=token answers in the fragment", modify: errtSet("response_type", "token"),
			want: errtWantFragmentError(demoRedirect, "unsupported_response_type", "unsupported response_type requested")},
		{name: "response_type=code id_token answers in the fragment", modify: errtSet("response_type", "code id_token"),
			want: errtWantFragmentError(demoRedirect, "unsupported_response_type", "unsupported response_type requested")},
		{name: "scope without openid", modify: errtSet("scope", "profile email"), want: redir("invalid_request", openidRequired)},
		{name: "empty scope", modify: errtSet("scope", ""), want: redir("invalid_request", openidRequired)},
		{name: "strict client: profile not allowed", modify: errtStrictWith("scope", "openid profile"),
			want: errtWantScopeError(errtStrictRedirect, "profile")},
		{name: "strict client: dgfip_pac_nbPac not allowed", modify: errtStrictWith("scope", "openid identite_pivot dgfip_pac_nbPac"),
			want: errtWantScopeError(errtStrictRedirect, "dgfip_pac_nbPac")},
		{name: "unknown scopes are ignored", modify: errtSet("scope", "openid address inconnu dgfip_IndLep"), want: errtWantInteraction("")},
		{name: "acr_values=eidas2 goes on to the provider choice page", modify: errtSet("acr_values", "eidas2"), want: errtWantInteraction("")},
		{name: "unknown acr_values fall back to eidas1", modify: errtSet("acr_values", "niveau_inconnu"), want: errtWantInteraction("")},
		{name: "unknown idp_hint", modify: errtSet("idp_hint", "ameli"), want: redir("invalid_idp_hint", "An idp_hint was provided but is not allowed"),
			wantPOST: errtWantInteraction("")},
		{name: "idp_hint=bacasable-demo goes to its login page", modify: errtSet("idp_hint", "bacasable-demo"), want: errtWantInteraction("/idp/demo"),
			wantPOST: errtWantInteraction("")},
		{name: "idp_hint=bacasable-impots goes to its login page", modify: errtSet("idp_hint", "bacasable-impots"), want: errtWantInteraction("/idp/impots"),
			wantPOST: errtWantInteraction("")},
		{name: "claims not JSON", modify: errtSet("claims", "{id_token"),
			want: redir("invalid_request", "could not parse the claims parameter JSON")},
		{name: "claims not an object", modify: errtSet("claims", `["amr"]`), want: redir("invalid_request", "claims parameter should be a JSON object")},
		{name: "claims without id_token or userinfo", modify: errtSet("claims", `{}`),
			want: redir("invalid_request", "claims parameter should have userinfo or id_token properties")},
		{name: "claims.id_token not an object", modify: errtSet("claims", `{"id_token":1}`), want: redir("invalid_request", "claims.id_token should be an object")},
		{name: "claims asking for amr accepted", modify: errtSet("claims", `{"id_token":{"amr":{"essential":true}}}`), want: errtWantInteraction("")},
		{name: "strict client: amr not allowed is Y100009", modify: errtStrictWith("claims", `{"id_token":{"amr":{"essential":true}}}`),
			want: errtWantPage(http.StatusBadRequest, "Y100009", "Une erreur technique est survenue, fermez l’onglet de votre navigateur et reconnectez-vous")},
		{name: "ui_locales accepted", modify: errtSet("ui_locales", "fr"), want: errtWantInteraction("")},
		{name: "the redirect_uri's own query is kept", modify: errtSet("redirect_uri", "http://localhost:5173/cb?tenant=a", "response_type", "inconnu"),
			want: errtWantRedirectError("http://localhost:5173/cb?tenant=a", "unsupported_response_type", "unsupported response_type requested")},

		// PKCE, restored by Config.PKCE (--pkce) as a departure.
		{name: "PKCE: code_challenge_method=plain", tweak: withPKCE, modify: errtSet("code_challenge", challenge, "code_challenge_method", "plain"),
			want: redir("invalid_request", "not supported value of code_challenge_method")},
		{name: "PKCE: code_challenge without code_challenge_method", tweak: withPKCE, modify: errtSet("code_challenge", challenge),
			want: redir("invalid_request", "not supported value of code_challenge_method")},
		{name: "PKCE: code_challenge too short", tweak: withPKCE, modify: errtSet("code_challenge", challenge[:42], "code_challenge_method", "S256"),
			want: redir("invalid_request", "code_challenge must be a string with a minimum length of 43 characters")},
		{name: "PKCE: code_challenge S256 accepted", tweak: withPKCE, modify: errtSet("code_challenge", challenge, "code_challenge_method", "S256"),
			want: errtWantInteraction("")},
		{name: "PKCE: response_mode is still refused", tweak: withPKCE, modify: errtSet("response_mode", "query"), want: y030007("response_mode")},

		// The sandbox's X-Bacasable-Persona shortcut.
		{name: "X-Bacasable-Persona: unknown persona", persona: "personne-inconnue",
			want: errtWantPage(http.StatusBadRequest, "BAC-PERSONA", "l'en-tête X-Bacasable-Persona désigne « personne-inconnue »")},
		{name: "X-Bacasable-Persona: known persona gets a code", persona: "test", want: errtWantCode(demoRedirect)},
		{name: "X-Bacasable-Persona: eidas2 meets the provider choice page's check at once", persona: "test", modify: errtSet("acr_values", "eidas2"),
			want: redir("invalid_acr", "acr_value is not valid, should be equal one of these values, expected eidas1, got eidas2")},
		{name: "X-Bacasable-Persona: an invalid request is still refused", persona: "test", modify: errtSet("response_type", "inconnu"),
			want: redir("unsupported_response_type", "unsupported response_type requested")},
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
					want := tc.want
					if method == http.MethodPost && tc.wantPOST != nil {
						want = tc.wantPOST
					}
					want(t, env, errtAuthorize(t, env, method, params, header))
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
		{"revocation", "/token/revocation", url.Values{"token": {"x"}, "client_id": {demoClientID}, "client_secret": {demoClientSecret}},
			errtWantPage(http.StatusBadRequest, "Y000400", "corps illisible")},
		{"checktoken", "/checktoken", url.Values{"token": {"x"}, "client_id": {errtDGFiPID}, "client_secret": {errtDGFiPSecret}},
			errtWantBareError(http.StatusBadRequest, "invalid_request", "Required parameter missing or invalid.")},
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
	gone := errtWantPage(http.StatusUnauthorized, "Y190001")
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
	invalidClient := func(reason, fcCode string) errtCheck {
		return errtWantJSONErrorCode(http.StatusUnauthorized, "invalid_client", "client authentication failed ("+reason+")", fcCode)
	}
	invalidGrant := func(reason, fcCode string) errtCheck {
		return errtWantJSONErrorCode(http.StatusBadRequest, "invalid_grant", "grant request is invalid ("+reason+")", fcCode)
	}
	const mechanism = "the provided authentication mechanism does not match the registered client authentication method"
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
			want: invalidClient(mechanism, "Y044D82C")},
		{name: "HTTP Basic alongside client_secret_post", form: withCode(nil), basic: []string{demoClientID, demoClientSecret},
			want: invalidClient(mechanism, "Y044D82C")},
		{name: "wrong client_secret", form: withCode(errtSet("client_secret", "wrong")), want: invalidClient("invalid secret provided", "Y0434A7B")},
		{name: "unknown client_id", form: withCode(errtSet("client_id", "inconnu")), want: invalidClient("client not found", "Y0479FCE")},
		{name: "data provider credentials", form: withCode(errtSet("client_id", errtDGFiPID, "client_secret", errtDGFiPSecret)),
			want: invalidClient("client not found", "Y0479FCE")},
		{name: "no client authentication", form: withCode(errtDel("client_id", "client_secret")),
			want: errtWantJSONErrorCode(http.StatusBadRequest, "invalid_request", "no client authentication mechanism provided (undefined)", "Y044FEB3")},
		{name: "client_id without client_secret", form: withCode(errtDel("client_secret")), want: invalidClient(mechanism, "Y044D82C")},

		// Request parameters: 400.
		{name: "missing grant_type", form: withCode(errtDel("grant_type")), want: invalidRequest("missing required parameter 'grant_type' (undefined)")},
		{name: "grant_type=refresh_token", form: withCode(errtSet("grant_type", "refresh_token")),
			want: errtWantJSONErrorCode(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type requested (undefined)", "Y04C2044")},
		{name: "grant_type=client_credentials", form: withCode(errtSet("grant_type", "client_credentials")),
			want: errtWantJSONErrorCode(http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type requested (undefined)", "Y04C2044")},
		{name: "missing code", form: withCode(errtDel("code")),
			want: errtWantJSONErrorCode(http.StatusBadRequest, "invalid_request", "missing required parameter 'code' (undefined)", "Y048017B")},
		{name: "missing redirect_uri", form: withCode(errtDel("redirect_uri")), want: invalidRequest("missing required parameter 'redirect_uri' (undefined)")},

		// The code: 400 invalid_grant.
		{name: "unknown code", form: withCode(errtSet("code", "inconnu")), want: invalidGrant("authorization code not found", "Y049E20B")},
		{name: "code expired after 31 s", form: after(31 * time.Second), want: invalidGrant("authorization code is expired", "Y043F0A8")},
		{name: "code still valid after 30 s", form: after(30 * time.Second), want: success},
		{name: "redirect_uri mismatch", form: withCode(errtSet("redirect_uri", "http://localhost:8080/callback")),
			want: invalidGrant("authorization code redirect_uri mismatch", "Y04F8199")},
		{name: "code of another client", form: func(t *testing.T, env *testEnv) url.Values {
			rs := env.loginWithHeader(errtRS256.authorize(), "test").Get("code")
			return tokenForm(rs) // redeemed by the demo client
		}, want: invalidGrant("client mismatch", "Y047A2EA")},

		// PKCE (with Config.PKCE; a verifier without a challenge fails
		// without it too, as node-oidc-provider's checkPKCE does).
		{name: "PKCE: verifier missing", form: pkce(func(url.Values) {}), want: invalidGrant("PKCE verification failed", "Y0446550")},
		{name: "PKCE: wrong verifier", form: pkce(errtSet("code_verifier", verifier+"x")), want: invalidGrant("PKCE verification failed", "Y0446550")},
		{name: "PKCE: a 1-character verifier (RFC 7636: 43 to 128)", form: pkce(errtSet("code_verifier", "x")),
			want: errtWantJSONError(http.StatusBadRequest, "invalid_request", "code_verifier must be a string with a minimum length of 43 characters")},
		{name: "PKCE: verifier without challenge", form: withCode(errtSet("code_verifier", verifier)), want: invalidGrant("PKCE verification failed", "Y0446550")},
		{name: "PKCE: correct verifier", form: pkce(errtSet("code_verifier", verifier)), want: success},

		{name: "valid exchange", form: withCode(nil), want: success},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, func(c *Config) { c.PKCE = true })
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
			env := newTestEnv(t, func(c *Config) { c.PKCE = true })
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
			desc: "grant request is invalid (client mismatch)"},
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
		{name: "GET without token", send: get(nil, nil), want: errtWantInvalidToken("no access token provided (no access token provided)")},
		{name: "POST is not routed (Y000404 page)", send: post(url.Values{}), want: errtWantPage(http.StatusNotFound, "Y000404", "Page non trouvée")},
		{name: "garbage Bearer token", send: get(http.Header{"Authorization": {"Bearer garbage"}}, nil),
			want: errtWantInvalidToken("invalid token provided (access token not found)")},
		{name: "garbage token in the query", send: get(nil, url.Values{"access_token": {"garbage"}}),
			want: errtWantInvalidToken("invalid token provided (access token not found)")},
		{name: "token expired after 61 s", advance: 61 * time.Second, send: get(bearer, nil),
			want: errtWantInvalidToken("invalid token provided (access token not found)")},
		{name: "token still valid after 60 s", advance: 60 * time.Second, send: get(bearer, nil), want: errtWantUserinfo},
		{name: "Authorization Basic", send: get(http.Header{"Authorization": {"Basic xxx"}}, nil), want: badHeader},
		{name: "Authorization Bearer without value", send: get(http.Header{"Authorization": {"Bearer"}}, nil), want: badHeader},
		{name: "Authorization with three parts", send: get(http.Header{"Authorization": {"Bearer {at} extra"}}, nil), want: badHeader},
		{name: "token in both the header and the query", send: get(bearer, url.Values{"access_token": {"{at}"}}),
			want: errtWantJSONError(http.StatusBadRequest, "invalid_request", "access token must only be provided using one mechanism")},
		{name: "Bearer header", send: get(bearer, nil), want: errtWantUserinfo},
		{name: "bearer scheme is case-insensitive", send: get(http.Header{"Authorization": {"bearer {at}"}}, nil), want: errtWantUserinfo},
		{name: "token in the query", send: get(nil, url.Values{"access_token": {"{at}"}}), want: errtWantUserinfo},
		{name: "token in the POST form: not routed", send: post(url.Values{"access_token": {"{at}"}}), want: errtWantPage(http.StatusNotFound, "Y000404")},
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
	logoutErr := func(code string, texts ...string) errtCheck {
		return errtWantPage(http.StatusBadRequest, code, texts...)
	}
	loggedOut := func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		loc := errtLocation(t, r)
		if loc.Path != "/api/v2/session/end/success" || loc.Query().Get("client_id") == "" {
			t.Fatalf("Location = %q, want the success page", loc)
		}
		page := errtGet(t, env.Server.URL+loc.String(), nil)
		if page.Status != http.StatusOK || !strings.Contains(html.UnescapeString(page.Body), "Vous êtes bien déconnecté, vous pouvez fermer votre navigateur.") {
			t.Errorf("the success page: %d %s", page.Status, page.Body)
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
			want: logoutErr("Y000400", "id_token_hint manquant")},
		{name: "empty id_token_hint", query: func(*testing.T, string) url.Values { return url.Values{"id_token_hint": {""}} },
			want: logoutErr("Y000400", "id_token_hint manquant")},
		{name: "a parameter outside LogoutParamsDto", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "redirect_uri": {"http://localhost:4242/"}}
		}, want: logoutErr("Y000400", "paramètre(s) refusé(s) par session/end : redirect_uri")},
		{name: "garbage id_token_hint", query: func(*testing.T, string) url.Values { return url.Values{"id_token_hint": {"garbage"}} },
			want: logoutErr("Y04FEDB9", "id_token_hint n'est pas un JWT")},
		{name: "ID token signed by another key", query: func(t *testing.T, _ string) url.Values {
			return url.Values{"id_token_hint": {foreign(t)}, "post_logout_redirect_uri": {"http://localhost:4242/"}}
		}, want: logoutErr("Y045AFAE", "id_token_hint n'est pas un ID token signé par ce FranceConnect")},
		{name: "client_id other than the hint's audience", query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "client_id": {"bacasable-rs256"}}
		}, want: logoutErr("Y0467882")},
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
		}, want: logoutErr("Y04CFAEF", "post_logout_redirect_uri « http://example.com/ » n'est pas enregistrée pour « Service de démonstration (localhost) »")},
		{name: "strict client: another client's post_logout_redirect_uri", client: errtStrict, query: func(_ *testing.T, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {"http://localhost:4242/"}, "state": {testState}}
		}, want: logoutErr("Y04CFAEF", "n'est pas enregistrée pour « "+errtStrictName+" »")},
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
		{name: "token_type_hint is outside the DTO", form: form("token_type_hint", "access_token"),
			want: errtWantPage(http.StatusBadRequest, "Y000400", "token_type_hint"), userinfo: http.StatusOK},
		{name: "a token shorter than 43 characters is refused by the DTO", form: form("token", "inconnu"),
			want: errtWantPage(http.StatusBadRequest, "Y000400", "43"), userinfo: http.StatusOK},
		{name: "unknown token", form: form("token", strings.Repeat("x", 43)), want: errtWantOK(http.StatusOK, ""), userinfo: http.StatusOK},
		{name: "wrong client_secret", form: form("client_secret", "wrong"),
			want: errtWantJSONError(http.StatusUnauthorized, "invalid_client", "client authentication failed (invalid secret provided)"), userinfo: http.StatusOK},
		{name: "unknown client", form: form("client_id", "inconnu"),
			want: errtWantJSONError(http.StatusUnauthorized, "invalid_client", "client authentication failed (client not found)"), userinfo: http.StatusOK},
		{name: "HTTP Basic authentication: the DTO wants client_id and client_secret in the body", form: form("client_id", "", "client_secret", ""), basic: true,
			want: errtWantPage(http.StatusBadRequest, "Y000400", "client_id"), userinfo: http.StatusOK},
		{name: "missing token", form: form("token", ""), want: errtWantPage(http.StatusBadRequest, "Y000400", "token"), userinfo: http.StatusOK},
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
		// A JWE (ECDH-ES, A256GCM, for the sandbox's data-provider key)
		// around the JWS, whose headers are the platform's: the JWE's alg,
		// enc and epk only, the JWS's alg and kid only.
		jwe, err := jose.ParseEncryptedCompact(r.Body, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A256GCM})
		if err != nil {
			t.Fatalf("%q is not an ECDH-ES JWE: %v", r.Body, err)
		}
		var protected map[string]any
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(r.Body, ".")[0])
		if err := json.Unmarshal(raw, &protected); err != nil || len(protected) != 3 || protected["epk"] == nil {
			t.Errorf("JWE header = %v, want exactly alg, enc, epk", protected)
		}
		inner, err := jwe.Decrypt(env.P.Keys().DataProviderEnc.Key)
		if err != nil {
			t.Fatalf("decrypting with the data-provider key: %v", err)
		}
		jws, err := jose.ParseSigned(string(inner), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatalf("%q is not an ES256 JWS: %v", inner, err)
		}
		if h := jws.Signatures[0].Header; len(h.ExtraHeaders) != 0 || h.KeyID == "" {
			t.Errorf("JWS header: kid %q, extra %v; want alg and kid only", h.KeyID, h.ExtraHeaders)
		}
		body := errtVerify(t, env, string(inner))
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
	missing := errtWantBareError(http.StatusBadRequest, "invalid_request", "Required parameter missing or invalid.")
	badCreds := errtWantBareError(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
	inactive := errtWantIntrospection(func(t *testing.T, ti map[string]any) {
		if want := map[string]any{"active": false}; !reflect.DeepEqual(ti, want) {
			t.Errorf("token_introspection = %v, want exactly %v", ti, want)
		}
	})
	active := errtWantIntrospection(func(t *testing.T, ti map[string]any) {
		sub, _ := ti["sub"].(string)
		if ti["active"] != true || ti["aud"] != demoClientID || ti["scope"] != "" || len(sub) != 66 {
			t.Errorf("token_introspection = %v, want active for %s with an empty scope (no DGFiP scope asked; openid is not the data provider's)", ti, demoClientID)
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
		{name: "a parameter outside the DTO", form: form("token_type_hint", "access_token"), want: missing},
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

// TestErrorsRoutes: as NestJS routes the platform, an unknown path and a
// wrong method both answer the Y000404 page.
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
		{http.MethodPost, "/api/v2/userinfo", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, env.Server.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			errtWantPage(tc.status, "Y000404", "Page non trouvée")(t, env, errtDo(t, req))
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
