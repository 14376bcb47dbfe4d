package simulator_test

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize runs authorize with the persona header (and extra headers) and
// returns the callback's query.
func authorize(t *testing.T, s *sandboxtest.Sandbox, persona, scope string, header http.Header) url.Values {
	t.Helper()
	q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {scope}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
	req.Header.Set(franceconnect.PersonaHeader, persona)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	return loc.Query()
}

func postForm(t *testing.T, u string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {sandboxtest.Callback},
		"client_id": {sandboxtest.DemoClientID}, "client_secret": {sandboxtest.DemoClientSecret}}
}

func scenarioHeader(name string) http.Header { return http.Header{"X-Bacasable-Scenario": {name}} }

// TestPersonaCarriesScenario: a trainer logs in as "Service DGFiP
// indisponible"; the API call in FranceConnect mode meets the outage.
func TestPersonaCarriesScenario(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	fc := s.FCToken("dgfip.indisponible", "openid identite_pivot dgfip_rfr")
	a := s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: s.DemoToken(), FC: fc, Teleservice: "BACASABLE-DEMO"})
	if code, msg := a.Erreur(); a.Status != 503 || code != 5030 || !strings.Contains(msg, "dgfip-indisponible") {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	if a.Header.Get("Retry-After") != "120" {
		t.Errorf("Retry-After = %q", a.Header.Get("Retry-After"))
	}
}

// TestAPIScenariosByHeader: each API scenario's effect on a call.
func TestAPIScenariosByHeader(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.DemoToken()
	path := "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025"
	for _, tc := range []struct {
		scenario string
		status   int
		code     int
	}{
		{"dgfip-indisponible", 503, 5030},
		{"dgfip-maintenance", 503, 5030},
		{"dgfip-erreur-technique", 500, 5000},
		{"dgfip-quota-depasse", 429, 4290},
		{"dgfip-annee-non-disponible", 410, 4101},
		{"dgfip-usager-inconnu", 404, 4040},
		{"dgfip-jeton-fc-expire", 403, 4033},
		{"dgfip-lent", 200, 0},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			a := s.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO", Header: scenarioHeader(tc.scenario)})
			if code, _ := a.Erreur(); a.Status != tc.status || code != tc.code {
				t.Fatalf("%d %s", a.Status, a.Raw)
			}
		})
	}
	if slept := s.Slept(); !slices.Contains(slept, 8*time.Second) {
		t.Errorf("dgfip-lent did not delay 8 s: %v", slept)
	}
	a := s.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO", Header: scenarioHeader("inconnu")})
	if code, msg := a.Erreur(); a.Status != 400 || code != 4000 || !strings.Contains(msg, "inconnu") {
		t.Errorf("unknown scenario: %d %s", a.Status, a.Raw)
	}
}

// TestAPIConnectionCut: coupure and delai_depasse close the connection
// without an answer.
func TestAPIConnectionCut(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.DemoToken()
	for _, name := range []string{"dgfip-coupure", "dgfip-delai-depasse"} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/impotparticulier/1.0/spi/"+sandboxtest.AngelaSPI+"/situations/ir/assiettes/annrev/2025", nil)
			req.Header.Set("Authorization", "Bearer "+gw)
			req.Header.Set("X-Correlation-ID", sandboxtest.CorrelationID)
			req.Header.Set("ID_Teleservice", "BACASABLE-DEMO")
			req.Header.Set("X-Bacasable-Scenario", name)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got an answer %d, want the connection closed", resp.StatusCode)
			}
		})
	}
	if slept := s.Slept(); !slices.Contains(slept, 65*time.Second) {
		t.Errorf("delai_depasse did not hold 65 s: %v", slept)
	}
}

// TestLoginRefusals: the user's cancel comes back to the client at once as
// access_denied; a civil-registry refusal shows FranceConnect's error page
// with its code, and the client learns of it only when the user follows the
// « Revenir sur … » link (api-redirect-to-sp.feature).
func TestLoginRefusals(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	cb := authorize(t, s, "usager.annule", "openid profile", nil)
	if cb.Get("error") != "access_denied" || cb.Get("error_description") != "User auth aborted" || cb.Get("state") == "" {
		t.Errorf("cancel: callback = %v", cb)
	}
	backLink := regexp.MustCompile(`data-testid="back-to-sp-link"[^>]*href="([^"]+)"`)
	for _, tc := range []struct {
		persona, header string
		status          int
		code            string
		err, desc       string
	}{
		{"rnipp.inconnu", "", 403, "Y010008", "access_denied", "user authentication aborted"},
		{"rnipp.decede", "", 403, "Y010015", "access_denied", "user authentication aborted"},
		{"test", "rnipp-homonyme", 403, "Y010006", "access_denied", "user authentication aborted"},
		{"test", "rnipp-delai-depasse", 504, "Y010011", "temporarily_unavailable", "authentication aborted due to a technical error on the authorization server"},
		{"test", "rnipp-reponse-invalide", 400, "Y010013", "server_error", "authentication aborted due to a technical error on the authorization server"},
	} {
		t.Run(tc.persona+" "+tc.header, func(t *testing.T) {
			q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
				"acr_values": {"eidas1"}, "scope": {"openid profile"}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
			req.Header.Set(franceconnect.PersonaHeader, tc.persona)
			if tc.header != "" {
				req.Header.Set("X-Bacasable-Scenario", tc.header)
			}
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := html.UnescapeString(string(body))
			if resp.StatusCode != tc.status || !strings.Contains(page, `data-testid="error-code">Erreur <span class="code" id="code-erreur">`+tc.code) {
				t.Fatalf("authorize: %d, want the %s page (%d)", resp.StatusCode, tc.code, tc.status)
			}
			m := backLink.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no « Revenir sur … » link on the error page")
			}
			resp, err = noFollow.Get(s.URL + m[1])
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := resp.Location()
			if resp.StatusCode != http.StatusFound || loc == nil {
				t.Fatalf("back link: %d", resp.StatusCode)
			}
			got := loc.Query()
			if got.Get("error") != tc.err || got.Get("error_description") != tc.desc || got.Get("state") != "state-0123456789abcdefghij" ||
				got.Get("iss") != s.URL+"/api/v2" || got.Get("code") != "" || !strings.HasPrefix(loc.String(), sandboxtest.Callback+"?error=") {
				t.Errorf("back to the service: %s", loc)
			}
		})
	}
}

// TestPartialIdentity: claims removed at login are missing from userinfo
// and from checktoken.
func TestPartialIdentity(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	cb := authorize(t, s, "test", "openid identite_pivot dgfip_rfr", scenarioHeader("identite-partielle"))
	_, body := postForm(t, s.URL+"/api/v2/token", tokenForm(cb.Get("code")), nil)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &tok)
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	jwt, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	payload := decodeJWTPayload(t, string(jwt))
	if _, ok := payload["birthplace"]; ok {
		t.Errorf("userinfo still has birthplace: %v", payload)
	}
	if _, ok := payload["birthcountry"]; ok {
		t.Errorf("userinfo still has birthcountry: %v", payload)
	}
	if payload["family_name"] != "DUBOIS" {
		t.Errorf("userinfo lost other claims: %v", payload)
	}
	in, err := s.SB.FranceConnect.Introspect(tok.AccessToken, "dgfip")
	if err != nil || !in.Active || in.Birthplace != nil || in.Birthcountry != "" || in.FamilyName == nil {
		t.Errorf("checktoken introspection = %+v, %v", in, err)
	}
}

// TestFranceConnectBackChannelScenarios: token and userinfo failures and
// latency.
func TestFranceConnectBackChannelScenarios(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	cb := authorize(t, s, "test", "openid profile", nil)
	resp, body := postForm(t, s.URL+"/api/v2/token", tokenForm(cb.Get("code")), scenarioHeader("franceconnect-token-en-erreur"))
	if resp.StatusCode != 500 || !strings.Contains(body, `"error":"server_error"`) {
		t.Fatalf("token with franceconnect-token-en-erreur: %d %s", resp.StatusCode, body)
	}
	// The code was not consumed by the failed call.
	resp, body = postForm(t, s.URL+"/api/v2/token", tokenForm(cb.Get("code")), scenarioHeader("franceconnect-lent"))
	if resp.StatusCode != 200 {
		t.Fatalf("token after the failure: %d %s", resp.StatusCode, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &tok)
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("X-Bacasable-Scenario", "franceconnect-userinfo-indisponible")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 503 {
		t.Errorf("userinfo with franceconnect-userinfo-indisponible: %d", r2.StatusCode)
	}
	if slept := s.Slept(); !slices.Contains(slept, 5*time.Second) {
		t.Errorf("franceconnect-lent did not delay the token: %v", slept)
	}
}

// TestActivationLimitedToNCalls: an activation for a client applies to its
// next N calls only.
func TestActivationLimitedToNCalls(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	if _, err := s.SB.Scenarios.Activate("dgfip-erreur-technique", "client", "bacasable-demo", 2); err != nil {
		t.Fatal(err)
	}
	gw := s.DemoToken()
	call := sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"}
	var got []int
	for range 3 {
		got = append(got, s.Call(call).Status)
	}
	if !slices.Equal(got, []int{500, 500, 200}) {
		t.Errorf("statuses = %v, want [500 500 200]", got)
	}
	other := s.Call(sandboxtest.APICall{Path: call.Path, Gateway: s.CompletToken(), Teleservice: "BACASABLE-COMPLET"})
	if other.Status != 200 {
		t.Errorf("another client: %d", other.Status)
	}
}

func decodeJWTPayload(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", jwt)
	}
	raw, err := base64URL(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
