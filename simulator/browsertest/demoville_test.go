package browsertest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/journal"
)

// TestCantine: Angela DUBOIS (test / 123) logs in through FranceConnect's
// pages, sees the DGFiP data on the consent page, consents, and Démoville
// prices her canteen meal from her revenu fiscal de référence.
func TestCantine(t *testing.T) {
	s := newSession(t)
	s.startFranceConnect("cantine")
	s.choosePersona("dubois", "test")

	consent := s.consent("#tarif")
	contains(t, "the consent page", consent,
		"Vous allez vous connecter en tant que :", "Angela Claire Louise DUBOIS",
		"Compte Démonstration · Mairie de Démoville (commune fictive) demande à accéder à vos données.",
		"Informations récupérées depuis FranceConnect", "Date de naissance : 1962-08-24")
	contains(t, "the DGFiP's part of the consent page", dgfipPart(t, consent),
		"Revenu fiscal de référence", "Nombre de parts", "Situation de famille", "Nombre de personnes à charge")

	// rfr 41 220 €, 3 parts: QF = 41 220 / 12 / 3 = 1 145 € → tarif D, 3,90 €.
	contains(t, "the tariff", s.text("#tarif"),
		"Tarif D : 3,90 € par repas", "Votre quotient familial : 1 145 €", "41 220 € ÷ 12 ÷ 3 parts")
	contains(t, "the data used", s.text("#donnees"),
		"via FranceConnect", "Angela Claire Louise DUBOIS", "2025 (avis d'imposition 2026)", "marié(e)s")
	contains(t, "the header", s.text("header"), "Connecté(e) : Angela Claire Louise DUBOIS (via FranceConnect)")
	if u, _ := url.Parse(s.location()); u == nil || u.Path != "/demoville/cantine/resultat" {
		t.Errorf("ended on %s", s.location())
	}

	// The result is a page of its own: reloading it shows it again.
	s.step("reload the result", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#tarif")))
	contains(t, "the tariff, reloaded", s.text("#tarif"), "Tarif D : 3,90 € par repas")
}

// dgfipPart is what the consent page lists under the DGFiP's heading.
func dgfipPart(t *testing.T, consent string) string {
	t.Helper()
	const heading = "depuis Direction générale des Finances publiques"
	_, after, ok := strings.Cut(consent, heading)
	if !ok {
		t.Fatalf("the consent page lists no DGFiP data; it reads:\n%s", consent)
	}
	return after
}

// TestStationnementRefused: Nadia BOUZID's fiscal address is in Noisy-le-Grand,
// outside Démoville's zone: the parking card is refused, and the reason says
// where her address is.
func TestStationnementRefused(t *testing.T) {
	s := newSession(t)
	s.startFranceConnect("stationnement")
	s.choosePersona("bouzid", "nadia.bouzid")

	consent := s.consent("#decision")
	contains(t, "the consent page", consent, "Nadia Samira BOUZID")
	dgfip := dgfipPart(t, consent)
	contains(t, "the DGFiP's part of the consent page", dgfip, "Adresse déclarée au 1er Janvier")
	lacks(t, "the DGFiP's part of the consent page", dgfip, "Revenu fiscal de référence")
	decision := s.text("#decision")
	contains(t, "the decision", decision, "Carte refusée",
		"votre adresse fiscale au 1er janvier 2026 est à NOISY LE GRAND (93160), hors de la zone de stationnement résidentiel")
	lacks(t, "the decision", decision, "Carte accordée")
	contains(t, "the data used", s.text("#donnees"), "BAT 3 APT 93 10 RUE DU CENTRE 93160 NOISY LE GRAND")
}

// TestDGFiPUnavailable: the persona dgfip.indisponible carries the scenario
// dgfip-indisponible, under which the API answers 503 to every call.
// Démoville tells the citizen in words what to do, and shows no raw error.
func TestDGFiPUnavailable(t *testing.T) {
	s := newSession(t)
	s.startFranceConnect("cantine")
	s.choosePersona("indisponible", "dgfip.indisponible")
	s.consent("#message")

	contains(t, "the title", s.text("main h1"), "Le service des impôts ne répond pas")
	contains(t, "the message", s.text("#message"),
		"Le service des impôts ne répond pas pour le moment : nous n'avons pas pu obtenir vos informations fiscales.",
		"Réessayez plus tard, ou déposez votre avis d'imposition à l'accueil de la mairie.")
	// What a citizen sees: no status code, no JSON, no DGFiP wording. The
	// technical details stay folded for the support.
	visible := s.text("main")
	lacks(t, "the page", visible, "503", "5030", "{", "erreur", "Service temporairement indisponible", "X-Correlation-ID", "Tarif ")
	s.step("find the technical details folded", chromedp.WaitVisible(chromedp.CSS(`main details:not([open]) summary`)))

	// The error is a page of its own: reloading it (F5) shows it again,
	// rather than replaying the FranceConnect callback.
	if u, _ := url.Parse(s.location()); u == nil || u.Path != "/demoville/erreur" {
		t.Errorf("ended on %s", s.location())
	}
	s.step("reload the error page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#message")))
	contains(t, "the title, reloaded", s.text("main h1"), "Le service des impôts ne répond pas")

	// The API did answer 503: the degraded path is the scenario's, not a bug.
	var got []int
	for _, e := range s.sb.SB.Journal.Entries(journal.Filter{Service: "impotparticulier"}) {
		got = append(got, e.Status)
	}
	if len(got) == 0 || got[0] != 503 {
		t.Errorf("API answers %v, want 503", got)
	}
}

// TestLogout: after a login (here typed in the form, test / 123), « Se
// déconnecter » goes through FranceConnect's session/end and back to
// Démoville, which confirms both logouts.
func TestLogout(t *testing.T) {
	s := newSession(t)
	s.startFranceConnect("cantine")
	s.typeIn("#login", "test")
	s.typeIn("#password", "123")
	s.click("log in as test / 123", `form[action$="/login"] button[type="submit"]`, fcConsentAccept)
	s.consent("#tarif")
	contains(t, "the tariff", s.text("#tarif"), "Tarif D")

	s.click("click « Se déconnecter »", `header form[action$="/deconnexion"] button`, "#confirmation")
	contains(t, "the confirmation", s.text("#confirmation"), "Vous êtes déconnecté(e) de Démoville et de FranceConnect.")
	lacks(t, "the header", s.text("header"), "Connecté(e)", "Se déconnecter")

	// FranceConnect sent the browser back with the logout's state.
	u, err := url.Parse(s.location())
	if err != nil || u.Path != "/demoville/" || len(u.Query().Get("state")) < 32 {
		t.Errorf("ended on %s", s.location())
	}
	var ends []journal.Entry
	for _, e := range s.sb.SB.Journal.Entries(journal.Filter{Service: "franceconnect"}) {
		if e.Path == "/api/v2/session/end" {
			ends = append(ends, e)
		}
	}
	if len(ends) != 1 || ends[0].Status != 303 {
		t.Fatalf("session/end: %+v", ends)
	}
	q, _ := url.ParseQuery(ends[0].Query)
	if q.Get("id_token_hint") == "" || q.Get("post_logout_redirect_uri") != s.sb.URL+"/demoville/" || q.Get("state") != u.Query().Get("state") {
		t.Errorf("session/end?%s", ends[0].Query)
	}

	// The result went with the session.
	s.open("/demoville/cantine/resultat", servicePage("cantine"))
}

// TestCancel: the citizen leaves FranceConnect's choice of provider by
// « Revenir sur … »; Démoville says the login was cancelled.
func TestCancel(t *testing.T) {
	s := newSession(t)
	s.open("/demoville/cantine/connexion", fcChoose)
	s.click("click « Revenir sur … »", `main [data-testid="back-to-sp-link"]`, "#message")
	contains(t, "the title", s.text("main h1"), "Connexion annulée")
	contains(t, "the message", s.text("#message"), "Vous avez annulé la connexion avec FranceConnect.")
}

// TestCivilRegistryRefusal: the civil registry does not know Kevin INCONNU
// (persona rnipp.inconnu). FranceConnect shows its own error page, with its
// code and « Revenir sur … »; back on Démoville, the page tells a refusal
// by FranceConnect, not a cancel.
func TestCivilRegistryRefusal(t *testing.T) {
	s := newSession(t)
	s.startFranceConnect("cantine")
	s.choosePersonaTo("rnipp", "rnipp.inconnu", `[data-testid="error-section"]`)
	contains(t, "FranceConnect's error page", s.text("main"), "Une erreur s’est produite", "Erreur Y010008", "Revenir sur Mairie de Démoville (commune fictive)")
	s.click("click « Revenir sur … »", `[data-testid="back-to-sp-link"]`, "#message")
	contains(t, "the title", s.text("main h1"), "FranceConnect n'a pas pu vous connecter")
	lacks(t, "the message", s.text("#message"), "annulé")
	s.step("reload the error page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#message")))
	contains(t, "the title, reloaded", s.text("main h1"), "FranceConnect n'a pas pu vous connecter")
}
