package impotparticulier_test

// Fuzz targets of the gateway's /token, of the API's paths and headers and
// of habilitations.yaml (docs/fuzzing.md). The HTTP targets drive one whole
// sandbox per target in process; every answer must be the DGFiP's envelope
// or the gateway's OAuth error, valid for the contract, and never a 5xx
// that no scenario asked for.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
	"github.com/bacasable/bacasable/simulator/internal/fuzztest"
	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// fuzzSandbox is a sandbox whose habilitations have quotas a fuzzer cannot
// reach, but BACASABLE-QUOTA's 5 calls a minute.
func fuzzSandbox(f *testing.F) *sandboxtest.Sandbox {
	f.Helper()
	fsys := copyFixtures(f)
	hab := regexp.MustCompile(`quota_par_minute: (50|200|1000)\b`).ReplaceAll(fsys[impotparticulier.HabilitationsFile].Data, []byte("quota_par_minute: 1000000000"))
	fsys[impotparticulier.HabilitationsFile] = &fstest.MapFile{Data: hab}
	return sandboxtest.New(f, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.Fixtures = fsys })
}

// fuzzServe sends req to the sandbox in process.
func fuzzServe(s *sandboxtest.Sandbox, method, target, body string, header http.Header) (*http.Request, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Method = method
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery, _ = fuzzSplit(target)
	req.RequestURI = req.URL.RequestURI()
	req.Header = header
	if body != "" || method != http.MethodGet {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	rec := httptest.NewRecorder()
	s.SB.Handler().ServeHTTP(rec, req)
	return req, rec
}

// fuzzSplit cuts a request target into its path (decoded when it can
// be), raw path and query, as the server would.
func fuzzSplit(target string) (path, rawPath, query string, ok bool) {
	raw, query, _ := strings.Cut(target, "?")
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	req, err := http.NewRequest(http.MethodGet, "http://sandbox"+raw, nil)
	if err != nil {
		return raw, "", query, false
	}
	return req.URL.Path, req.URL.RawPath, query, true
}

// fuzzNoLeak fails when the answer shows a leak no input holds.
func fuzzNoLeak(t *testing.T, rec *httptest.ResponseRecorder, inputs ...string) {
	t.Helper()
	if leak := fuzztest.Leak(rec.Body.String(), inputs...); leak != "" {
		t.Fatalf("the answer %d shows %q: %s", rec.Code, leak, rec.Body)
	}
}

// scenarioAnswer tells whether the journal's last entry says a scenario
// chose the answer (a persona of the fixtures carries one).
func scenarioAnswer(s *sandboxtest.Sandbox) bool {
	last := s.SB.Journal.Entries(journal.Filter{Limit: 1})
	return len(last) == 1 && slices.ContainsFunc(last[0].Why, func(w string) bool { return strings.Contains(w, "scénario") })
}

// FuzzGatewayToken posts client-credentials requests to the gateway: an
// answer is a token of a known client, for scopes it holds, or the OAuth
// error.
func FuzzGatewayToken(f *testing.F) {
	basic := "Basic YmFjYXNhYmxlLWRlbW86YmFjYXNhYmxlLWRlbW8tc2VjcmV0" // bacasable-demo:bacasable-demo-secret
	for _, c := range [][3]string{
		{"grant_type=client_credentials&client_id=bacasable-demo&client_secret=bacasable-demo-secret&scope=RessourceIR", "", ""},
		{"grant_type=client_credentials&client_id=bacasable-complet&client_secret=bacasable-complet-secret&scope=" + strings.ReplaceAll(sandboxtest.AllIR, " ", "+"), "", ""},
		{"grant_type=client_credentials&client_id=bacasable-demo&client_secret=bacasable-demo-secret", "", ""},
		{"grant_type=client_credentials&scope=RessourceIR+RessourceIRDerniere", basic, ""},
		{"grant_type=client_credentials&scope=RessourceIFI", basic, ""},
		{"grant_type=client_credentials&scope=default", basic, ""},
		{"grant_type=password&client_id=bacasable-demo&client_secret=bacasable-demo-secret", "", ""},
		{"grant_type=client_credentials&client_id=bacasable-demo&client_secret=faux", "", ""},
		{"grant_type=client_credentials", "Basic Og==", ""},
		{"grant_type=client_credentials", "Basic %%%", ""},
		{"grant_type=client_credentials", "Bearer x", ""},
		{"grant_type=client_credentials&client_id=bacasable-demo&client_secret=bacasable-demo-secret", "", "application/json"},
		{`{"grant_type":"client_credentials"}`, "", "application/json"},
		{"grant_type=client_credentials&client_id=bacasable-demo&client_secret=bacasable-demo-secret", "", "APPLICATION/X-WWW-FORM-URLENCODED"},
		{"client_id=%zz", "", ""},
		{"", "", ""},
	} {
		f.Add(c[0], c[1], c[2])
	}
	s := fuzzSandbox(f)
	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		fuzztest.Sendable(t, "", authorization, contentType)
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		_, rec := fuzzServe(s, http.MethodPost, "/token", body, h)
		defer s.SB.ImpotParticulier.Reset() // tokens would pile up
		fuzzNoLeak(t, rec, body, authorization, contentType)
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("answered %d, not JSON (%v): %s", rec.Code, err, rec.Body)
		}
		switch {
		case rec.Code == http.StatusOK:
			tok, _ := got["access_token"].(string)
			scope, _ := got["scope"].(string)
			if tok == "" || got["token_type"] != "Bearer" || scope == "" {
				t.Fatalf("a 200 that is not a token: %s", rec.Body)
			}
			for _, sc := range strings.Fields(scope) {
				if sc != "default" && !slices.Contains(strings.Fields(sandboxtest.AllIR+" RessourceLEP"), sc) {
					t.Fatalf("a token for scope %q, which no client holds: %s", sc, rec.Body)
				}
			}
		case rec.Code >= 500:
			t.Fatalf("answered %d: %s", rec.Code, rec.Body)
		default:
			code, _ := got["error"].(string)
			if _, ok := got["error_description"].(string); code == "" || !ok {
				t.Fatalf("the error %d is not {error, error_description}: %s", rec.Code, rec.Body)
			}
			if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Fatalf("a 401 without WWW-Authenticate")
			}
		}
	})
}

// FuzzAPI calls the API with any path and any Authorization,
// X-FranceConnect-OAuth, X-Correlation-ID and ID_Teleservice. GWDEMO,
// GWCOMPLET and GWBANQUE stand for gateway tokens of the three clients,
// FCTOKEN for a FranceConnect access token of test with every dgfip_*
// scope. Every answer is the contract's, and an error is the DGFiP's
// envelope whose code goes with the status (4031 with 403…).
func FuzzAPI(f *testing.F) {
	const (
		ir   = "/situations/ir/assiettes/annrev/2025"
		spi  = "/spi/" + sandboxtest.AngelaSPI
		corr = sandboxtest.CorrelationID
	)
	for _, c := range []struct{ path, auth, fc, corr, tele string }{
		{spi + ir, "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{spi + ir, "Bearer GWDEMO", "", corr, ""},
		{spi + ir, "Bearer GWCOMPLET", "", corr, ""},
		{ir, "Bearer GWDEMO", "FCTOKEN", corr, "BACASABLE-DEMO"},
		{ir, "Bearer GWCOMPLET", "Bearer FCTOKEN", corr, "BACASABLE-COMPLET"},
		{ir, "Bearer GWDEMO", "inconnu", corr, "BACASABLE-DEMO"},
		{ir, "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{spi + "/dernieresituation/ir/assiettes/deuxans", "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{"/dernieresituation/ir/assiettes/annrev/2025", "Bearer GWCOMPLET", "FCTOKEN", corr, "BACASABLE-COMPLET"},
		{spi + "/situations/ir/assiettes/multiple/annrev/2025", "Bearer GWCOMPLET", "", corr, "BACASABLE-COMPLET"},
		{spi + "/situations/ir/factures/annrev/2024", "Bearer GWCOMPLET", "", corr, "BACASABLE-COMPLET"},
		{"/spi/3999999821153/situations/ifiisf/assiettes/annrev/2025", "Bearer GWCOMPLET", "", corr, "BACASABLE-COMPLET"},
		{spi + "/lep/departement/75/annrev/2025/bareme/2025", "Bearer GWBANQUE", "", corr, "BACASABLE-LEP"},
		{spi + "/lep/departement/2A/annrev/2024/bareme/2025", "Bearer GWBANQUE", "", corr, ""},
		{"/spi/3999999840172" + ir, "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{"/spi/3999999999999" + ir, "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{"/spi/12345" + ir, "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{spi + "/situations/ir/assiettes/annrev/20x5", "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{spi + "/situations/ir/assiettes/annrev/1900", "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{spi + ir, "Bearer GWDEMO", "", "1234", "BACASABLE-DEMO"},
		{spi + ir, "Bearer GWDEMO", "", "", "BACASABLE-DEMO"},
		{spi + ir, "Bearer GWDEMO", "", corr, "BACASABLE-QUOTA"},
		{spi + ir, "Bearer GWDEMO", "", corr, "BACASABLE-COMPLET"},
		{spi + ir, "Bearer GWBANQUE", "", corr, "BACASABLE-LEP"},
		{spi + ir, "Bearer inconnu", "", corr, ""},
		{spi + ir, "Basic GWDEMO", "", corr, ""},
		{spi + ir, "", "", corr, ""},
		{spi + ir + "?champs=rfr", "Bearer GWDEMO", "", corr, "BACASABLE-DEMO"},
		{"/situations/ir/nothing", "Bearer GWDEMO", "", corr, ""},
		{"/spi/%zz" + ir, "Bearer GWDEMO", "", corr, ""},
		{"/openapi.yaml", "", "", "", ""},
		{"", "", "", "", ""},
	} {
		f.Add(false, c.path, c.auth, c.fc, c.corr, c.tele)
	}
	f.Add(true, spi+ir, "Bearer GWDEMO", "", corr, "BACASABLE-DEMO")
	s := fuzzSandbox(f)
	tokens := strings.NewReplacer(
		"GWDEMO", s.DemoToken(),
		"GWCOMPLET", s.CompletToken(),
		"GWBANQUE", s.GatewayToken("bacasable-banque", "bacasable-banque-secret", "RessourceLEP"),
		"FCTOKEN", s.FCToken("test", "openid identite_pivot dgfip_rfr dgfip_nbpart dgfip_sitfam dgfip_pac dgfip_aft"),
	)
	f.Fuzz(func(t *testing.T, post bool, path, authorization, fc, correlation, teleservice string) {
		fuzztest.Sendable(t, path, authorization, fc, correlation, teleservice)
		h := http.Header{}
		for k, v := range map[string]string{"Authorization": authorization, "X-FranceConnect-OAuth": fc,
			"X-Correlation-ID": correlation, "ID_Teleservice": teleservice} {
			if v != "" {
				h.Set(k, tokens.Replace(v))
			}
		}
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path // under the API's base path, not next to it
		}
		req, rec := fuzzServe(s, method, impotparticulier.BasePath+path, "", h)
		fuzzNoLeak(t, rec, path, authorization, fc, correlation, teleservice)
		switch {
		case strings.HasSuffix(req.URL.Path, "/openapi.yaml") && rec.Code == http.StatusOK:
			return
		case rec.Code == http.StatusMovedPermanently && rec.Header().Get("Location") != "":
			return // the router's redirect to the cleaned path ("/a/../b")
		}
		if rec.Code >= 500 && !scenarioAnswer(s) {
			t.Fatalf("answered %d, and no scenario asked for it: %s", rec.Code, rec.Body)
		}
		if rec.Code == http.StatusNoContent {
			return
		}
		var got map[string]any
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("answered %d, not JSON (%v): %s", rec.Code, err, rec.Body)
		}
		if rec.Code >= 400 {
			e, _ := got["erreur"].(map[string]any)
			code, _ := e["code"].(json.Number)
			n, err := code.Int64()
			msg, _ := e["message"].(string)
			_, fault := got["fault"]
			switch {
			case fault && scenarioAnswer(s):
			case err != nil || msg == "" || e["horodatage"] == nil:
				t.Fatalf("the error %d is not the DGFiP envelope: %s", rec.Code, rec.Body)
			case int(n)/10 != rec.Code:
				t.Fatalf("the error %d carries code %d: %s", rec.Code, n, rec.Body)
			}
		}
		if post || rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), `"code":4040`) {
			return // the contract has no route to check the answer against
		}
		if err := s.SB.ImpotParticulier.CheckResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			t.Fatalf("the answer %d breaks the contract: %v\n%s", rec.Code, err, rec.Body)
		}
	})
}

// FuzzLoadHabilitations loads habilitations.yaml from arbitrary bytes: an
// error names the file; habilitations loaded are found by their
// ID_Teleservice, under their client.
func FuzzLoadHabilitations(f *testing.F) {
	data, err := fixtures.FS().Open(impotparticulier.HabilitationsFile)
	if err != nil {
		f.Fatal(err)
	}
	fixture, _ := io.ReadAll(data)
	data.Close()
	f.Add(fixture)
	f.Add([]byte("clients:\n  - client_id: c\n    client_secret: s\n    habilitations:\n      - id_teleservice: T\n        libelle: L\n" +
		"        modalites: [with_spi]\n        ressources: [lep]\n        donnees: [statut]\n        annees: [n_moins_1]\n        quota_par_minute: 5\n"))
	f.Add([]byte("clients:\n  - client_id: c\n    client_secret: s\n    habilitations:\n      - {id_teleservice: T, modalites: [avec_spi], ressources: [x], donnees: [inconnue], annees: [n_moins_9], quota_par_minute: -1}\n"))
	f.Add([]byte("clients:\n  - client_id: c\n    client_secret: s\n    habilitations: []\n  - client_id: c\n"))
	f.Add([]byte("clients: {}\n"))
	f.Add([]byte("clients:\n  - habilitations: [{quota_par_minute: 99999999999999999999}]\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 10<<10 {
			t.Skip()
		}
		hs, err := impotparticulier.LoadHabilitations(fstest.MapFS{impotparticulier.HabilitationsFile: {Data: data}})
		if err != nil {
			if !strings.Contains(err.Error(), impotparticulier.HabilitationsFile) {
				t.Fatalf("the error does not name %s: %v", impotparticulier.HabilitationsFile, err)
			}
			return
		}
		for _, c := range hs.Clients() {
			if got, ok := hs.Client(c.ID); !ok || got != c {
				t.Fatalf("client %q not found by its id", c.ID)
			}
			for _, h := range c.Habilitations {
				if got, owner, ok := hs.Teleservice(h.IDTeleservice); !ok || got != h || owner != c {
					t.Fatalf("habilitation %q not found under client %q", h.IDTeleservice, c.ID)
				}
			}
		}
	})
}

// An empty item in a client's habilitations ("-" alone) panicked the
// loader, and so the start with --fixtures, instead of naming the line
// (found by FuzzLoadHabilitations,
// testdata/fuzz/FuzzLoadHabilitations/3dffc5c1d60477a4).
func TestLoadHabilitationsEmptyItem(t *testing.T) {
	for _, data := range []string{
		"clients:\n  - client_id: c\n    client_secret: s\n    habilitations:\n      -\n",
		"clients:\n  - client_id: c\n    client_secret: s\n    habilitations: [null, ~]\n",
	} {
		_, err := impotparticulier.LoadHabilitations(fstest.MapFS{impotparticulier.HabilitationsFile: {Data: []byte(data)}})
		if err == nil || !strings.Contains(err.Error(), impotparticulier.HabilitationsFile+":5") && !strings.Contains(err.Error(), impotparticulier.HabilitationsFile+":4") {
			t.Errorf("%q: %v, want an error naming the line", data, err)
		}
	}
}
