package impotparticulier_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

const (
	danielleSPI = "3999999826158" // spouse died during N-1
	yanisSPI    = "3999999825157" // filed nothing for N-2
	charlesSPI  = "3999999821153" // IFI
	sandrineSPI = "3999999820152" // non-taxable, no IFI
	unknownSPI  = "3999999999999"
)

// TestErrorCatalogue: each error of the DGFiP catalogue, from a request or
// a fixture, in the envelope, with the message naming what was wrong.
func TestErrorCatalogue(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	demo, complet := s.DemoToken(), s.CompletToken()
	irOnly := s.GatewayToken("bacasable-demo", "bacasable-demo-secret", "RessourceIR")
	noScope := s.GatewayToken("bacasable-demo", "bacasable-demo-secret", "")
	fcAll := s.FCToken("test", "openid identite_pivot dgfip_rfr dgfip_nbpart dgfip_sitfam dgfip_aft")
	fcNoDGFiP := s.FCToken("test", "openid identite_pivot")
	fcYearN2 := s.FCToken("test", "openid dgfip_rfr dgfip_annee_n_moins_2")
	fcUnknown := s.FCToken("lucas.janssens", "openid dgfip_rfr")
	fcDependant := s.FCToken("hugo.bertin", "openid dgfip_rfr")
	spiPath := func(spi, rest string) string { return "/spi/" + spi + rest }
	ir := "/situations/ir/assiettes/annrev/"

	for _, tc := range []struct {
		name   string
		call   sandboxtest.APICall
		status int
		code   int
		inMsg  string
	}{
		{"no Authorization", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Teleservice: "BACASABLE-DEMO"}, 401, 4010, "Authorization absent"},
		{"unknown gateway token", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Gateway: "garbage", Teleservice: "BACASABLE-DEMO"}, 401, 4010, "inconnu"},
		{"X-Correlation-ID not a UUID", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Gateway: demo, Teleservice: "BACASABLE-DEMO", Correlation: "1234"}, 400, 4000, "X-Correlation-ID"},
		{"X-Correlation-ID missing", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Gateway: demo, Teleservice: "BACASABLE-DEMO", Correlation: "-"}, 400, 4000, "X-Correlation-ID"},
		{"ID_Teleservice missing, client with two habilitations", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Gateway: demo}, 400, 4000, "BACASABLE-DEMO, BACASABLE-QUOTA"},
		{"SPI not 13 digits", sandboxtest.APICall{Path: spiPath("12345", ir+"2025"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 400, 4001, "spi"},
		{"annrev not a year", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"20x5"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 400, 4002, "annrev"},
		{"département malformed", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, "/lep/departement/ZZZZ/annrev/2025/bareme/2025"), Gateway: s.GatewayToken("bacasable-banque", "bacasable-banque-secret", "RessourceLEP"), Teleservice: "BACASABLE-LEP"}, 400, 4007, "departement"},
		{"X-FranceConnect-OAuth missing", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 400, 4000, "X-FranceConnect-OAuth"},
		{"unknown path", sandboxtest.APICall{Path: "/situations/ir/nothing", Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 404, 4040, "aucune ressource"},
		{"the base path alone", sandboxtest.APICall{Path: "", Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 404, 4040, "aucune ressource"},
		{"token scope does not open the path", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, "/dernieresituation/ir/assiettes/annrev/2025"), Gateway: irOnly, Teleservice: "BACASABLE-DEMO"}, 403, 4031, "RessourceIRDerniere"},
		{"token with the default scope", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Gateway: noScope, Teleservice: "BACASABLE-DEMO"}, 403, 4031, "default"},
		{"ID_Teleservice of another client", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2025"), Gateway: demo, Teleservice: "BACASABLE-COMPLET"}, 403, 4031, "BACASABLE-COMPLET"},
		{"year outside the habilitation", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2023"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 403, 4031, "2023"},
		{"year not taxed yet", sandboxtest.APICall{Path: spiPath(sandboxtest.AngelaSPI, ir+"2026"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 410, 4101, "pas encore taxés"},
		{"SPI of nobody", sandboxtest.APICall{Path: spiPath(unknownSPI, ir+"2025"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 410, 4102, unknownSPI},
		{"no declaration that year", sandboxtest.APICall{Path: spiPath(yanisSPI, ir+"2024"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 410, 4101, "aucune déclaration"},
		{"two avis in a death year", sandboxtest.APICall{Path: spiPath(danielleSPI, ir+"2025"), Gateway: demo, Teleservice: "BACASABLE-DEMO"}, 410, 4101, "décès"},
		{"no IFI", sandboxtest.APICall{Path: spiPath(sandrineSPI, "/situations/ifiisf/assiettes/annrev/2025"), Gateway: complet, Teleservice: "BACASABLE-COMPLET"}, 410, 4101, "IFI"},
		{"FranceConnect token unknown", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, FC: "garbage", Teleservice: "BACASABLE-DEMO"}, 403, 4033, "inconnu ou expiré"},
		{"FranceConnect token without DGFiP scope", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, FC: fcNoDGFiP, Teleservice: "BACASABLE-DEMO"}, 403, 4033, "aucune donnée"},
		{"FranceConnect year not consented", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, FC: fcYearN2, Teleservice: "BACASABLE-DEMO"}, 403, 4033, "2024"},
		{"FranceConnect person unknown to the DGFiP", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, FC: fcUnknown, Teleservice: "BACASABLE-DEMO"}, 404, 4040, "aucun foyer"},
		{"FranceConnect dependant who is not a declarant", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, FC: fcDependant, Teleservice: "BACASABLE-DEMO"}, 404, 4040, "n'est pas déclarant"},
		{"FranceConnect mode, all good", sandboxtest.APICall{Path: ir + "2025", Gateway: demo, FC: fcAll, Teleservice: "BACASABLE-DEMO"}, 200, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.Call(tc.call)
			if a.Status != tc.status {
				t.Fatalf("status = %d, want %d; body %s", a.Status, tc.status, a.Raw)
			}
			if tc.code == 0 {
				return
			}
			code, msg := a.Erreur()
			if code != tc.code || !strings.Contains(msg, tc.inMsg) {
				t.Errorf("erreur = %d %q, want %d containing %q", code, msg, tc.code, tc.inMsg)
			}
			if a.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", a.Header.Get("Content-Type"))
			}
		})
	}
}

// TestFranceConnectTokenExpires: the FC access token lives 60 s; the API
// refuses it afterwards.
func TestFranceConnectTokenExpires(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.DemoToken()
	fc := s.FCToken("test", "openid identite_pivot dgfip_rfr")
	call := sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: gw, FC: fc, Teleservice: "BACASABLE-DEMO"}
	if a := s.Call(call); a.Status != 200 {
		t.Fatalf("fresh token: %d %s", a.Status, a.Raw)
	}
	s.Clock.Advance(61 * time.Second)
	if a := s.Call(call); a.Status != 403 {
		t.Fatalf("token after 61 s: %d %s", a.Status, a.Raw)
	} else if code, _ := a.Erreur(); code != 4033 {
		t.Errorf("code = %d", code)
	}
}

// TestQuota: the sixth call in a minute to BACASABLE-QUOTA is a 429 with
// Retry-After; the next minute opens again.
func TestQuota(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.DemoToken()
	call := sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-QUOTA"}
	for i := 1; i <= 5; i++ {
		if a := s.Call(call); a.Status != 200 {
			t.Fatalf("call %d: %d %s", i, a.Status, a.Raw)
		}
	}
	a := s.Call(call)
	if code, _ := a.Erreur(); a.Status != 429 || code != 4290 {
		t.Fatalf("sixth call: %d %s", a.Status, a.Raw)
	}
	wait, err := strconv.Atoi(a.Header.Get("Retry-After"))
	if err != nil || wait < 1 || wait > 61 {
		t.Errorf("Retry-After = %q", a.Header.Get("Retry-After"))
	}
	// Other ID_Teleservices have their own count.
	if b := s.Call(sandboxtest.APICall{Path: call.Path, Gateway: gw, Teleservice: "BACASABLE-DEMO"}); b.Status != 200 {
		t.Errorf("BACASABLE-DEMO: %d", b.Status)
	}
	s.Clock.Advance(time.Duration(wait) * time.Second)
	if a := s.Call(call); a.Status != 200 {
		t.Errorf("next minute: %d %s", a.Status, a.Raw)
	}
}

// TestDeathYear: dernière situation is the survivor's period; multiple has
// both periods.
func TestDeathYear(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.CompletToken()
	a := s.Call(sandboxtest.APICall{Path: "/spi/" + danielleSPI + "/dernieresituation/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-COMPLET"})
	if a.Status != 200 || a.JSON["sitFam"] != "V" {
		t.Errorf("dernière situation: %d %s", a.Status, a.Raw)
	}
	a = s.Call(sandboxtest.APICall{Path: "/spi/" + danielleSPI + "/situations/ir/assiettes/multiple/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-COMPLET"})
	periods, _ := a.JSON["situationsIR"].([]any)
	if a.Status != 200 || len(periods) != 2 {
		t.Fatalf("multiple: %d %s", a.Status, a.Raw)
	}
	first, second := periods[0].(map[string]any), periods[1].(map[string]any)
	if first["dateFinPeriode"] != "2025-04-17" || second["dateDebutPeriode"] != "2025-04-18" || first["dateDecesdec2"] != "2025-04-17" {
		t.Errorf("periods = %v / %v", first, second)
	}
}

// TestIFI: a household subject to IFI gets indicateurIfiIsf "O".
func TestIFI(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	a := s.Call(sandboxtest.APICall{Path: "/spi/" + charlesSPI + "/situations/ifiisf/assiettes/annrev/2025", Gateway: s.CompletToken(), Teleservice: "BACASABLE-COMPLET"})
	if a.Status != 200 || a.JSON["indicateurIfiIsf"] != "O" {
		t.Errorf("%d %s", a.Status, a.Raw)
	}
}

// TestGatewayTokenEndpoint covers /token's answers.
func TestGatewayTokenEndpoint(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	post := func(form url.Values, basic ...string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if len(basic) == 2 {
			req.SetBasicAuth(basic[0], basic[1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"RessourceIR RessourceIRDerniere"}}
	if st, body := post(cc, "bacasable-demo", "bacasable-demo-secret"); st != 200 || !strings.Contains(body, `"scope":"RessourceIR RessourceIRDerniere"`) || !strings.Contains(body, `"expires_in":3600`) {
		t.Errorf("Basic auth: %d %s", st, body)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"RessourceIR"}, "client_id": {"bacasable-demo"}, "client_secret": {"bacasable-demo-secret"}}
	if st, body := post(form); st != 200 {
		t.Errorf("form auth: %d %s", st, body)
	}
	form.Set("client_secret", "wrong")
	if st, body := post(form); st != 401 || !strings.Contains(body, "invalid_client") {
		t.Errorf("wrong secret: %d %s", st, body)
	}
	form.Set("client_secret", "bacasable-demo-secret")
	form.Set("scope", "RessourceIFI")
	if st, body := post(form); st != 400 || !strings.Contains(body, "invalid_scope") {
		t.Errorf("scope outside the habilitations: %d %s", st, body)
	}
	form.Set("scope", "RessourceIR")
	form.Set("grant_type", "password")
	if st, body := post(form); st != 400 || !strings.Contains(body, "unsupported_grant_type") {
		t.Errorf("grant_type password: %d %s", st, body)
	}
}

// TestHabilitationRules: a habilitation opens only its modalities and
// resources, even when the client's token has the scope through another.
func TestHabilitationRules(t *testing.T) {
	fsys := copyFixtures(t)
	fsys["habilitations.yaml"] = &fstest.MapFile{Data: []byte(`clients:
  - client_id: two-uses
    client_secret: two-uses-secret
    name: "Deux cas d'usage"
    habilitations:
      - id_teleservice: SPI-IR
        libelle: "SPI, situations seulement"
        modalites: [with_spi]
        ressources: [situations]
        donnees: [rfr]
        annees: [n_moins_1]
        quota_par_minute: 50
      - id_teleservice: FC-DERNIERE
        libelle: "FranceConnect, dernière situation seulement"
        modalites: [with_france_connect]
        ressources: [derniere_situation]
        donnees: [rfr]
        annees: [n_moins_1]
        quota_par_minute: 50
`)}
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.Fixtures = fsys })
	gw := s.GatewayToken("two-uses", "two-uses-secret", "RessourceIR RessourceIRDerniere")
	fc := s.FCToken("test", "openid identite_pivot dgfip_rfr")
	for _, tc := range []struct {
		name   string
		call   sandboxtest.APICall
		status int
		inMsg  string
	}{
		{"SPI habilitation, SPI mode", sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "SPI-IR"}, 200, ""},
		{"SPI habilitation, FranceConnect mode", sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: gw, FC: fc, Teleservice: "SPI-IR"}, 403, "with_france_connect"},
		{"SPI habilitation, other resource", sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/dernieresituation/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "SPI-IR"}, 403, "derniere_situation"},
		{"FranceConnect habilitation, SPI mode", sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/dernieresituation/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "FC-DERNIERE"}, 403, "with_spi"},
		{"FranceConnect habilitation, FranceConnect mode", sandboxtest.APICall{Path: "/dernieresituation/ir/assiettes/annrev/2025", Gateway: gw, FC: fc, Teleservice: "FC-DERNIERE"}, 200, ""},
		{"no ID_Teleservice, two habilitations", sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw}, 400,
			"SPI-IR, FC-DERNIERE (celles qui ouvrent la ressource situations en modalité with_spi : SPI-IR)"},
		{"no ID_Teleservice, none fits", sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: gw, FC: fc}, 400,
			"aucune n'ouvre la ressource situations en modalité with_france_connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.Call(tc.call)
			if a.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.Status, tc.status, a.Raw)
			}
			if _, msg := a.Erreur(); tc.status != 200 && !strings.Contains(msg, tc.inMsg) {
				t.Errorf("message %q lacks %q", msg, tc.inMsg)
			}
			if tc.status == 200 && (len(a.JSON) < 1 || a.JSON["rfr"] == nil) {
				t.Errorf("answer = %s", a.Raw)
			}
		})
	}
}

// copyFixtures returns the embedded fixtures as a MapFS a test can edit.
func copyFixtures(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	if err := fs.WalkDir(fixtures.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fixtures.FS(), path)
		fsys[path] = &fstest.MapFile{Data: data}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return fsys
}
