package impotparticulier_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/population"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// allDGFiPScopes are every dgfip_* data scope (no year scope: all years).
const allDGFiPScopes = "openid identite_pivot dgfip_rfr dgfip_nbpart dgfip_sitfam dgfip_nbpac dgfip_pac dgfip_pariso dgfip_aft " +
	"dgfip_decl dgfip_inddeficit dgfip_mntRevbareme dgfip_indiIFI dgfip_RevDecl_Cat1_Tspr dgfip_RevNets_Cat2_Rcm"

// TestEveryAnswerMatchesTheContract calls every resource, for every year
// and both modes, for every declarant of every fixture household, with the
// complete habilitation; the harness validates each answer against the
// contract in strict mode and fails the test on any violation.
func TestEveryAnswerMatchesTheContract(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.CompletToken()
	lep := s.GatewayToken("bacasable-banque", "bacasable-banque-secret", "RessourceLEP")
	resources := []string{"/situations/ir/assiettes/annrev/%d", "/dernieresituation/ir/assiettes/annrev/%d",
		"/situations/ir/assiettes/multiple/annrev/%d", "/situations/ir/factures/annrev/%d", "/situations/ifiisf/assiettes/annrev/%d"}
	statuses := map[int]int{}
	seen := map[string]bool{}
	for _, f := range s.SB.Population.Foyers() {
		for _, d := range []string{f.Declarant1.ID, idOf(f.Declarant2)} {
			if d == "" || seen[d] {
				continue
			}
			seen[d] = true
			s.Clock.Advance(time.Minute) // a fresh quota minute per declarant; the FC token lives 60 s
			p, _ := s.SB.Population.ByID(d)
			fc := s.FCToken(p.Login, allDGFiPScopes)
			for year := 2022; year <= 2026; year++ {
				for _, r := range resources {
					path := strings.Replace(r, "%d", strconv.Itoa(year), 1)
					a := s.Call(sandboxtest.APICall{Path: "/spi/" + p.SPI + path, Gateway: gw, Teleservice: "BACASABLE-COMPLET"})
					statuses[a.Status]++
					b := s.Call(sandboxtest.APICall{Path: path, Gateway: gw, FC: fc, Teleservice: "BACASABLE-COMPLET"})
					if b.Status != a.Status {
						t.Errorf("%s %s: SPI mode %d, FranceConnect mode %d (%s)", p.Login, path, a.Status, b.Status, b.Raw)
					}
				}
			}
			for _, path := range []string{"/dernieresituation/ir/assiettes/deuxans"} {
				statuses[s.Call(sandboxtest.APICall{Path: "/spi/" + p.SPI + path, Gateway: gw, Teleservice: "BACASABLE-COMPLET"}).Status]++
				statuses[s.Call(sandboxtest.APICall{Path: path, Gateway: gw, FC: fc, Teleservice: "BACASABLE-COMPLET"}).Status]++
			}
			a := s.Call(sandboxtest.APICall{Path: "/spi/" + p.SPI + "/lep/departement/75/annrev/2025/bareme/2025", Gateway: lep, Teleservice: "BACASABLE-LEP"})
			statuses[a.Status]++
		}
	}
	if len(seen) < 25 {
		t.Errorf("only %d declarants swept", len(seen))
	}
	// The sweep must have met answers and errors alike, or it checks little.
	for _, st := range []int{200, 410, 403} {
		if statuses[st] == 0 {
			t.Errorf("no answer with status %d in the sweep: %v", st, statuses)
		}
	}
	if statuses[429] > 0 || statuses[500] > 0 {
		t.Errorf("quota or server errors in the sweep: %v", statuses)
	}
	t.Logf("%d declarants, %d answers checked against the contract, statuses %v", len(seen), s.Checked(), statuses)
}

func idOf(p *population.Persona) string {
	if p == nil {
		return ""
	}
	return p.ID
}
