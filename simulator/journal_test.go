package simulator_test

import (
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestJournalTimeline: one login's authorize, token and API call form one
// timeline; a contract violation and the reasons are recorded.
func TestJournalTimeline(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	fc := s.FCToken("test", "openid identite_pivot dgfip_rfr dgfip_nbpart")
	gw := s.DemoToken()
	if a := s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: gw, FC: fc, Teleservice: "BACASABLE-DEMO"}); a.Status != 200 {
		t.Fatalf("API: %d %s", a.Status, a.Raw)
	}
	s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO", Correlation: "pas-un-uuid"})

	all := s.SB.Journal.Entries(journal.Filter{})
	var login string
	for _, e := range all {
		if e.Service == "franceconnect" && strings.HasSuffix(e.Path, "/authorize") {
			login = e.Login
		}
	}
	if login == "" {
		t.Fatalf("no authorize entry with a login: %+v", all)
	}
	var steps []string
	for _, e := range s.SB.Journal.Entries(journal.Filter{Login: login}) {
		steps = append(steps, e.Service+" "+e.Path)
		if e.Persona != "test" && !strings.HasSuffix(e.Path, "/authorize") {
			t.Errorf("%s: persona %q", e.Path, e.Persona)
		}
	}
	want := []string{"franceconnect /api/v2/authorize", "franceconnect /api/v2/token", "impotparticulier /impotparticulier/1.0/situations/ir/assiettes/annrev/2025"}
	if strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline =\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
	api := s.SB.Journal.Entries(journal.Filter{Login: login, Service: "impotparticulier"})
	if len(api) != 1 || api[0].Client != "bacasable-demo" || !strings.Contains(strings.Join(api[0].Why, " "), "foyer dubois-perrin") {
		t.Errorf("API entry = %+v", api)
	}
	bad := s.SB.Journal.Entries(journal.Filter{OnlyViolation: true})
	if len(bad) != 1 || !strings.Contains(bad[0].Violations[0], "X-Correlation-ID") || bad[0].Status != 400 || bad[0].Error != "4000" {
		t.Errorf("violations = %+v", bad)
	}
	if h := bad[0].RequestHeader.Get("Authorization"); h != "Bearer …" {
		t.Errorf("the gateway token is recorded: %q", h)
	}
}
