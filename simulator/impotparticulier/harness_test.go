package impotparticulier_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/franceconnect"
)

// Fixture values the tests rely on.
const (
	demoClientID     = "211286433e39cce01db448d80181bdfd005554b19cd51b3fe7943f6b3b86ab6e"
	demoClientSecret = "2791a731e6a59f56b6b4dd0d08c9b1f593b5f3658b9fd731cb24248e2669af4b"
	callback         = "http://localhost:3000/callback"
	angelaSPI        = "3999999887219"
	correlationID    = "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
)

// After the 2026 taxation date: the latest available revenue year is 2025.
var afterTaxation = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

var (
	keysOnce sync.Once
	fcKeys   *franceconnect.Keys
)

// sandbox is the whole binary's handler behind an httptest server, under a
// frozen clock; every API answer is checked against the contract.
type sandbox struct {
	t     testing.TB
	URL   string
	SB    *simulator.Sandbox
	Clock *clock.Virtual

	mu         sync.Mutex
	violations []string
	checked    int
}

func newSandbox(t testing.TB, start time.Time, tweak func(*simulator.Config)) *sandbox {
	t.Helper()
	keysOnce.Do(func() {
		k, err := franceconnect.GenerateKeys()
		if err != nil {
			panic(err)
		}
		fcKeys = k
	})
	s := &sandbox{t: t, Clock: clock.NewFrozen(start)}
	srv := httptest.NewUnstartedServer(nil)
	s.URL = "http://" + srv.Listener.Addr().String()
	cfg := simulator.Config{PublicURL: s.URL, Clock: s.Clock, Keys: fcKeys}
	if tweak != nil {
		tweak(&cfg)
	}
	sb, err := simulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.SB = sb
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
func (s *sandbox) checkContract(next http.Handler) http.Handler {
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

// gatewayToken gets a client-credentials token from the gateway.
func (s *sandbox) gatewayToken(id, secret, scope string) string {
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

const allIR = "RessourceIR RessourceIRDerniere RessourceIRDerniere2 RessourceIRMultiple RessourceIRFacture RessourceIFI"

func (s *sandbox) demoToken() string {
	return s.gatewayToken("bacasable-demo", "bacasable-demo-secret", "RessourceIR RessourceIRDerniere RessourceIRDerniere2")
}

func (s *sandbox) completToken() string {
	return s.gatewayToken("bacasable-complet", "bacasable-complet-secret", allIR)
}

// fcToken logs persona in with X-Bacasable-Persona and returns the
// FranceConnect access token.
func (s *sandbox) fcToken(persona, scope string) string {
	s.t.Helper()
	q := url.Values{"client_id": {demoClientID}, "redirect_uri": {callback}, "response_type": {"code"}, "acr_values": {"eidas1"},
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
		"redirect_uri": {callback}, "client_id": {demoClientID}, "client_secret": {demoClientSecret}})
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

// apiCall is one request to the API.
type apiCall struct {
	Path        string // after /impotparticulier/1.0
	Gateway     string // gateway token ("" = no Authorization)
	FC          string // X-FranceConnect-OAuth ("" = absent)
	Teleservice string // ID_Teleservice ("" = absent)
	Correlation string // default a valid UUID; "-" = absent
	Header      http.Header
}

// apiAnswer is a decoded answer.
type apiAnswer struct {
	Status int
	Header http.Header
	Raw    string
	JSON   map[string]any
}

func (s *sandbox) call(c apiCall) apiAnswer {
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
		req.Header.Set("X-Correlation-ID", correlationID)
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
	a := apiAnswer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&a.JSON)
	return a
}

// erreur returns the DGFiP envelope's code and message.
func (a apiAnswer) erreur() (int, string) {
	e, _ := a.JSON["erreur"].(map[string]any)
	code, _ := e["code"].(json.Number)
	n, _ := code.Int64()
	msg, _ := e["message"].(string)
	return int(n), msg
}
