// Package bacasabletest starts the whole bacasable sandbox — FranceConnect
// v2 and API Impôt particulier with their fictitious population — inside a
// Go test, behind an httptest server, for a vendor's own tests:
//
//	func TestCanteen(t *testing.T) {
//		sb := bacasabletest.Start(t)
//		tok := sb.Login("test", "openid", "identite_pivot", "dgfip_rfr", "dgfip_nbpart")
//		// point your service at sb.Issuer and sb.APIURL, hand it tok.AccessToken…
//	}
//
// The sandbox runs on a frozen virtual clock (Options.Now, default
// 25 November 2026, after that year's taxation date), so that tokens do not
// expire while a test runs and tax years are stable; MoveClock moves it.
// Start registers cleanups: the server stops, and the test fails when the
// journal recorded a request that broke a contract (Options.AllowViolations
// turns that off).
//
// The package is part of the module github.com/bacasable/bacasable; until
// that module is published, a vendor adds it with a replace directive
// pointing at a checkout (see docs/testing.md).
package bacasabletest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/journal"
)

// The demo credentials of the embedded fixtures.
const (
	// DemoClientID and DemoClientSecret are the FranceConnect service
	// provider FranceConnect publicly gave for localhost; any
	// http://localhost:* redirect URI is accepted for it.
	DemoClientID     = fixtures.DemoClientID
	DemoClientSecret = fixtures.DemoClientSecret
	// DemoRedirectURI is the redirect URI Login uses; nothing listens there.
	DemoRedirectURI = "http://localhost:3000/callback"
	// GatewayClientID and GatewayClientSecret are the gateway client of the
	// demo habilitation GatewayTeleservice (canteen and parking data).
	GatewayClientID     = "bacasable-demo"
	GatewayClientSecret = "bacasable-demo-secret"
	GatewayTeleservice  = "BACASABLE-DEMO"
)

// DefaultNow is where the clock stands by default: after the 2026
// taxation date, so the latest revenue year is 2025.
var DefaultNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// Options configure Start; the zero value is the embedded defaults.
type Options struct {
	// Now is the frozen clock's instant; default DefaultNow.
	Now time.Time
	// Config adjusts the sandbox's configuration before it is built
	// (fixtures, contracts, scenarios, lifetimes…).
	Config func(*simulator.Config)
	// AllowViolations keeps the test green when the journal recorded a
	// contract violation.
	AllowViolations bool
}

// Sandbox is a running sandbox.
type Sandbox struct {
	// URL is the sandbox's public URL (http://127.0.0.1:port).
	URL string
	// Issuer is FranceConnect's issuer, URL + "/api/v2": give it to your
	// OpenID Connect client's discovery.
	Issuer string
	// APIURL is API Impôt particulier's base, URL + "/impotparticulier/1.0";
	// the gateway's token endpoint is TokenURL.
	APIURL, TokenURL string
	// Sim is the sandbox itself, for what the helpers do not cover.
	Sim *simulator.Sandbox
	// Clock is the sandbox's clock, frozen at Options.Now.
	Clock *clock.Virtual

	t      testing.TB
	client *http.Client
}

// Start builds a sandbox for t with opts (at most one) and serves it.
func Start(t testing.TB, opts ...Options) *Sandbox {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Now.IsZero() {
		o.Now = DefaultNow
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	clk := clock.NewFrozen(o.Now)
	cfg := simulator.Config{PublicURL: base, Clock: clk}
	if o.Config != nil {
		o.Config(&cfg)
	}
	sim, err := simulator.New(cfg)
	if err == nil {
		err = sim.Population.Wait() // the embedded population, read later
	}
	if err != nil {
		t.Fatalf("bacasabletest: %v", err)
	}
	// Scenario latencies are skipped: a test does not wait for them.
	sim.Scenarios.SetSleep(func(context.Context, time.Duration) {})
	srv.Config.Handler = sim.Handler()
	srv.Start()
	sb := &Sandbox{URL: base, Issuer: base + "/api/v2", APIURL: base + "/impotparticulier/1.0", TokenURL: base + "/token",
		Sim: sim, Clock: clk, t: t,
		client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(func() {
		srv.Close()
		if !o.AllowViolations {
			sb.RequireNoViolations(t)
		}
	})
	return sb
}

// Tokens are what a FranceConnect login gives a service.
type Tokens struct {
	AccessToken string
	IDToken     string
	Scope       string
}

// Code logs persona in (a login such as "test", or a 13-digit SPI) with the
// demo client and the scopes ("openid" is added when missing), as the
// X-Bacasable-Persona header does, and returns the authorization code
// (valid 30 s of the sandbox's clock, single use) and the nonce sent.
func (sb *Sandbox) Code(persona string, scopes ...string) (code, nonce string) {
	sb.t.Helper()
	if !contains(scopes, "openid") {
		scopes = append([]string{"openid"}, scopes...)
	}
	nonce, state := "nonce-bacasabletest-0123456789", "state-bacasabletest-0123456789"
	q := url.Values{"client_id": {DemoClientID}, "redirect_uri": {DemoRedirectURI}, "response_type": {"code"},
		"scope": {strings.Join(scopes, " ")}, "acr_values": {"eidas1"}, "nonce": {nonce}, "state": {state}}
	req, _ := http.NewRequest(http.MethodGet, sb.Issuer+"/authorize?"+q.Encode(), nil)
	req.Header.Set("X-Bacasable-Persona", persona)
	status, header, body := sb.do(req)
	loc, err := url.Parse(header.Get("Location"))
	if status != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		sb.t.Fatalf("bacasabletest: logging %s in: %d %s %s", persona, status, header.Get("Location"), firstLine(body))
	}
	return loc.Query().Get("code"), nonce
}

// Login logs persona in with the demo client and redeems the code.
func (sb *Sandbox) Login(persona string, scopes ...string) Tokens {
	sb.t.Helper()
	code, _ := sb.Code(persona, scopes...)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {DemoRedirectURI},
		"client_id": {DemoClientID}, "client_secret": {DemoClientSecret}}
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Scope       string `json:"scope"`
	}
	sb.postJSON(sb.Issuer+"/token", form, &tok)
	return Tokens{AccessToken: tok.AccessToken, IDToken: tok.IDToken, Scope: tok.Scope}
}

// GatewayToken is a gateway token of the demo gateway client for scopes
// (default: the three the demo habilitation opens).
func (sb *Sandbox) GatewayToken(scopes ...string) string {
	sb.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"RessourceIR", "RessourceIRDerniere", "RessourceIRDerniere2"}
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {GatewayClientID}, "client_secret": {GatewayClientSecret},
		"scope": {strings.Join(scopes, " ")}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	sb.postJSON(sb.TokenURL, form, &tok)
	return tok.AccessToken
}

// Activate turns a scenario on for the whole sandbox until the test ends
// (see scenarios/: "dgfip-indisponible", "rnipp-inconnu"…).
func (sb *Sandbox) Activate(scenario string) {
	sb.t.Helper()
	a, err := sb.Sim.Scenarios.Activate(scenario, "global", "", 0)
	if err != nil {
		sb.t.Fatalf("bacasabletest: %v", err)
	}
	sb.t.Cleanup(func() { sb.Sim.Scenarios.Clear(a.ID) })
}

// MoveClock moves the sandbox's clock by d (codes expire after 30 s,
// FranceConnect tokens after 60 s, gateway tokens after an hour).
func (sb *Sandbox) MoveClock(d time.Duration) { sb.Clock.Advance(d) }

// QueueLogin makes clientID's next authorization request log persona in
// at once, for tests that cannot add a header to the service's requests.
func (sb *Sandbox) QueueLogin(clientID, persona string) {
	sb.t.Helper()
	if err := sb.Sim.FranceConnect.QueueLogin(clientID, persona); err != nil {
		sb.t.Fatalf("bacasabletest: %v", err)
	}
}

// Journal returns the journal's entries, oldest first.
func (sb *Sandbox) Journal() []journal.Entry { return sb.Sim.Journal.Entries(journal.Filter{}) }

// RequireNoViolations fails t for each request the journal recorded as
// breaking a contract (FranceConnect's or the DGFiP's): a service's
// mistakes, which the real platforms would refuse.
func (sb *Sandbox) RequireNoViolations(t testing.TB) {
	t.Helper()
	for _, e := range sb.Sim.Journal.Entries(journal.Filter{OnlyViolation: true}) {
		t.Errorf("bacasable: %s %s broke the contract: %s", e.Method, e.Path, strings.Join(e.Violations, "; "))
	}
}

func (sb *Sandbox) postJSON(u string, form url.Values, v any) {
	sb.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _, body := sb.do(req)
	if status != http.StatusOK || json.Unmarshal(body, v) != nil {
		sb.t.Fatalf("bacasabletest: POST %s: %d %s", u, status, firstLine(body))
	}
}

func (sb *Sandbox) do(req *http.Request) (int, http.Header, []byte) {
	sb.t.Helper()
	resp, err := sb.client.Do(req)
	if err != nil {
		sb.t.Fatalf("bacasabletest: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, "\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
