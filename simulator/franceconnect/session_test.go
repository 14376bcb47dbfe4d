package franceconnect

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser is one browser: its own cookies, no redirect followed.
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser { return &browser{t: t, client: noRedirect()} }

func (b *browser) get(u string, header ...string) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (b *browser) post(u string, form url.Values, header ...string) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (b *browser) sessionCookie(u string) string {
	pu, _ := url.Parse(u)
	for _, c := range b.client.Jar.Cookies(pu) {
		if c.Name == SessionCookie {
			return c.Value
		}
	}
	return ""
}

var interactionPath = regexp.MustCompile(`^/api/v2/interaction/([A-Za-z0-9_-]+)(/consent)?$`)

// TestSingleSignOn: fcp-low's 30-minute session (enableSso): once logged
// in, the same browser's next login for eidas1 skips the provider and the
// password and goes to the consent page, with a new session id; another
// browser, an expired session or a logout brings the provider choice back
// (connexion-sso-fcp-low.feature, connexion-session-fcp-low.feature).
func TestSingleSignOn(t *testing.T) {
	env := newTestEnv(t, nil)
	authURL := env.Issuer + "/authorize?" + validAuthorize().Encode()
	b := newBrowser(t)
	first := loginThroughPagesWith(t, b.client, authURL, "test", "123")
	code := first.Get("code")
	if code == "" {
		t.Fatalf("first login: %v", first)
	}
	before := b.sessionCookie(env.Issuer)

	resp := b.get(authURL)
	m := interactionPath.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil || m[2] != "/consent" {
		t.Fatalf("second login in the session: %d to %q, want the consent page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if after := b.sessionCookie(env.Issuer); after == "" || after == before {
		t.Errorf("the session id was not renewed on SSO: %q → %q", before, after)
	}
	resp = b.post(env.Server.URL+resp.Header.Get("Location"), url.Values{"action": {"accept"}})
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("consent in SSO: %d", resp.StatusCode)
	}
	sub := func(code string) string {
		var tr tokenResponse
		r := errtPost(t, env.Issuer+"/token", tokenForm(code), nil)
		_ = jsonUnmarshal(r.Body, &tr)
		_, claims := jwsParts(t, tr.IDToken)
		s, _ := claims["sub"].(string)
		return s
	}
	if a, b := sub(code), sub(loc.Query().Get("code")); a == "" || a != b {
		t.Errorf("SSO logged in another person: %s, %s", a, b)
	}

	// eidas2 is never SSO: the provider choice page refuses it.
	params := validAuthorize()
	params.Set("acr_values", "eidas2")
	if resp := b.get(env.Issuer + "/authorize?" + params.Encode()); interactionPath.FindStringSubmatch(resp.Header.Get("Location")) == nil ||
		strings.HasSuffix(resp.Header.Get("Location"), "/consent") {
		t.Errorf("eidas2 in a session: %q", resp.Header.Get("Location"))
	}

	// Another browser: the provider choice.
	if resp := newBrowser(t).get(authURL); strings.HasSuffix(resp.Header.Get("Location"), "/consent") {
		t.Error("another browser was logged in by SSO")
	}

	// 31 minutes later: the session is over.
	env.Clock.Advance(31 * time.Minute)
	if resp := b.get(authURL); strings.HasSuffix(resp.Header.Get("Location"), "/consent") {
		t.Error("SSO after the session expired")
	}
}

// TestLogoutEndsTheSession: after session/end, the next login asks again.
func TestLogoutEndsTheSession(t *testing.T) {
	env := newTestEnv(t, nil)
	authURL := env.Issuer + "/authorize?" + validAuthorize().Encode()
	b := newBrowser(t)
	cb := loginThroughPagesWith(t, b.client, authURL, "test", "123")
	var tr tokenResponse
	_ = jsonUnmarshal(errtPost(t, env.Issuer+"/token", tokenForm(cb.Get("code")), nil).Body, &tr)
	resp := b.get(env.Issuer + "/session/end?" + url.Values{"id_token_hint": {tr.IDToken}, "post_logout_redirect_uri": {"http://localhost:4242/"}}.Encode())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := b.get(authURL); strings.HasSuffix(resp.Header.Get("Location"), "/consent") {
		t.Error("SSO after logout")
	}
}

// TestInteractionBoundToBrowser: the login pages answer only the browser
// that started the login, and refuse a form posted by another site (CSRF).
func TestInteractionBoundToBrowser(t *testing.T) {
	env := newTestEnv(t, nil)
	victim := newBrowser(t)
	resp := victim.get(env.Issuer + "/authorize?" + validAuthorize().Encode())
	page := env.Server.URL + resp.Header.Get("Location")

	gone := errtWantPage(http.StatusUnauthorized, "Y190001")
	other := newBrowser(t)
	for _, r := range []*http.Response{
		other.get(page),
		other.post(page+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}}),
		other.post(page+"/abort", url.Values{}),
	} {
		if r.StatusCode != http.StatusUnauthorized {
			t.Errorf("another browser on %s: %d, want 401", r.Request.URL.Path, r.StatusCode)
		}
	}
	// A page of another site posts the form in the victim's browser.
	cross := victim.post(page+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}},
		"Sec-Fetch-Site", "cross-site", "Origin", "https://attaquant.example")
	if cross.StatusCode != http.StatusUnauthorized {
		t.Errorf("cross-site login post: %d, want 401", cross.StatusCode)
	}
	gone(t, env, errtGet(t, page, nil)) // errtHTTP is yet another browser
	// The victim goes on.
	if r := victim.post(page+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the browser that started the login: %d", r.StatusCode)
	}
}

// TestSecurityHeaders: every answer carries fcp-low's helmet headers; the
// policy allows no inline script and no framing by another site.
func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, path := range []string{"/authorize?client_id=inconnu", "/.well-known/openid-configuration", "/nowhere"} {
		r := errtGet(t, env.Issuer+path, nil)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "script-src-attr 'none'") ||
			!strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "form-action") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "SAMEORIGIN"} {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
		if strings.Contains(r.Body, "<script") {
			t.Errorf("%s: the page carries a script", path)
		}
	}
}

// TestQueueIsBounded: a client's login queue keeps at most maxQueued.
func TestQueueIsBounded(t *testing.T) {
	env := newTestEnv(t, nil)
	for i := 0; i < maxQueued; i++ {
		if err := env.P.QueueLogin(demoClientID, "test"); err != nil {
			t.Fatalf("queued login %d: %v", i, err)
		}
	}
	if err := env.P.QueueLogin(demoClientID, "test"); err == nil {
		t.Errorf("queued login %d accepted", maxQueued+1)
	}
}
