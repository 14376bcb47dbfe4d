package franceconnect

// Fuzz targets of every input surface of the provider (docs/fuzzing.md).
// Each target builds one provider, then drives its router in process
// through httptest: the handlers' work for an input costs tens of
// microseconds, the fuzzing engine's own most of the rest. Every answer
// must be what fuzzCheck says: never a 5xx (but the Y030030 page, which
// the platform itself answers 500), never a Go stack trace or « erreur
// interne », the OAuth JSON error where JSON is promised, FranceConnect's
// error page where HTML is.
//
// Placeholders in the fuzzed text stand for live values minted for the
// iteration, so that the fuzzer gets past « unknown code »: CODE (an
// authorization code of the demo client), IDTOKEN and TOKEN (the ID and
// access tokens of a login), UID (a login in progress) and AUTHUID (a
// login in progress whose persona has logged in, on the consent step).
// Identifiers of this file start with fuzz.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/bacasable/bacasable/simulator/internal/fuzztest"
)

// fuzzEnv is one provider driven in process.
type fuzzEnv struct {
	env  *testEnv
	h    http.Handler
	host string
	base string // the issuer's path, /api/v2
}

func newFuzzEnv(f *testing.F, tweak func(*Config)) *fuzzEnv {
	f.Helper()
	env := newTestEnv(f, tweak)
	u, err := url.Parse(env.Issuer)
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzEnv{env: env, h: env.Server.Config.Handler, host: u.Host, base: u.Path}
}

// fuzzRequest is one request: path is under the issuer ("/token"), query
// and body are sent as they are, unparsed.
type fuzzRequest struct {
	method, path, query, body string
	header                    http.Header
	cookies                   []*http.Cookie
}

const fuzzForm = "application/x-www-form-urlencoded"

func (z *fuzzEnv) serve(r fuzzRequest) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Method = r.method
	req.Host = z.host
	req.URL.Path = z.base + r.path
	req.URL.RawQuery = r.query
	req.RequestURI = req.URL.RequestURI()
	for k, v := range r.header {
		req.Header[k] = v
	}
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	if r.method != http.MethodGet || r.body != "" {
		req.Body = io.NopCloser(strings.NewReader(r.body))
		req.ContentLength = int64(len(r.body))
	}
	rec := httptest.NewRecorder()
	z.h.ServeHTTP(rec, req)
	return rec
}

// post sends a form (Content-Type contentType, form if empty).
func (z *fuzzEnv) post(path, body, contentType string, header http.Header, cookies []*http.Cookie) *httptest.ResponseRecorder {
	h := http.Header{"Content-Type": {fuzzForm}}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	for k, v := range header {
		h[k] = v
	}
	return z.serve(fuzzRequest{method: http.MethodPost, path: path, body: body, header: h, cookies: cookies})
}

// code logs the persona test in for params (a valid authorize request)
// and returns the authorization code.
func (z *fuzzEnv) code(t *testing.T, params url.Values) string {
	t.Helper()
	rec := z.serve(fuzzRequest{method: http.MethodGet, path: "/authorize", query: params.Encode(), header: http.Header{PersonaHeader: {"test"}}})
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("minting a code: authorize answered %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	return loc.Query().Get("code")
}

// tokens logs test in for the demo client and redeems the code.
func (z *fuzzEnv) tokens(t *testing.T) (access, id string) {
	t.Helper()
	rec := z.post("/token", tokenForm(z.code(t, validAuthorize())).Encode(), "", nil, nil)
	var tr tokenResponse
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tr) != nil {
		t.Fatalf("minting tokens: token answered %d %s", rec.Code, rec.Body)
	}
	return tr.AccessToken, tr.IDToken
}

// interaction starts a login of the demo client and returns its uid and
// the cookies of the browser that started it; loggedIn also logs test in.
func (z *fuzzEnv) interaction(t *testing.T, loggedIn bool) (string, []*http.Cookie) {
	t.Helper()
	rec := z.serve(fuzzRequest{method: http.MethodGet, path: "/authorize", query: validAuthorize().Encode()})
	uid, ok := strings.CutPrefix(rec.Header().Get("Location"), z.base+"/interaction/")
	if rec.Code != http.StatusSeeOther || !ok || strings.Contains(uid, "/") {
		t.Fatalf("minting a login: authorize answered %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	cookies := rec.Result().Cookies()
	if loggedIn {
		rec := z.post("/interaction/"+uid+"/login", "idp=demo&login=test&password=123", "", nil, cookies)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("minting a login: login answered %d %s", rec.Code, rec.Body)
		}
		cookies = append(cookies, rec.Result().Cookies()...)
	}
	return uid, cookies
}

// expand replaces the placeholders of each string with values minted for
// this iteration (the same value wherever a placeholder appears) and
// returns the cookies of the logins it started.
func (z *fuzzEnv) expand(t *testing.T, ss ...*string) []*http.Cookie {
	t.Helper()
	// has tells whether a placeholder appears, UID not as part of AUTHUID.
	has := func(p string) bool {
		return slices.ContainsFunc(ss, func(s *string) bool {
			if p == "UID" {
				return strings.Contains(strings.ReplaceAll(*s, "AUTHUID", ""), p)
			}
			return strings.Contains(*s, p)
		})
	}
	var cookies []*http.Cookie
	var repl []string
	if has("AUTHUID") {
		uid, c := z.interaction(t, true)
		repl, cookies = append(repl, "AUTHUID", uid), append(cookies, c...)
	}
	if has("UID") {
		uid, c := z.interaction(t, false)
		repl, cookies = append(repl, "UID", uid), append(cookies, c...)
	}
	if has("TOKEN") {
		access, id := z.tokens(t)
		repl = append(repl, "IDTOKEN", id, "TOKEN", access)
	}
	if has("CODE") {
		repl = append(repl, "CODE", z.code(t, validAuthorize()))
	}
	if len(repl) > 0 {
		r := strings.NewReplacer(repl...)
		for _, s := range ss {
			*s = r.Replace(*s)
		}
	}
	return cookies
}

// fuzzCheck asserts what every answer of the provider must be. allow500 is
// the FranceConnect code of the one page the endpoint answers 500 with
// (the platform's own behaviour), or "".
func fuzzCheck(t *testing.T, rec *httptest.ResponseRecorder, allow500 string, inputs ...string) {
	t.Helper()
	body := rec.Body.String()
	if leak := fuzztest.Leak(body, inputs...); leak != "" {
		t.Fatalf("the answer %d shows %q: %s", rec.Code, leak, body)
	}
	mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if rec.Code >= 500 {
		if allow500 == "" || rec.Code != http.StatusInternalServerError || !strings.Contains(body, `id="code-erreur">`+allow500+`<`) {
			t.Fatalf("answered %d; no answer may be a 5xx. Content-Type %q, body %s", rec.Code, rec.Header().Get("Content-Type"), body)
		}
	}
	switch {
	case mt == "application/json" && body != "":
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("answered %d application/json that does not parse (%v): %s", rec.Code, err, body)
		}
		if rec.Code >= 400 {
			code, _ := v["error"].(string)
			_, hasDesc := v["error_description"].(string)
			if code == "" || !hasDesc {
				t.Fatalf("the JSON error %d is not {error, error_description}: %s", rec.Code, body)
			}
		}
	case rec.Code >= 400 && mt == "text/html":
		login := rec.Code == http.StatusUnauthorized && strings.Contains(body, `name="password"`)
		if !strings.Contains(body, `id="code-erreur">`) && !login {
			t.Fatalf("the HTML error %d is not FranceConnect's error page (no error code): %s", rec.Code, body)
		}
	case rec.Code >= 400:
		t.Fatalf("the error %d is neither JSON nor the error page: Content-Type %q, body %s", rec.Code, rec.Header().Get("Content-Type"), body)
	case rec.Code >= 300 && rec.Code < 400:
		loc := rec.Header().Get("Location")
		if _, err := url.Parse(loc); err != nil || loc == "" {
			t.Fatalf("the redirect %d has Location %q (%v)", rec.Code, loc, err)
		}
	}
}

// fuzzLocation is the answer's Location, parsed.
func fuzzLocation(t *testing.T, rec *httptest.ResponseRecorder) *url.URL {
	t.Helper()
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", rec.Header().Get("Location"), err)
	}
	return loc
}

// fuzzWithoutQuery is u's scheme, host and path.
func fuzzWithoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment, c.RawFragment = "", "", ""
	return c.String()
}

// fuzzSameTarget tells whether loc goes to target's scheme, host and path
// (its query and fragment aside).
func fuzzSameTarget(loc *url.URL, target string) bool {
	u, err := url.Parse(target)
	return err == nil && u.Scheme == loc.Scheme && u.Host == loc.Host && u.Path == loc.Path
}

// ─── Authorize ──────────────────────────────────────────────────────────

// FuzzAuthorize sends authorization requests, their parameters in the
// query (GET) or in a form body (POST), with or without the persona header.
func FuzzAuthorize(f *testing.F) {
	valid := validAuthorize()
	with := func(k, v string) string {
		p := validAuthorize()
		p.Set(k, v)
		return p.Encode()
	}
	for _, post := range []bool{false, true} {
		f.Add(post, valid.Encode(), "")
		f.Add(post, valid.Encode(), "test")
		f.Add(post, valid.Encode(), "3999999887219")
		f.Add(post, valid.Encode(), "personne-inconnue")
		f.Add(post, with("acr_values", "eidas2"), "test")
		f.Add(post, with("response_type", "token"), "")
		f.Add(post, with("scope", "openid dgfip_rfr inconnu"), "")
		f.Add(post, with("redirect_uri", "https://evil.example/callback"), "")
		f.Add(post, with("nonce", "court"), "")
		f.Add(post, with("prompt", "none"), "")
		f.Add(post, with("code_challenge", "abc"), "")
		f.Add(post, with("claims", `{"id_token":{"amr":{"essential":true}}}`), "")
		f.Add(post, valid.Encode()+"&state=again", "")
		f.Add(post, "client_id=%zz&"+valid.Encode(), "")
		f.Add(post, "", "")
	}
	f.Add(false, with("idp_hint", "fia1v2"), "")
	f.Add(false, with("idp_hint", "inconnu"), "")
	f.Add(false, strings.Replace(valid.Encode(), "client_id="+demoClientID, "client_id=bacasable-strict", 1), "")
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, post bool, params, persona string) {
		if post {
			fuzztest.Sendable(t, "", persona)
		} else {
			fuzztest.Sendable(t, "?"+params, persona)
		}
		r := fuzzRequest{method: http.MethodGet, path: "/authorize", query: params, header: http.Header{}}
		if post {
			r.method, r.query, r.body = http.MethodPost, "", params
			r.header.Set("Content-Type", fuzzForm)
		}
		if persona != "" {
			r.header.Set(PersonaHeader, persona)
		}
		rec := z.serve(r)
		fuzzCheck(t, rec, "", params, persona)
		// A code goes to the request's redirect_uri, with its state.
		if loc := fuzzLocation(t, rec); loc.Query().Get("code") != "" {
			q, _ := url.ParseQuery(params)
			if !fuzzSameTarget(loc, q.Get("redirect_uri")) {
				t.Fatalf("a code sent to %s, the request's redirect_uri is %q", loc, q.Get("redirect_uri"))
			}
			if loc.Query().Get("state") != q.Get("state") || loc.Query().Get("iss") != z.env.Issuer {
				t.Fatalf("a code sent with state %q iss %q; want %q and %q", loc.Query().Get("state"), loc.Query().Get("iss"), q.Get("state"), z.env.Issuer)
			}
		}
	})
}

// FuzzAuthorizeClaims sends a valid authorization request with the claims
// parameter: the redirect says exactly what parseClaims refuses, and only
// JSON objects are accepted; a parameter too long for the sandbox to keep
// is the Y030007 page.
func FuzzAuthorizeClaims(f *testing.F) {
	for _, c := range []string{
		`{"id_token":{"amr":{"essential":true}}}`, `{"userinfo":{"given_name":null}}`, `{"id_token":{"amr":null},"userinfo":{}}`,
		`{}`, `[]`, `null`, `"amr"`, `{"id_token":"amr"}`, `{"userinfo":[1]}`, `{"id_token":{"amr":`, ``, `{"id_token":{}}` + "\x00",
		`{"id_token":{"amr":1},"id_token":[]}`, `{"userinfo":{"amr":{"values":["pwd","mfa"]}}}`,
		`{"userinfo":{"given_name":{"value":"` + strings.Repeat("a", 2100) + `"}}}`,
	} {
		f.Add(c)
	}
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, claims string) {
		amr, problem := parseClaims(claims)
		if problem == "" && !json.Valid([]byte(claims)) {
			t.Fatalf("parseClaims accepts %q, which is not JSON", claims)
		}
		if amr && problem != "" {
			t.Fatalf("parseClaims refuses %q (%s) yet says amr is asked", claims, problem)
		}
		params := validAuthorize()
		params.Set("claims", claims)
		rec := z.serve(fuzzRequest{method: http.MethodGet, path: "/authorize", query: params.Encode()})
		fuzzCheck(t, rec, "", claims)
		q := fuzzLocation(t, rec).Query()
		switch {
		case len(claims) > maxParamBytes:
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="code-erreur">Y030007<`) {
				t.Fatalf("claims of %d bytes: want the Y030007 page, got %d Location %q", len(claims), rec.Code, rec.Header().Get("Location"))
			}
		case problem != "" && (rec.Code != http.StatusSeeOther || q.Get("error") != "invalid_request" || q.Get("error_description") != problem):
			t.Fatalf("claims %q refused (%s): want a redirect with invalid_request, got %d Location %q", claims, problem, rec.Code, rec.Header().Get("Location"))
		case problem == "" && q.Get("error") != "":
			t.Fatalf("claims %q accepted by parseClaims, yet the redirect says %s: %s", claims, q.Get("error"), q.Get("error_description"))
		}
	})
}

// ─── Token ──────────────────────────────────────────────────────────────

// FuzzToken posts token requests: form, Authorization header, media type.
func FuzzToken(f *testing.F) {
	form := tokenForm("CODE")
	with := func(k, v string) string {
		p := tokenForm("CODE")
		p.Set(k, v)
		return p.Encode()
	}
	without := func(k string) string {
		p := tokenForm("CODE")
		p.Del(k)
		return p.Encode()
	}
	basic := "Basic " + "MjExMjg2NDMzZTM5Y2NlMDFkYjQ0OGQ4MDE4MWJkZmQwMDU1NTRiMTljZDUxYjNmZTc5NDNmNmIzYjg2YWI2ZTpzZWNyZXQ="
	for _, c := range []struct{ body, auth, ct string }{
		{form.Encode(), "", ""},
		{form.Encode() + "&code=CODE", "", ""},
		{with("grant_type", "client_credentials"), "", ""},
		{without("grant_type"), "", ""},
		{without("code"), "", ""},
		{without("redirect_uri"), "", ""},
		{without("client_secret"), "", ""},
		{without("client_id"), "", ""},
		{with("client_secret", "faux"), "", ""},
		{with("client_id", "bacasable-rs256"), "", ""},
		{with("redirect_uri", "http://localhost:3000/callback"), "", ""},
		{with("code", "inconnu"), "", ""},
		{with("code_verifier", "verifier-0123456789abcdefghijklmnopqrstuvwxyz"), "", ""},
		{with("client_assertion", "eyJhbGciOiJub25lIn0.e30."), "", ""},
		{with("client_assertion_type", clientAssertionType), "", ""},
		{without("client_secret"), basic, ""},
		{form.Encode(), "", "application/json"},
		{`{"grant_type":"authorization_code"}`, "", "application/json"},
		{form.Encode(), "", "Application/X-WWW-Form-URLEncoded; charset=UTF-8"},
		{"code=%zz&" + form.Encode(), "", ""},
		{"", "", ""},
	} {
		f.Add(c.body, c.auth, c.ct)
	}
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		fuzztest.Sendable(t, "", authorization, contentType)
		z.expand(t, &body)
		var h http.Header
		if authorization != "" {
			h = http.Header{"Authorization": {authorization}}
		}
		rec := z.post("/token", body, contentType, h, nil)
		fuzzCheck(t, rec, "", body, authorization, contentType)
		if rec.Code == http.StatusOK {
			var tr tokenResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &tr); err != nil || tr.AccessToken == "" || tr.TokenType != "Bearer" {
				t.Fatalf("a 200 that is not a token response: %s", rec.Body)
			}
			if _, err := z.env.P.keys.verify(tr.IDToken); err != nil {
				t.Fatalf("the ID token does not verify: %v", err)
			}
		}
	})
}

// fuzzRPKey is the private key of the fuzz targets' private_key_jwt client,
// fixed so that the seed corpus holds assertions it signed.
const fuzzRPKey = `{"use":"sig","kty":"EC","kid":"fuzz-rp","crv":"P-256","alg":"ES256",` +
	`"x":"fwLaRumGYrI5KRHltIQvg0YxERIz5IfVWYWWEDrKMug","y":"FA2ZJIm9qgN04_Z4n1VzIn7UIwS9fbv5wAT9_OutuaY",` +
	`"d":"tspm7bO2mslHjzmfeBnYTtaHRWwVkE3toFR8Pdcn1N0"}`

const fuzzRPID = "fuzz-jwt-client"

// FuzzClientAssertion redeems a fresh code of a private_key_jwt client with
// a fuzzed client_id, client_assertion_type and client_assertion: a 200
// only for an assertion the client's key signed, for the token endpoint,
// unexpired.
func FuzzClientAssertion(f *testing.F) {
	var key jose.JSONWebKey
	if err := key.UnmarshalJSON([]byte(fuzzRPKey)); err != nil {
		f.Fatal(err)
	}
	pub, _ := json.Marshal(key.Public())
	clients := strings.Replace(string(fuzzFixture(f, "clients.yaml")), "service_providers:\n", fmt.Sprintf(`service_providers:
  - client_id: %s
    client_secret: unused-secret
    name: "Client private_key_jwt"
    redirect_uris: [%s]
    scopes: [openid, profile]
    jwks: {"keys": [%s]}
`, fuzzRPID, demoRedirect, pub), 1)
	reg, err := LoadClients(fstest.MapFS{"clients.yaml": {Data: []byte(clients)}})
	if err != nil {
		f.Fatal(err)
	}
	z := newFuzzEnv(f, func(c *Config) { c.Clients = reg })
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	if err != nil {
		f.Fatal(err)
	}
	sign := func(c jwt.Claims) string {
		s, err := jwt.Signed(signer).Claims(c).Serialize()
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	valid := jwt.Claims{Issuer: fuzzRPID, Subject: fuzzRPID, Audience: jwt.Audience{z.env.Issuer + "/token"},
		ID: "fuzz-seed-1", Expiry: jwt.NewNumericDate(testStart.Add(time.Hour))}
	variants := []jwt.Claims{valid}
	for _, edit := range []func(c *jwt.Claims){
		func(c *jwt.Claims) { c.ID = "" },
		func(c *jwt.Claims) { c.Expiry = nil },
		func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(testStart.Add(-time.Minute)) },
		func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://ailleurs.example/token"} },
		func(c *jwt.Claims) { c.Audience = jwt.Audience{z.env.Issuer} },
		func(c *jwt.Claims) { c.Subject = demoClientID },
		func(c *jwt.Claims) { c.Issuer = demoClientID },
	} {
		c := valid
		c.ID = fmt.Sprintf("fuzz-seed-%d", len(variants)+1)
		edit(&c)
		variants = append(variants, c)
	}
	for _, c := range variants {
		a := sign(c)
		f.Add(fuzzRPID, clientAssertionType, a)
		f.Add("", clientAssertionType, a)
	}
	a := sign(valid)
	parts := strings.Split(a, ".")
	f.Add(fuzzRPID, "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", a)
	f.Add(demoClientID, clientAssertionType, a)
	f.Add(fuzzRPID, clientAssertionType, parts[0]+"."+parts[1]+".")
	f.Add(fuzzRPID, clientAssertionType, "eyJhbGciOiJub25lIn0."+parts[1]+".")
	f.Add(fuzzRPID, clientAssertionType, "eyJhbGciOiJIUzI1NiJ9."+parts[1]+"."+parts[2])
	f.Add(fuzzRPID, clientAssertionType, "a.b.c")
	f.Add(fuzzRPID, clientAssertionType, "")
	f.Add(fuzzRPID, "", "")
	params := validAuthorize()
	params.Set("client_id", fuzzRPID)
	params.Set("scope", "openid profile")
	f.Fuzz(func(t *testing.T, clientID, assertionType, assertion string) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {z.code(t, params)}, "redirect_uri": {demoRedirect},
			"client_assertion_type": {assertionType}, "client_assertion": {assertion}}
		if clientID != "" {
			form.Set("client_id", clientID)
		}
		rec := z.post("/token", form.Encode(), "", nil, nil)
		fuzzCheck(t, rec, "", clientID, assertionType, assertion)
		if rec.Code != http.StatusOK {
			return
		}
		tok, err := jwt.ParseSigned(assertion, []jose.SignatureAlgorithm{jose.ES256})
		var c jwt.Claims
		if err == nil {
			err = tok.Claims(key.Public().Key, &c)
		}
		switch {
		case err != nil:
			t.Fatalf("a token for an assertion the client did not sign (%v): %q", err, assertion)
		case c.Issuer != fuzzRPID || c.Subject != fuzzRPID || c.ID == "":
			t.Fatalf("a token for an assertion with iss %q sub %q jti %q", c.Issuer, c.Subject, c.ID)
		case c.Expiry == nil || !c.Expiry.Time().After(testStart):
			t.Fatalf("a token for an expired assertion (exp %v)", c.Expiry)
		case !c.Audience.Contains(z.env.Issuer+"/token") && !c.Audience.Contains(z.env.Issuer):
			t.Fatalf("a token for an assertion for %v", c.Audience)
		}
	})
}

// fuzzFixture is an embedded fixture file.
func fuzzFixture(f *testing.F, name string) []byte {
	f.Helper()
	b, err := fixturesRead(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// ─── Userinfo, revocation, checktoken ───────────────────────────────────

// FuzzUserinfo sends the access token in the Authorization header, the
// query, or both: a 200 is a JWS the provider signed, for the issuer.
func FuzzUserinfo(f *testing.F) {
	for _, c := range [][2]string{
		{"Bearer TOKEN", ""}, {"bearer TOKEN", ""}, {"", "access_token=TOKEN"}, {"Bearer TOKEN", "access_token=TOKEN"},
		{"Bearer", ""}, {"Bearer  TOKEN", ""}, {"Basic TOKEN", ""}, {"Bearer inconnu", ""}, {"", ""}, {"", "access_token=%zz"},
		{"Bearer TOKEN extra", ""}, {"", "access_token=TOKEN&access_token=autre"}, {"DPoP TOKEN", ""},
	} {
		f.Add(c[0], c[1])
	}
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, authorization, query string) {
		fuzztest.Sendable(t, "?"+query, authorization)
		z.expand(t, &authorization, &query)
		h := http.Header{}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		rec := z.serve(fuzzRequest{method: http.MethodGet, path: "/userinfo", query: query, header: h})
		fuzzCheck(t, rec, "", authorization, query)
		if rec.Code == http.StatusOK {
			payload, err := z.env.P.keys.verify(rec.Body.String())
			var claims map[string]any
			if err != nil || json.Unmarshal(payload, &claims) != nil || claims["iss"] != z.env.Issuer || claims["sub"] == "" {
				t.Fatalf("a 200 that is not a userinfo JWS of the issuer (%v): %s", err, rec.Body)
			}
		}
	})
}

// FuzzRevocation posts revocation requests.
func FuzzRevocation(f *testing.F) {
	creds := "&client_id=" + demoClientID + "&client_secret=" + demoClientSecret
	for _, c := range [][2]string{
		{"token=TOKEN" + creds, ""},
		{"token=TOKEN" + creds + "&token_type_hint=access_token", ""},
		{"token=TOKEN" + creds + "&token=TOKEN", ""},
		{"token=court" + creds, ""},
		{"token=" + strings.Repeat("a", 43) + creds, ""},
		{"token=TOKEN&client_id=bacasable-rs256&client_secret=bacasable-rs256-secret", ""},
		{"token=TOKEN&client_id=" + demoClientID + "&client_secret=faux", ""},
		{"token=TOKEN", ""},
		{"token=TOKEN" + creds, "application/json"},
		{"token=%zz" + creds, ""},
		{"", ""},
	} {
		f.Add(c[0], c[1])
	}
	fuzzFormPost(f, "/token/revocation", nil)
}

// fuzzFormPost fuzzes POSTs of a body and a Content-Type to path, with
// the seeds added, the shared checks, then check's (when not nil).
func fuzzFormPost(f *testing.F, path string, check func(t *testing.T, rec *httptest.ResponseRecorder)) {
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, body, contentType string) {
		fuzztest.Sendable(t, "", contentType)
		z.expand(t, &body)
		rec := z.post(path, body, contentType, nil, nil)
		fuzzCheck(t, rec, "", body, contentType)
		if check != nil {
			check(t, rec)
		}
	})
}

// FuzzChecktoken posts data providers' checktoken requests: a 200 is a
// signed, possibly encrypted, token-introspection JWT.
func FuzzChecktoken(f *testing.F) {
	creds := "&client_id=" + errtDGFiPID + "&client_secret=" + errtDGFiPSecret
	for _, c := range [][2]string{
		{"token=TOKEN" + creds, ""},
		{"token=inconnu" + creds, ""},
		{"token=TOKEN&client_id=dgfip&client_secret=faux", ""},
		{"token=TOKEN&client_id=" + demoClientID + "&client_secret=" + demoClientSecret, ""},
		{"token=TOKEN" + creds + "&extra=1", ""},
		{"token=TOKEN", ""},
		{"token=TOKEN" + creds, "text/plain"},
		{"token=%zz" + creds, ""},
		{"", ""},
	} {
		f.Add(c[0], c[1])
	}
	fuzzFormPost(f, "/checktoken", func(t *testing.T, rec *httptest.ResponseRecorder) {
		if rec.Code == http.StatusOK {
			dots := strings.Count(rec.Body.String(), ".")
			if rec.Header().Get("Content-Type") != "application/token-introspection+jwt" || dots != 2 && dots != 4 {
				t.Fatalf("a 200 that is not a token-introspection JWT: %q %s", rec.Header().Get("Content-Type"), rec.Body)
			}
		}
	})
}

// ─── Logout and the way back to the service ─────────────────────────────

// FuzzSessionEnd sends logout requests: a redirect out of FranceConnect
// goes to the post_logout_redirect_uri asked.
func FuzzSessionEnd(f *testing.F) {
	for _, q := range []string{
		"id_token_hint=IDTOKEN",
		"id_token_hint=IDTOKEN&state=etat-123&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A4242%2F",
		"id_token_hint=IDTOKEN&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A4242%2F%3Fa%3Db%26state%3Dx&state=y",
		"id_token_hint=IDTOKEN&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
		"id_token_hint=IDTOKEN&client_id=" + demoClientID,
		"id_token_hint=IDTOKEN&client_id=bacasable-rs256",
		"id_token_hint=IDTOKEN&ui_locales=fr&logout_hint=x",
		"id_token_hint=IDTOKEN&inconnu=1",
		"id_token_hint=IDTOKEN&state=a&state=b",
		"id_token_hint=eyJhbGciOiJub25lIn0.e30.",
		"id_token_hint=a.b.c",
		"id_token_hint=%zz",
		"post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A4242%2F",
		"",
	} {
		f.Add(q)
	}
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, query string) {
		fuzztest.Sendable(t, "?"+query)
		z.expand(t, &query)
		rec := z.serve(fuzzRequest{method: http.MethodGet, path: "/session/end", query: query})
		fuzzCheck(t, rec, "", query)
		if loc := fuzzLocation(t, rec); rec.Code == http.StatusSeeOther && !strings.HasPrefix(loc.Path, z.base+"/") {
			q, _ := url.ParseQuery(query)
			target := q.Get("post_logout_redirect_uri")
			if target == "" || !fuzzSameTarget(loc, target) {
				t.Fatalf("logout sent the browser to %s, post_logout_redirect_uri is %q", loc, target)
			}
		}
	})
}

// FuzzRedirectToSPWithError follows « Revenir sur … » links: a redirect
// goes to a registered (localhost) redirect_uri with the error, state and
// iss; anything else is the Y030030 page, which the platform answers 500.
func FuzzRedirectToSPWithError(f *testing.F) {
	for _, q := range []string{
		"error=access_denied&error_description=User+auth+aborted&redirect_uri=http%3A%2F%2Flocalhost%3A4242%2Fcallback&state=s",
		"redirect_uri=http%3A%2F%2Flocalhost%3A4242%2Fcallback",
		"redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fdemoville%2Fcallback&error=x&state=",
		"redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb%3Ferror%3Dold%26keep%3D1",
		"redirect_uri=https%3A%2F%2Fevil.example%2Fcallback",
		"redirect_uri=http%3A%2F%2Flocalhost.evil.example%2Fcallback",
		"redirect_uri=javascript%3Aalert(1)",
		"redirect_uri=%zz",
		"",
	} {
		f.Add(q)
	}
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, query string) {
		fuzztest.Sendable(t, "?"+query)
		rec := z.serve(fuzzRequest{method: http.MethodGet, path: "/redirect-to-sp-with-error", query: query})
		fuzzCheck(t, rec, "Y030030", query)
		if rec.Code != http.StatusFound {
			return
		}
		loc := fuzzLocation(t, rec)
		if h := loc.Hostname(); h != "localhost" && h != "127.0.0.1" {
			t.Fatalf("redirected to %s, which no service provider registered", loc)
		}
		got := loc.Query()
		if got.Get("error") == "" || got.Get("error_description") == "" || !got.Has("state") || got.Get("iss") != z.env.Issuer {
			t.Fatalf("redirected without error, error_description, state and iss: %s", loc)
		}
	})
}

// ─── The interaction pages ──────────────────────────────────────────────

// fuzzInteractionRoutes are the interaction pages and forms a fuzz input
// picks from.
var fuzzInteractionRoutes = []struct{ method, suffix string }{
	{http.MethodGet, ""},
	{http.MethodGet, "/idp/demo"},
	{http.MethodGet, "/idp/impots"},
	{http.MethodPost, "/login"},
	{http.MethodGet, "/consent"},
	{http.MethodPost, "/consent"},
	{http.MethodPost, "/abort"},
}

// FuzzInteraction sends the pages and forms of a login (provider choice,
// login, consent, abort) for a login in progress or any uid: a redirect
// back to the service goes to the login's redirect_uri.
func FuzzInteraction(f *testing.F) {
	for _, c := range []struct {
		route      uint8
		uid, query string
		body       string
	}{
		{0, "UID", "", ""},
		{1, "UID", "q=dubois", ""},
		{2, "UID", "q=3999999887219", ""},
		{3, "UID", "", "idp=demo&login=test&password=123"},
		{3, "UID", "", "idp=impots&login=3999999887219&password=123"},
		{3, "UID", "", "idp=demo&login=test&password=faux"},
		{3, "UID", "", "idp=inconnu&login=test&password=123"},
		{3, "AUTHUID", "", "idp=demo&login=test&password=123"},
		{4, "AUTHUID", "", ""},
		{4, "UID", "", ""},
		{5, "AUTHUID", "", "action=accept"},
		{5, "AUTHUID", "", "action=cancel"},
		{5, "UID", "", "action=accept"},
		{6, "UID", "", ""},
		{6, "AUTHUID", "", ""},
		{3, "uid-inconnu", "", "idp=demo&login=test&password=123"},
		{5, "uid-inconnu", "", "action=accept"},
		{6, "", "", ""},
		{0, "..", "", ""},
		{3, "UID", "", "idp=%zz"},
	} {
		f.Add(c.route, c.uid, c.query, c.body)
	}
	z := newFuzzEnv(f, nil)
	f.Fuzz(func(t *testing.T, route uint8, uid, query, body string) {
		fuzztest.Sendable(t, "?"+query)
		cookies := z.expand(t, &uid, &body, &query)
		rt := fuzzInteractionRoutes[int(route)%len(fuzzInteractionRoutes)]
		r := fuzzRequest{method: rt.method, path: "/interaction/" + uid + rt.suffix, query: query, body: body, cookies: cookies}
		if rt.method == http.MethodPost {
			r.header = http.Header{"Content-Type": {fuzzForm}}
		}
		rec := z.serve(r)
		fuzzCheck(t, rec, "", uid, query, body)
		if loc := fuzzLocation(t, rec); rec.Code == http.StatusSeeOther && loc.IsAbs() && fuzzWithoutQuery(loc) != demoRedirect {
			t.Fatalf("a login of %s redirected to %s", demoRedirect, loc)
		}
	})
}

// ─── Files ──────────────────────────────────────────────────────────────

// fuzzMaxFile bounds the fixture files the fuzz targets load: real ones
// are a few kilobytes, and the time a loader takes grows with its input.
const fuzzMaxFile = 10 << 10

// FuzzLoadClients loads clients.yaml from arbitrary bytes: an error names
// the file; a registry finds each of its clients by id.
func FuzzLoadClients(f *testing.F) {
	f.Add(fuzzFixture(f, "clients.yaml"))
	f.Add([]byte("data_providers: []\nservice_providers:\n  - client_id: a\n    client_secret: s\n    name: A\n    redirect_uris: [http://localhost/cb]\n    scopes: [openid]\n"))
	f.Add([]byte("service_providers:\n  - client_id: a\n    client_secret: s\n    any_localhost: true\n    scopes: [openid, dgfip_rfr]\n    signing_alg: HS256\n    jwks: {\"keys\": [{\"kty\": \"EC\"}]}\n"))
	f.Add([]byte("service_providers:\n  - {client_id: a, client_secret: s, redirect_uris: ['http://x/#f'], scopes: [openid], inconnu: 1}\n"))
	f.Add([]byte("data_providers:\n  - client_id: d\n    client_secret: s\n    scopes: [a, b]\n    checktoken_encrypted_response_alg: RSA-OAEP-256\n"))
	f.Add([]byte("service_providers: &a [*a]\n"))
	f.Add([]byte("- 1\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxFile {
			t.Skip()
		}
		reg, err := LoadClients(fstest.MapFS{ClientsFile: {Data: data}})
		if err != nil {
			if !strings.Contains(err.Error(), ClientsFile) {
				t.Fatalf("the error does not name %s: %v", ClientsFile, err)
			}
			return
		}
		for _, sp := range reg.ServiceProviders() {
			if got, ok := reg.ServiceProvider(sp.ID); !ok || got != sp || sp.Secret == "" || !sp.allowsScope("openid") {
				t.Fatalf("service provider %q loaded inconsistent: found %v, secret %q, scopes %v", sp.ID, ok, sp.Secret, sp.Scopes)
			}
		}
		for _, dp := range reg.DataProviders() {
			if got, ok := reg.DataProvider(dp.ID); !ok || got != dp || dp.Secret == "" {
				t.Fatalf("data provider %q loaded inconsistent", dp.ID)
			}
		}
	})
}

// FuzzParseKeys reads a --keys file from arbitrary bytes; keys read write
// back to a file that reads as the same keys.
func FuzzParseKeys(f *testing.F) {
	own, err := sharedKeys(f).MarshalPrivate()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(own)
	f.Add([]byte(`{"keys":[` + fuzzRPKey + `]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8<<10 {
			t.Skip()
		}
		k, err := ParseKeys(data)
		if err != nil {
			return
		}
		out, err := k.MarshalPrivate()
		if err != nil {
			t.Fatalf("keys read but not written: %v", err)
		}
		again, err := ParseKeys(out)
		if err != nil {
			t.Fatalf("keys written do not read back: %v\n%s", err, out)
		}
		a, _ := json.Marshal(k.Public())
		b, _ := json.Marshal(again.Public())
		if string(a) != string(b) {
			t.Fatalf("keys changed through a file:\n%s\n%s", a, b)
		}
	})
}
