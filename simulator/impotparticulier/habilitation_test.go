package impotparticulier_test

import (
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestTeleserviceOptional: ID_Teleservice is optional, as in the published
// contract. Without it a client with one habilitation is answered under
// that one (its data, its quota); a client with several gets 400/4000
// naming them, and which open the resource.
func TestTeleserviceOptional(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	angela := "/spi/" + sandboxtest.AngelaSPI

	// bacasable-complet has one habilitation: BACASABLE-COMPLET's data.
	a := s.Call(sandboxtest.APICall{Path: angela + "/situations/ir/assiettes/annrev/2025", Gateway: s.CompletToken()})
	if a.Status != 200 || a.JSON["revImposable"] == nil {
		t.Errorf("single habilitation, no ID_Teleservice: %d %s", a.Status, a.Raw)
	}
	// bacasable-banque has one habilitation, for the LEP.
	lep := s.GatewayToken("bacasable-banque", "bacasable-banque-secret", "RessourceLEP")
	if a := s.Call(sandboxtest.APICall{Path: angela + "/lep/departement/33/annrev/2025/bareme/2026", Gateway: lep}); a.Status != 200 || a.JSON["statut"] == nil {
		t.Errorf("LEP, no ID_Teleservice: %d %s", a.Status, a.Raw)
	}

	// bacasable-demo has two: BACASABLE-DEMO and BACASABLE-QUOTA.
	a = s.Call(sandboxtest.APICall{Path: angela + "/situations/ir/assiettes/annrev/2025", Gateway: s.DemoToken()})
	code, msg := a.Erreur()
	if a.Status != 400 || code != 4000 {
		t.Fatalf("two habilitations, no ID_Teleservice: %d %s", a.Status, a.Raw)
	}
	for _, want := range []string{"ID_Teleservice absent", "bacasable-demo", "BACASABLE-DEMO, BACASABLE-QUOTA"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// An empty header is an absent one; an unknown one stays 403/4031.
	a = s.Call(sandboxtest.APICall{Path: angela + "/situations/ir/assiettes/annrev/2025", Gateway: s.CompletToken(), Teleservice: "INCONNU"})
	if code, _ := a.Erreur(); a.Status != 403 || code != 4031 {
		t.Errorf("unknown ID_Teleservice: %d %s", a.Status, a.Raw)
	}
}
