package impotparticulier_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

var update = flag.Bool("update", false, "rewrite testdata/answers.golden from the current answers")

// goldenFile holds one line per API request of TestAnswersGolden: the
// request, its status, Content-Type and the SHA-256 of its body. Hashes
// keep the file small (a few hundred KB instead of several MB of JSON);
// a failure prints the body answered now.
const goldenFile = "testdata/answers.golden"

// TestAnswersGolden: every resource × mode × year for every household of
// the fixtures, under a habilitation with every field and one with a few,
// and in FranceConnect mode under three consent sets, answers what it
// answered when the file was written (go test -run AnswersGolden -update
// rewrites it; review the diff of the answers before committing one).
// Each request is sent twice: the second answer comes from the cache of
// answers and must be the first's.
func TestAnswersGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("several thousand requests")
	}
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.Fixtures = noQuota(t) })
	complet := s.CompletToken()
	demo := s.DemoToken()
	banque := s.GatewayToken("bacasable-banque", "bacasable-banque-secret", "RessourceLEP")

	years := []string{"2021", "2022", "2023", "2024", "2025", "2026"}
	resources := func(prefix string) []string {
		out := []string{prefix + "dernieresituation/ir/assiettes/deuxans"}
		for _, y := range years {
			out = append(out, prefix+"situations/ir/assiettes/annrev/"+y, prefix+"dernieresituation/ir/assiettes/annrev/"+y,
				prefix+"situations/ir/assiettes/multiple/annrev/"+y, prefix+"situations/ir/factures/annrev/"+y,
				prefix+"situations/ifiisf/assiettes/annrev/"+y)
		}
		return out
	}
	var lines []string
	call := func(label string, c sandboxtest.APICall) {
		a := s.Call(c)
		// The same call again: its answer now comes from the API's cache
		// of answers, and must be the same.
		if again := s.Call(c); again.Status != a.Status || again.Raw != a.Raw {
			t.Errorf("%s %s: asked again, %d %s; first %d %s", label, c.Path, again.Status, again.Raw, a.Status, a.Raw)
		}
		sum := sha256.Sum256([]byte(a.Raw))
		line := fmt.Sprintf("%s %s %d %s %s", label, c.Path, a.Status, a.Header.Get("Content-Type"), hex.EncodeToString(sum[:12]))
		lines = append(lines, line)
		if !*update {
			if want, ok := golden[label+" "+c.Path]; ok && want != line {
				t.Errorf("%s %s changed:\n got %s\nwant %s\nbody now: %s", label, c.Path, line, want, a.Raw)
			}
		}
	}
	if !*update {
		golden = readGolden(t)
	}

	seen := map[string]bool{}
	for _, p := range s.SB.Population.Personas() {
		if p.SPI == "" || seen[p.SPI] {
			continue
		}
		seen[p.SPI] = true
		for _, path := range resources("/spi/" + p.SPI + "/") {
			call("spi complet", sandboxtest.APICall{Path: path, Gateway: complet, Teleservice: "BACASABLE-COMPLET"})
			if !strings.Contains(path, "multiple") && !strings.Contains(path, "factures") && !strings.Contains(path, "ifiisf") {
				call("spi demo", sandboxtest.APICall{Path: path, Gateway: demo, Teleservice: "BACASABLE-DEMO"})
			}
		}
		for _, dept := range []string{"75", "974"} {
			for _, bareme := range []string{"2025", "2027"} {
				call("spi lep", sandboxtest.APICall{Path: "/spi/" + p.SPI + "/lep/departement/" + dept + "/annrev/2025/bareme/" + bareme,
					Gateway: banque, Teleservice: "BACASABLE-LEP"})
			}
		}
	}

	consents := map[string]string{
		"all":     strings.Join(dgfipScopes(t, s.URL), " "),
		"few":     "dgfip_rfr dgfip_nbpart dgfip_pac_nbPac dgfip_RevDecl_Cat1_Tspr dgfip_RevNets_Cat2_Rcm dgfip_annee_n_moins_1",
		"decl":    "dgfip_decl dgfip_aft dgfip_RevDecl_Cat4_Ref dgfip_annee_n_moins_2 dgfip_annee_n_moins_3",
		"nothing": "dgfip_locaux_th",
	}
	others := 0
	for _, p := range s.SB.Population.Personas() {
		if p.Login == "" || strings.HasPrefix(p.Scenario, "rnipp-") || strings.HasPrefix(p.Scenario, "franceconnect-") || p.Scenario == "usager-annule" {
			continue // a login that does not end with a token
		}
		if p.SPI == "" { // every declarant, and one in four of the others for their errors
			if others++; others%4 != 1 {
				continue
			}
		}
		for _, name := range []string{"all", "few", "decl", "nothing"} {
			fc := s.FCToken(p.Login, "openid identite_pivot "+consents[name])
			for _, path := range resources("/") {
				call("fc "+name+" "+p.Login, sandboxtest.APICall{Path: path, Gateway: complet, FC: fc, Teleservice: "BACASABLE-COMPLET"})
			}
		}
	}
	if len(lines) < 3000 {
		t.Fatalf("only %d requests", len(lines))
	}
	if *update {
		if err := os.WriteFile(goldenFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if len(lines) != len(golden) {
		t.Errorf("%d requests, the golden file has %d: go test -run AnswersGolden -update, and review the diff", len(lines), len(golden))
	}
	ok := 0
	for _, l := range lines {
		if strings.Contains(l, " 200 ") {
			ok++
		}
	}
	if ok < 1000 {
		t.Errorf("only %d answers with data among %d requests", ok, len(lines))
	}
}

// golden is the golden file by request ("label path").
var golden map[string]string

func readGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatalf("%v: go test -run AnswersGolden -update writes it", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		i := slices.IndexFunc(fields, func(f string) bool { return strings.HasPrefix(f, "/") })
		if i < 0 {
			t.Fatalf("%s: bad line %q", goldenFile, sc.Text())
		}
		out[strings.Join(fields[:i+1], " ")] = sc.Text()
	}
	return out
}

// noQuota is the embedded fixtures with every habilitation's quota out of
// the test's reach (the frozen clock never starts a new minute).
func noQuota(t *testing.T) fstest.MapFS {
	fsys := sandboxtest.UnlimitedQuota(t)
	hab := fsys["habilitations.yaml"]
	hab.Data = regexp.MustCompile(`quota_par_minute: \d+`).ReplaceAll(hab.Data, []byte("quota_par_minute: 1000000000"))
	return fsys
}

// dgfipScopes reads the DGFiP's scopes from FranceConnect's discovery.
func dgfipScopes(t *testing.T, base string) []string {
	resp, err := http.Get(base + "/api/v2/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Scopes []string `json:"scopes_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range d.Scopes {
		if strings.HasPrefix(s, "dgfip_") {
			out = append(out, s)
		}
	}
	if len(out) < 40 {
		t.Fatalf("discovery lists %d DGFiP scopes", len(out))
	}
	return out
}
