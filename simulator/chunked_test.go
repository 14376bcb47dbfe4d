package simulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// chunkedReader hides the body's length from net/http, which then sends it
// with Transfer-Encoding: chunked and no Content-Length.
type chunkedReader struct{ io.Reader }

// TestChunkedBodies: every POST endpoint answers a chunked body as it
// answers the same body with a Content-Length (issue 9: the journal used to
// panic on ContentLength -1 and every journaled POST answered 500).
func TestChunkedBodies(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	demo := url.Values{"client_id": {sandboxtest.DemoClientID}, "client_secret": {sandboxtest.DemoClientSecret}}
	with := func(v url.Values, kv ...string) string {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out.Encode()
	}
	cases := []struct {
		path, body string
		status     int // the same with either framing
	}{
		{"/token", "grant_type=client_credentials&client_id=bacasable-demo&client_secret=bacasable-demo-secret&scope=RessourceIR", 200},
		{"/api/v2/token", with(demo, "grant_type", "authorization_code", "code", "inconnu", "redirect_uri", sandboxtest.Callback), 400},
		{"/api/v2/token/revocation", with(demo, "token", strings.Repeat("x", 43)), 200},
		{"/api/v2/checktoken", "token=inconnu", 400},
		{"/api/v2/userinfo", "access_token=inconnu", 404}, // GET only, as the platform routes it
		{"/api/v2/authorize", "client_id=inconnu", 400},
		{"/api/v2/interaction/inconnu/login", "idp=demo&login=test&password=123", 401},
		{"/api/v2/interaction/inconnu/consent", "action=accept", 401},
		{"/api/v2/interaction/inconnu/abort", "", 401},
		{"/demoville/compte/connexion", "spi=" + sandboxtest.AngelaSPI, 0},
		{"/_bacasable/api/reset", "", 204},
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(path, body string, chunked bool) (int, string) {
		var r io.Reader = strings.NewReader(body)
		if chunked {
			r = chunkedReader{r}
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, r)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if chunked && req.ContentLength != 0 {
			t.Fatalf("%s: the test would send a Content-Length", path)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range cases {
		plain, _ := send(c.path, c.body, false)
		got, text := send(c.path, c.body, true)
		if got != plain || got >= 500 || (c.status != 0 && got != c.status) {
			t.Errorf("POST %s chunked: %d (with Content-Length: %d, want %d) %.200s", c.path, got, plain, c.status, text)
		}
	}
	var seen bool
	for _, e := range s.SB.Journal.Entries(journal.Filter{Service: "passerelle"}) {
		if strings.Contains(e.RequestBody, "client_id=bacasable-demo") {
			seen = true
			if strings.Contains(e.RequestBody, "bacasable-demo-secret") {
				t.Errorf("secret recorded: %q", e.RequestBody)
			}
		}
	}
	if !seen {
		t.Error("the journal did not record the chunked gateway request's body")
	}
}

// TestSweep: logins in progress, gateway tokens and Démoville's sessions
// left by a flood leave at the next Sweep once expired, with no new
// request (the binary sweeps every 10 s).
func TestSweep(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid"}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := 0; i < 50; i++ {
		resp, err := noFollow.Get(s.URL + "/api/v2/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		s.DemoToken()
		resp, err = noFollow.Get(s.URL + "/demoville/cantine/connexion")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := s.SB.Sweep(); n != 0 {
		t.Errorf("Sweep dropped %d live entries", n)
	}
	s.Clock.Advance(2 * time.Hour)
	// 50 logins in progress and their browser sessions, 50 gateway tokens,
	// 50 Démoville sessions (Démoville's own FranceConnect logins too).
	if n := s.SB.Sweep(); n < 200 {
		t.Errorf("Sweep dropped %d expired entries, want at least 200", n)
	}
	if n := s.SB.Sweep(); n != 0 {
		t.Errorf("a second Sweep dropped %d", n)
	}
}
