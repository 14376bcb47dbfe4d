package impotparticulier_test

import (
	"testing"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestLEPNoAnswer: the LEP resource answers 204 without a body when the
// household and its avis are known but the barème asked for is later than
// the clock's year (no ceilings yet); the other LEP outcomes stay.
func TestLEPNoAnswer(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil) // November 2026
	lep := s.GatewayToken("bacasable-banque", "bacasable-banque-secret", "RessourceLEP")
	call := func(spi, annrev, bareme string) sandboxtest.APIAnswer {
		return s.Call(sandboxtest.APICall{Path: "/spi/" + spi + "/lep/departement/33/annrev/" + annrev + "/bareme/" + bareme,
			Gateway: lep, Teleservice: "BACASABLE-LEP"})
	}
	a := call(sandboxtest.AngelaSPI, "2025", "2027")
	if a.Status != 204 || a.Raw != "" || a.Header.Get("Content-Type") != "" {
		t.Errorf("barème 2027 in 2026: %d %q (Content-Type %q)", a.Status, a.Raw, a.Header.Get("Content-Type"))
	}
	if a := call(sandboxtest.AngelaSPI, "2025", "2026"); a.Status != 200 || a.JSON["statut"] != "O" {
		t.Errorf("barème 2026: %d %s", a.Status, a.Raw)
	}
	// Unknown SPI and a year without avis are still 410, whatever the barème.
	if a := call(unknownSPI, "2025", "2027"); a.Status != 410 {
		t.Errorf("unknown SPI: %d %s", a.Status, a.Raw)
	} else if code, _ := a.Erreur(); code != 4102 {
		t.Errorf("unknown SPI: code %d", code)
	}
	if a := call(yanisSPI, "2024", "2027"); a.Status != 410 {
		t.Errorf("no avis that year: %d %s", a.Status, a.Raw)
	} else if code, _ := a.Erreur(); code != 4101 {
		t.Errorf("no avis that year: code %d", code)
	}
}
