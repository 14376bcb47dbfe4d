package franceconnect

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/population"
)

// Shared by every test of the package: generating RSA keys is slow.
var (
	testKeysOnce sync.Once
	testKeys     *Keys
)

func sharedKeys(t testing.TB) *Keys {
	testKeysOnce.Do(func() {
		k, err := GenerateKeys()
		if err != nil {
			panic(err)
		}
		testKeys = k
	})
	return testKeys
}

// Well-known fixture values used across tests.
const (
	demoClientID     = "211286433e39cce01db448d80181bdfd005554b19cd51b3fe7943f6b3b86ab6e"
	demoClientSecret = "2791a731e6a59f56b6b4dd0d08c9b1f593b5f3658b9fd731cb24248e2669af4b"
	demoRedirect     = "http://localhost:4242/callback"
	testNonce        = "nonce-0123456789abcdefghij"
	testState        = "state-0123456789abcdefghij"
)

// testEnv is a provider behind an httptest server with a frozen clock.
type testEnv struct {
	t      testing.TB
	P      *Provider
	Server *httptest.Server
	Clock  *clock.Virtual
	Pop    *population.Population
	Issuer string
}

var testStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// newTestEnv starts a provider on the embedded fixtures. cfg may tweak the
// configuration before New; Issuer, Clients, People, Clock and Keys are set.
func newTestEnv(t testing.TB, tweak func(*Config)) *testEnv {
	t.Helper()
	cog, err := population.LoadCOG(fixtures.FS())
	if err != nil {
		t.Fatal(err)
	}
	pop, err := population.Load(fixtures.FS(), cog)
	if err != nil {
		t.Fatal(err)
	}
	clients, err := LoadClients(fixtures.FS())
	if err != nil {
		t.Fatal(err)
	}
	env := &testEnv{t: t, Clock: clock.NewFrozen(testStart), Pop: pop}
	r := mux.NewRouter()
	env.Server = httptest.NewServer(r)
	t.Cleanup(env.Server.Close)
	env.Issuer = env.Server.URL + "/api/v2"
	cfg := Config{Issuer: env.Issuer, Clients: clients, People: pop, Clock: env.Clock, Keys: sharedKeys(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tweak != nil {
		tweak(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Routes(r)
	env.P = p
	return env
}

// noRedirect is an HTTP client that stops at the first redirect and keeps
// cookies, as a browser does (the login pages are bound to the browser's
// fc_session_id).
func noRedirect() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// authorizeParams returns a valid authorization request for the demo client.
func validAuthorize() url.Values {
	return url.Values{
		"client_id": {demoClientID}, "redirect_uri": {demoRedirect}, "response_type": {"code"},
		"scope": {"openid profile birth email"}, "acr_values": {"eidas1"}, "nonce": {testNonce}, "state": {testState},
	}
}

// pkcePair returns a verifier and its S256 challenge.
func pkcePair() (verifier, challenge string) {
	verifier = "verifier-0123456789abcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// loginWithHeader runs authorize with X-Bacasable-Persona and returns the
// redirect's query (code, state, iss).
func (env *testEnv) loginWithHeader(params url.Values, persona string) url.Values {
	env.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.Issuer+"/authorize?"+params.Encode(), nil)
	req.Header.Set(PersonaHeader, persona)
	resp, err := noRedirect().Do(req)
	if err != nil {
		env.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		env.t.Fatalf("authorize with persona: status %d, body %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		env.t.Fatal(err)
	}
	return loc.Query()
}

// exchange posts the code to the token endpoint.
func (env *testEnv) exchange(form url.Values) *http.Response {
	env.t.Helper()
	resp, err := http.PostForm(env.Issuer+"/token", form)
	if err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {demoRedirect},
		"client_id": {demoClientID}, "client_secret": {demoClientSecret}}
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
