package browsertest

import (
	"strings"
	"testing"
)

// TestBackAfterResultHasAWayOut: Back after Démoville's result leads to
// FranceConnect's page for a finished login (Y190001), as on the real
// platform, which cannot say which service to go back to; the sandbox's
// page offers a way back to Démoville.
func TestBackAfterResultHasAWayOut(t *testing.T) {
	s := newSession(t)
	s.startFranceConnect("cantine")
	s.choosePersona("dubois", "test")
	consentPage := s.location()
	s.consent("#tarif")

	// Back returns to the consent page's address, whose login is over.
	// (chromedp cannot read a page Chromium restores from its back-forward
	// cache: the address is loaded as Back does without that cache.)
	s.open(strings.TrimPrefix(consentPage, s.sb.URL), `[data-testid="error-section"]`)
	contains(t, "the page after Back", s.text("main"), "Y190001", "Revenir sur Démoville")
	s.click("leave by « Revenir sur Démoville »", `[data-testid="sandbox-way-out"] a[href$="/demoville/"]`, demovilleHome)
	if loc := s.location(); !strings.HasSuffix(loc, "/demoville/") {
		t.Errorf("the way out leads to %s, want Démoville's home", loc)
	}
}
