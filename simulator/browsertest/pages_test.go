package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// The widths every page must fit: the narrowest phone WCAG's reflow
// criterion names (320 CSS px), a common phone, a common laptop.
var widths = []int64{320, 390, 1366}

// stop is a page opened by its address, and the element that tells it has
// loaded.
type stop struct {
	name  string // « accueil », « demoville/cantine »…
	path  string
	ready string
}

// journey is a way through some pages of the sandbox, as a person would
// go; at is called on each page once it has loaded.
type journey struct {
	name string
	walk func(s *session, at func(name string))
}

// journeys are, between them, every page a person sees: the home page,
// Démoville's pages, FranceConnect's choice, login, consent, error and
// logout pages, the console's sections with a persona's card, the
// activation form and a journal entry's detail open, and the banner of an
// active scenario on the console, FranceConnect and Démoville.
var journeys = []journey{
	{"pages without a login", func(s *session, at func(string)) {
		for _, st := range []stop{
			{"accueil", "/", `main a[href$="/demoville/"]`},
			{"demoville/accueil", "/demoville/", demovilleHome},
			{"demoville/cantine", "/demoville/cantine", servicePage("cantine")},
			{"demoville/stationnement", "/demoville/stationnement", servicePage("stationnement")},
			{"demoville/compte", "/demoville/compte", `#identifiant`},
			{"demoville/introuvable", "/demoville/nulle-part", `main h1`},
			{"franceconnect/deconnexion", "/api/v2/session/end/success", `main h1`},
		} {
			s.open(st.path, st.ready)
			at(st.name)
		}
	}},
	{"canteen through FranceConnect", func(s *session, at func(string)) {
		s.open("/demoville/cantine/connexion", fcChoose)
		at("franceconnect/choix")
		s.click("choose the provider « Démonstration »", fcChoose, fcLogin)
		at("franceconnect/connexion")
		row := `[data-persona="test"]`
		s.click("choose the persona test", row+` button[type="submit"]`, fcConsentAccept)
		at("franceconnect/consentement")
		consentPage := s.location()
		s.click("consent", fcConsentAccept, "#tarif")
		at("demoville/cantine/resultat")
		// Back to the consent page's address: the login is over.
		s.open(strings.TrimPrefix(consentPage, s.sb.URL), `[data-testid="sandbox-way-out"]`)
		at("franceconnect/erreur-connexion-terminee")
	}},
	{"parking refused, impots.gouv.fr", func(s *session, at func(string)) {
		s.open("/demoville/stationnement/connexion", fcChoose)
		s.click("choose the provider « impots.gouv.fr »", `form[action$="/idp/impots"] button`, fcLogin)
		at("franceconnect/connexion-impots")
		s.choosePersona("bouzid", "nadia.bouzid")
		s.click("consent", fcConsentAccept, "#decision")
		at("demoville/stationnement/resultat")
	}},
	{"civil registry refusal", func(s *session, at func(string)) {
		s.open("/demoville/cantine/connexion", fcChoose)
		s.click("choose the provider « Démonstration »", fcChoose, fcLogin)
		s.choosePersonaTo("rnipp", "rnipp.inconnu", `[data-testid="error-section"]`)
		at("franceconnect/erreur")
		s.click("click « Revenir sur … »", `[data-testid="back-to-sp-link"]`, "#message")
		at("demoville/erreur-franceconnect")
	}},
	{"tax service down", func(s *session, at func(string)) {
		s.open("/demoville/cantine/connexion", fcChoose)
		s.click("choose the provider « Démonstration »", fcChoose, fcLogin)
		s.choosePersona("indisponible", "dgfip.indisponible")
		s.click("consent", fcConsentAccept, "#message")
		at("demoville/erreur-impots")
	}},
	{"console, and the banner of an active scenario", func(s *session, at func(string)) {
		// Requests for the journal: a gateway token and two API calls.
		gw := s.sb.DemoToken()
		s.sb.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
		s.sb.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO", Correlation: "pas-un-uuid"})
		row := `#personas-lignes tr[data-persona="test"]`
		s.open("/_bacasable/#vue-personas", row)
		at("console/personas")
		s.click("open test's card", row+` button[data-action="detail"]`, `#persona-detail[data-persona-detail="test"]:not([hidden])`)
		at("console/personas-fiche")
		card := `[data-scenario-card="dgfip-indisponible"]`
		s.click("open the scenarios", "#onglet-scenarios", card+` button[data-scenario]`)
		s.click("open the activation form", card+` button[data-scenario]`, card+` #activation-formulaire`)
		at("console/scenarios-activation")
		s.step("activate for the whole sandbox", chromedp.Click(chromedp.CSS(`#portee-global`)), chromedp.Click(chromedp.CSS(`#duree-retrait`)),
			chromedp.Click(chromedp.CSS(`#activation-valider`)), chromedp.WaitVisible(chromedp.CSS(`#bandeau-actif`)))
		at("console/scenarios-bandeau")
		s.click("open the clock", "#onglet-horloge", `[data-avance="24h"]`)
		at("console/horloge")
		s.click("open the journal", "#onglet-journal", `#journal-lignes tr[data-service="impotparticulier"][data-status="400"]`)
		s.click("open a violation's detail", `#journal-lignes tr[data-status="400"] button[data-action="detail"]`, `#journal-detail:not([hidden])`)
		at("console/journal-detail")
		s.click("open the qualification", "#onglet-qualification", "#qualification-evaluer")
		at("console/qualification")
		s.open("/demoville/cantine/connexion", `[data-testid="bandeau-actif"]`)
		at("franceconnect/choix-bandeau")
		s.open("/demoville/", `[data-testid="bandeau-actif"]`)
		at("demoville/accueil-bandeau")
	}},
	{"compte Démoville", func(s *session, at func(string)) {
		s.open("/demoville/compte", "#identifiant")
		s.typeIn("#identifiant", "moussa.ndiaye")
		s.typeIn("#mot_de_passe", "demoville")
		s.click("log in to the compte Démoville", `main form[action$="/compte/connexion"] button[type="submit"]`, `main form[action$="/cantine/compte"] button`)
		at("demoville/compte-connecte")
	}},
}

// tour walks every journey, each in a sandbox and a tab of its own, as a
// subtest of t.
func tour(t *testing.T, at func(t *testing.T, s *session, name string)) {
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			s := newSession(t)
			j.walk(s, func(name string) {
				s.t.Helper()
				at(t, s, name)
			})
		})
	}
}
