package browsertest

import (
	"testing"
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
// Démoville's pages, and FranceConnect's choice, login, consent, error
// and logout pages.
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
		s.click("consent", fcConsentAccept, "#tarif")
		at("demoville/cantine/resultat")
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
