// Package sandboxtest starts a whole sandbox behind an httptest server for
// tests that drive it like its users: real HTTP, real OIDC flows, a frozen
// clock, scenario latencies recorded rather than waited for, and every
// answer of the API Impôt particulier checked against its contract.
package sandboxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/franceconnect"
)

// Fixture values the tests rely on.
const (
	DemoClientID     = fixtures.DemoClientID
	DemoClientSecret = fixtures.DemoClientSecret
	Callback         = "http://localhost:3000/Callback"
	AngelaSPI        = "3999999887219"
	CorrelationID    = "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
)

// AfterTaxation is after the 2026 taxation date: the latest available revenue year is 2025.
var AfterTaxation = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

var (
	keysOnce sync.Once
	fcKeys   *franceconnect.Keys
)

// Sandbox is the whole binary's handler behind an httptest server, under a
// frozen clock; every API answer is checked against the contract.
type Sandbox struct {
	t     testing.TB
	URL   string
	SB    *simulator.Sandbox
	Clock *clock.Virtual

	mu         sync.Mutex
	violations []string
	checked    int
	slept      []time.Duration
}

// New starts a sandbox at start; tweak may adjust the configuration.
func New(t testing.TB, start time.Time, tweak func(*simulator.Config)) *Sandbox {
	t.Helper()
	keysOnce.Do(func() {
		k, err := franceconnect.GenerateKeys()
		if err != nil {
			panic(err)
		}
		fcKeys = k
	})
	s := &Sandbox{t: t, Clock: clock.NewFrozen(start)}
	srv := httptest.NewUnstartedServer(nil)
	s.URL = "http://" + srv.Listener.Addr().String()
	cfg := simulator.Config{PublicURL: s.URL, Clock: s.Clock, Keys: fcKeys}
	if tweak != nil {
		tweak(&cfg)
	}
	sb, err := simulator.New(cfg)
	if err == nil {
		// The embedded population is read once the sandbox answers: its
		// errors, which the start would otherwise stop on, fail the test.
		err = sb.Population.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
	s.SB = sb
	// Latencies of scenarios are recorded, not waited for.
	sb.Scenarios.SetSleep(func(_ context.Context, d time.Duration) {
		s.mu.Lock()
		s.slept = append(s.slept, d)
		s.mu.Unlock()
	})
	srv.Config.Handler = s.checkContract(sb.Handler())
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range s.violations {
			t.Errorf("contract violation: %s", v)
		}
	})
	return s
}

// checkContract validates every answer under /impotparticulier/1.0/ against
// the contract in strict mode.
func (s *Sandbox) checkContract(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/impotparticulier/1.0/") || strings.HasSuffix(r.URL.Path, "/openapi.yaml") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code != http.StatusNotFound || !strings.Contains(string(body), `"code":4040`) {
			if err := s.SB.ImpotParticulier.CheckResponse(r, rec.Code, rec.Header(), body); err != nil {
				s.mu.Lock()
				s.violations = append(s.violations, r.URL.Path+": "+err.Error())
				s.mu.Unlock()
			}
		}
		s.mu.Lock()
		s.checked++
		s.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// GatewayToken gets a client-credentials token from the gateway.
func (s *Sandbox) GatewayToken(id, secret, scope string) string {
	s.t.Helper()
	resp, err := http.PostForm(s.URL+"/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope}})
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&tok) != nil || tok.AccessToken == "" {
		s.t.Fatalf("gateway token for %s: status %d", id, resp.StatusCode)
	}
	return tok.AccessToken
}

// AllIR is every gateway scope of the IR resources.
const AllIR = "RessourceIR RessourceIRDerniere RessourceIRDerniere2 RessourceIRMultiple RessourceIRFacture RessourceIFI"

// DemoToken is a gateway token of bacasable-demo for its three scopes.
func (s *Sandbox) DemoToken() string {
	return s.GatewayToken("bacasable-demo", "bacasable-demo-secret", "RessourceIR RessourceIRDerniere RessourceIRDerniere2")
}

// CompletToken is a gateway token of bacasable-complet for every IR scope.
func (s *Sandbox) CompletToken() string {
	return s.GatewayToken("bacasable-complet", "bacasable-complet-secret", AllIR)
}

// FCToken logs persona in with X-Bacasable-Persona and returns the
// FranceConnect access token.
func (s *Sandbox) FCToken(persona, scope string) string {
	s.t.Helper()
	q := url.Values{"client_id": {DemoClientID}, "redirect_uri": {Callback}, "response_type": {"code"}, "acr_values": {"eidas1"},
		"scope": {scope}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
	req.Header.Set(franceconnect.PersonaHeader, persona)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		s.t.Fatalf("authorize for %s: status %d", persona, resp.StatusCode)
	}
	resp, err = http.PostForm(s.URL+"/api/v2/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {Callback}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}})
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		s.t.Fatalf("FranceConnect token for %s: status %d", persona, resp.StatusCode)
	}
	return tok.AccessToken
}

// APICall is one request to the API.
type APICall struct {
	Path        string // after /impotparticulier/1.0
	Gateway     string // gateway token ("" = no Authorization)
	FC          string // X-FranceConnect-OAuth ("" = absent)
	Teleservice string // ID_Teleservice ("" = absent)
	Correlation string // default a valid UUID; "-" = absent
	Header      http.Header
}

// APIAnswer is a decoded answer.
type APIAnswer struct {
	Status int
	Header http.Header
	Raw    string
	JSON   map[string]any
}

// Call sends one request to the API and decodes the answer.
func (s *Sandbox) Call(c APICall) APIAnswer {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/impotparticulier/1.0"+c.Path, nil)
	if c.Gateway != "" {
		req.Header.Set("Authorization", "Bearer "+c.Gateway)
	}
	if c.FC != "" {
		req.Header.Set("X-FranceConnect-OAuth", c.FC)
	}
	if c.Teleservice != "" {
		req.Header.Set("ID_Teleservice", c.Teleservice)
	}
	switch c.Correlation {
	case "":
		req.Header.Set("X-Correlation-ID", CorrelationID)
	case "-":
	default:
		req.Header.Set("X-Correlation-ID", c.Correlation)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := APIAnswer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&a.JSON)
	return a
}

// Erreur returns the DGFiP envelope's code and message.
func (a APIAnswer) Erreur() (int, string) {
	e, _ := a.JSON["erreur"].(map[string]any)
	code, _ := e["code"].(json.Number)
	n, _ := code.Int64()
	msg, _ := e["message"].(string)
	return int(n), msg
}

// Slept returns the latencies scenarios asked for so far.
func (s *Sandbox) Slept() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.slept...)
}

// Checked is the number of API answers checked against the contract.
func (s *Sandbox) Checked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checked
}
