package simulator_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/qualification"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// browserClient follows redirects and keeps cookies, as a browser does.
func browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var interactionURL = regexp.MustCompile(`/api/v2/interaction/[A-Za-z0-9_-]+`)

// demovilleLogin runs one of Démoville's services as a citizen does in a
// browser: FranceConnect's pages (provider, login, consent), then the
// result page.
func demovilleLogin(t *testing.T, s *sandboxtest.Sandbox, c *http.Client, service string) {
	t.Helper()
	resp, _ := fetch(t, c, http.MethodGet, s.URL+"/demoville/"+service+"/connexion", nil)
	uid := interactionURL.FindString(resp.Request.URL.Path)
	if uid == "" {
		t.Fatalf("%s: not on FranceConnect's pages: %s", service, resp.Request.URL)
	}
	resp, _ = fetch(t, c, http.MethodPost, s.URL+uid+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}})
	if !strings.HasSuffix(resp.Request.URL.Path, "/consent") {
		t.Fatalf("%s: login led to %s", service, resp.Request.URL)
	}
	resp, page := fetch(t, c, http.MethodPost, s.URL+uid+"/consent", url.Values{"action": {"accept"}})
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/demoville/"+service+"/resultat") {
		t.Fatalf("%s: consent led to %d %s\n%.500s", service, resp.StatusCode, resp.Request.URL, page)
	}
}

func qualify(t *testing.T, s *sandboxtest.Sandbox, client, gateway string) qualification.Report {
	t.Helper()
	resp, body := fetch(t, http.DefaultClient, http.MethodGet, s.URL+"/_bacasable/api/qualification?"+url.Values{"client": {client}, "gateway": {gateway}}.Encode(), nil)
	var rep qualification.Report
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &rep) != nil {
		t.Fatalf("qualification: %d %s", resp.StatusCode, body)
	}
	return rep
}

func statuses(rep qualification.Report) map[string]qualification.Status {
	out := map[string]qualification.Status{}
	for _, r := range rep.Results {
		out[r.ID] = r.Status
	}
	return out
}

// TestQualificationOfDemoville: Démoville, the reference integration,
// passes every rule it exercises — canteen, parking and logout through
// the pages, as a citizen would — and the JUnit export says so.
func TestQualificationOfDemoville(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	c := browserClient()
	demovilleLogin(t, s, c, "cantine")
	demovilleLogin(t, s, c, "stationnement")
	if resp, _ := fetch(t, c, http.MethodPost, s.URL+"/demoville/deconnexion", url.Values{}); resp.Request.URL.Path != "/demoville/" {
		t.Fatalf("logout led to %s", resp.Request.URL)
	}
	rep := qualify(t, s, "demoville", "bacasable-demo")
	for _, r := range rep.Results {
		if r.Status == qualification.Failed {
			t.Errorf("Démoville fails %s (%s): %+v", r.ID, r.Title, r.Evidence)
		}
	}
	got := statuses(rep)
	for _, id := range []string{"fc-state", "fc-nonce", "fc-acr", "fc-parameters", "fc-redirect-uri", "fc-code", "fc-client-auth",
		"fc-userinfo", "fc-logout", "fc-minimisation", "dgfip-token-reuse", "dgfip-correlation", "dgfip-teleservice", "dgfip-fc-token", "dgfip-contract"} {
		if got[id] != qualification.Passed {
			t.Errorf("%s: %s, want passed", id, got[id])
		}
	}

	resp, body := fetch(t, http.DefaultClient, http.MethodGet, s.URL+"/_bacasable/api/qualification.xml?client=demoville&gateway=bacasable-demo", nil)
	var suites struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if resp.StatusCode != 200 || xml.Unmarshal([]byte(body), &suites) != nil || len(suites.Suites) != 2 ||
		suites.Suites[0].Failures+suites.Suites[1].Failures != 0 || suites.Suites[0].Tests+suites.Suites[1].Tests != len(qualification.Rules)+len(franceconnect.Faults) {
		t.Errorf("JUnit: %d %.600s", resp.StatusCode, body)
	}
}

// TestQualificationOfASloppyClient: a client that breaks every rule fails
// each of them, with the journal entries that show it.
func TestQualificationOfASloppyClient(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := func(kv ...string) url.Values {
		q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
			"acr_values": {"eidas1"}, "scope": {"openid identite_pivot dgfip_rfr"}, "nonce": {"nonce-toujours-le-meme-0123"}, "state": {"court"}}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
		req.Header.Set(franceconnect.PersonaHeader, "test")
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		if loc == nil {
			return url.Values{}
		}
		return loc.Query()
	}
	post := func(u string, form url.Values, basic bool) string {
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth(sandboxtest.DemoClientID, sandboxtest.DemoClientSecret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}
	tokenForm := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {sandboxtest.Callback},
			"client_id": {sandboxtest.DemoClientID}, "client_secret": {sandboxtest.DemoClientSecret}}
	}

	// FranceConnect: a short state, the same nonce twice, eidas2, PKCE, an
	// unregistered redirect_uri, HTTP Basic, a replayed code, userinfo
	// with a dead token, a logout without state, DGFiP data never used.
	cb := authorize()
	authorize()
	authorize("acr_values", "eidas2")
	authorize("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method", "S256")
	authorize("redirect_uri", "http://example.com/cb")
	post(s.URL+"/api/v2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {sandboxtest.Callback}}, true)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(post(s.URL+"/api/v2/token", tokenForm(cb.Get("code")), false)), &tok)
	post(s.URL+"/api/v2/token", tokenForm(cb.Get("code")), false) // replay
	fresh := authorize("state", "state-0123456789abcdefghijkl", "nonce", "nonce-0123456789abcdefghijkl")
	var idt struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	_ = json.Unmarshal([]byte(post(s.URL+"/api/v2/token", tokenForm(fresh.Get("code")), false)), &idt)
	s.Clock.Advance(61 * time.Second) // its access token is dead, and so is the other one
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+idt.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if resp, err := noFollow.Get(s.URL + "/api/v2/session/end?" + url.Values{"id_token_hint": {idt.IDToken}}.Encode()); err == nil {
		resp.Body.Close()
	}

	// DGFiP: a token per call, a repeated X-Correlation-ID, no
	// ID_Teleservice, an expired FranceConnect token, a retry before
	// Retry-After, a year not yet taxed, a contract violation.
	call := func(path, correlation, teleservice, fc string, header ...string) {
		gw := s.DemoToken()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/impotparticulier/1.0"+path, nil)
		req.Header.Set("Authorization", "Bearer "+gw)
		if correlation != "" {
			req.Header.Set("X-Correlation-ID", correlation)
		}
		if teleservice != "" {
			req.Header.Set("ID_Teleservice", teleservice)
		}
		if fc != "" {
			req.Header.Set("X-FranceConnect-OAuth", fc)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	spi := "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025"
	const same = "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
	call(spi, same, "BACASABLE-DEMO", "")
	call(spi, same, "", "")
	call("/spi/"+sandboxtest.AngelaSPI+"/situations/ir/assiettes/annrev/2026", "6a1e8c4d-3f2b-4e5f-9a0b-1c2d3e4f5a6c", "BACASABLE-DEMO", "")
	call(spi, "pas-un-uuid", "BACASABLE-DEMO", "")
	call("/situations/ir/assiettes/annrev/2025", "7a1e8c4d-3f2b-4e5f-9a0b-1c2d3e4f5a6d", "BACASABLE-DEMO", tok.AccessToken)
	call(spi, "8a1e8c4d-3f2b-4e5f-9a0b-1c2d3e4f5a6e", "BACASABLE-DEMO", "", "X-Bacasable-Scenario", "dgfip-indisponible")
	call(spi, "9a1e8c4d-3f2b-4e5f-9a0b-1c2d3e4f5a6f", "BACASABLE-DEMO", "")

	rep := qualify(t, s, sandboxtest.DemoClientID, "bacasable-demo")
	got := statuses(rep)
	for _, r := range qualification.Rules {
		if got[r.ID] != qualification.Failed {
			t.Errorf("%s (%s): %s, want failed", r.ID, r.Title, got[r.ID])
		}
	}
	for _, r := range rep.Results {
		if r.Status == qualification.Failed && (len(r.Evidence) == 0 || r.Evidence[0].Entry == 0) {
			t.Errorf("%s failed without pointing at a journal entry", r.ID)
		}
	}
}

// TestHostileFranceConnect: a qualification run answers Démoville's next
// logins with deliberate faults, one each; Démoville (go-oidc underneath)
// refuses every one and accepts the key rotation. A client that never
// checks what it receives goes on each time and fails those rules.
func TestHostileFranceConnect(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	queue := func(client string) {
		body := strings.NewReader(`{"client_id":"` + client + `"}`)
		resp, err := http.Post(s.URL+"/_bacasable/api/qualification/faults", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("queueing faults: %d", resp.StatusCode)
		}
	}
	for _, bad := range []string{`{"client_id":"nobody"}`, `{"client_id":"demoville","faults":["no-such-fault"]}`, `{"client_id":`} {
		resp, err := http.Post(s.URL+"/_bacasable/api/qualification/faults", "application/json", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"invalid_request"`) {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, b)
		}
	}
	queue("demoville")
	_, listed := fetch(t, http.DefaultClient, http.MethodGet, s.URL+"/_bacasable/api/qualification/faults", nil)
	if !strings.Contains(listed, `"client_id": "demoville"`) || !strings.Contains(listed, `"key-rotation"`) {
		t.Errorf("queued faults: %s", listed)
	}
	for range franceconnect.Faults {
		// A new browser each time: the same one would be logged in again by
		// FranceConnect's SSO, without its pages.
		c := browserClient()
		resp, _ := fetch(t, c, http.MethodGet, s.URL+"/demoville/cantine/connexion", nil)
		uid := interactionURL.FindString(resp.Request.URL.Path)
		fetch(t, c, http.MethodPost, s.URL+uid+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}})
		fetch(t, c, http.MethodPost, s.URL+uid+"/consent", url.Values{"action": {"accept"}})
	}
	judged := 0
	for _, r := range qualify(t, s, "demoville", "bacasable-demo").Results {
		if strings.HasPrefix(r.ID, "fc-refuses-") {
			judged++
			if r.Status != qualification.Passed {
				t.Errorf("Démoville: %s %s (%s) %+v", r.ID, r.Status, r.Title, r.Evidence)
			}
		}
	}
	if judged != len(franceconnect.Faults) {
		t.Errorf("Démoville: %d fc-refuses-* rules in the report, want %d", judged, len(franceconnect.Faults))
	}

	// The sloppy client: takes the code whatever the callback says, calls
	// userinfo and the API whatever the tokens are.
	queue(sandboxtest.DemoClientID)
	for range franceconnect.Faults {
		q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
			"acr_values": {"eidas1"}, "scope": {"openid identite_pivot dgfip_rfr"}, "nonce": {"nonce-" + strings.Repeat("n", 22)}, "state": {"state-" + strings.Repeat("s", 22)}}
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
		req.Header.Set(franceconnect.PersonaHeader, "test")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {sandboxtest.Callback},
			"client_id": {sandboxtest.DemoClientID}, "client_secret": {sandboxtest.DemoClientSecret}}
		_, body := fetch(t, http.DefaultClient, http.MethodPost, s.URL+"/api/v2/token", form)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal([]byte(body), &tok)
		req, _ = http.NewRequest(http.MethodGet, s.URL+"/api/v2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: s.DemoToken(), FC: tok.AccessToken, Teleservice: "BACASABLE-DEMO"})
	}
	judged = 0
	for _, r := range qualify(t, s, sandboxtest.DemoClientID, "bacasable-demo").Results {
		if !strings.HasPrefix(r.ID, "fc-refuses-") {
			continue
		}
		judged++
		want := qualification.Failed
		if r.ID == "fc-refuses-key-rotation" {
			want = qualification.Passed // it accepts everything, the new key too
		}
		if r.Status != want {
			t.Errorf("sloppy client: %s %s, want %s", r.ID, r.Status, want)
		}
	}
	if judged != len(franceconnect.Faults) {
		t.Errorf("sloppy client: %d fc-refuses-* rules in the report, want %d", judged, len(franceconnect.Faults))
	}
}
