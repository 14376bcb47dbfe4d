package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// activeBanner is the banner that says what changes the sandbox's
// behaviour, on the console's, FranceConnect's and Démoville's pages.
const activeBanner = `[data-testid="bandeau-actif"]`

// TestScenarioBannerAppearsAndClears: a scenario activated in the
// console, for the whole sandbox until removed, is confirmed in its card;
// activated again, it is not made twice. From then on the console,
// FranceConnect's and Démoville's pages say it, and so they say a moved
// clock; Démoville's banner leads to the console, whose « Tout
// désactiver » clears both in one click; then no page shows the banner.
func TestScenarioBannerAppearsAndClears(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	requireConsole(t, sb)
	s := openTab(t, sb)

	card := `[data-scenario-card="dgfip-indisponible"]`
	s.open("/_bacasable/#vue-scenarios", card+` button[data-scenario]`)
	s.step("the banner is hidden at start", chromedp.WaitNotVisible(chromedp.CSS(activeBanner)))
	s.activateGlobally(card)
	confirmation := card + ` [data-confirmation] p[data-activation]`
	s.step("wait for the confirmation in the card", chromedp.WaitVisible(chromedp.CSS(confirmation)))
	contains(t, "the card's confirmation", s.text(card+` [data-confirmation]`), "Activé pour tout le bac à sable, jusqu'au retrait")
	s.step("wait for the banner", chromedp.WaitVisible(chromedp.CSS(activeBanner)))
	contains(t, "the console's banner", s.text(activeBanner), "Service DGFiP indisponible", "pour tout le bac à sable", "Tout désactiver")

	// A second activation of the same: said, not made.
	s.activateGlobally(card)
	s.step("wait for « Déjà activé »", chromedp.Poll[chromedp.Void](
		`document.querySelector('`+card+` [data-confirmation]').textContent.includes('Déjà activé')`, chromedp.WithPollingTimeout(20*time.Second)))
	if n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#activations-lignes tr').length`)); err != nil || n != 1 {
		t.Errorf("%d activations in force after two clicks (%v), want 1", n, err)
	}

	// The clock moved a day: the banner says that too.
	s.click("open the clock", "#onglet-horloge", `[data-avance="24h"]`)
	s.step("advance the clock a day", chromedp.Click(chromedp.CSS(`[data-avance="24h"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('`+activeBanner+`').textContent.includes('horloge figée')`, chromedp.WithPollingTimeout(20*time.Second)))

	for _, page := range []struct{ name, path, ready string }{
		{"FranceConnect's choice of provider", "/demoville/cantine/connexion", fcChoose},
		{"Démoville's home", "/demoville/", demovilleHome},
	} {
		s.open(page.path, page.ready)
		text := s.text(activeBanner)
		contains(t, page.name+"'s banner", text, "Service DGFiP indisponible", "pour tout le bac à sable", "horloge figée", "Tout désactiver dans la console")
		if !s.inLandmark(activeBanner) {
			t.Errorf("%s: the banner is outside every landmark", page.name)
		}
	}

	// From Démoville to the console, then one click.
	s.click("follow the banner to the console", activeBanner+` a[href$="/_bacasable/#vue-scenarios"]`, `#bandeau-tout-desactiver`)
	s.step("clear everything", chromedp.Click(chromedp.CSS(`#bandeau-tout-desactiver`)), chromedp.WaitNotVisible(chromedp.CSS(activeBanner)))
	if n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#activations-lignes tr').length`)); err != nil || n != 0 {
		t.Errorf("%d activations in force after « Tout désactiver » (%v)", n, err)
	}
	if now := sb.Clock.Now(); !now.Equal(sandboxtest.AfterTaxation) {
		t.Errorf("after « Tout désactiver » the clock reads %v, want its start %v", now, sandboxtest.AfterTaxation)
	}
	for _, page := range []struct{ name, path, ready string }{
		{"FranceConnect's choice of provider", "/demoville/cantine/connexion", fcChoose},
		{"Démoville's home", "/demoville/", demovilleHome},
	} {
		s.open(page.path, page.ready)
		if n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+activeBanner+`').length`)); err != nil || n != 0 {
			t.Errorf("%s still shows the banner after « Tout désactiver » (%v)", page.name, err)
		}
	}
}

// activateGlobally opens the activation form of the scenario card and
// activates it for the whole sandbox, until removed.
func (s *session) activateGlobally(card string) {
	s.t.Helper()
	s.click("open the activation form", card+` button[data-scenario]`, card+` #activation-formulaire`)
	s.step("choose the whole sandbox, until removed, and activate",
		chromedp.Click(chromedp.CSS(`#portee-global`)), chromedp.Click(chromedp.CSS(`#duree-retrait`)),
		chromedp.Click(chromedp.CSS(`#activation-valider`)))
}

// inLandmark tells whether the element sel is inside a landmark (axe's
// rule « region »).
func (s *session) inLandmark(sel string) bool {
	s.t.Helper()
	in, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`!!document.querySelector('`+sel+`').closest('header, nav, main, aside, footer, [role=region], [role=banner], [role=complementary], [role=contentinfo], [role=navigation], [role=main]')`))
	if err != nil {
		s.t.Fatalf("looking for %s's landmark: %v", sel, err)
	}
	return in
}
