package franceconnect

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// The interaction pages: choose an identity provider, log in, consent.
// Each page works without JavaScript; forms post back to the provider.

// liveInteraction finds the interaction of the URL or answers the error page.
func (p *Provider) liveInteraction(w http.ResponseWriter, r *http.Request) (interaction, bool) {
	journal.SetLogin(r.Context(), mux.Vars(r)["uid"])
	it, ok := p.store.interaction(mux.Vars(r)["uid"])
	if !ok {
		p.writeErrorPage(w, r, errInteractionNotFound().WithHint("cette connexion a expiré (au-delà de %s) ou est déjà terminée ; recommencez depuis le service", p.cfg.SessionTTL))
		return it, false
	}
	journal.SetClient(r.Context(), it.Req.Client.ID)
	if why := p.sameBrowser(r, it); why != "" {
		p.writeErrorPage(w, r, errInteractionNotFound().WithHint("%s", why))
		return it, false
	}
	return it, true
}

func (p *Provider) chooseProvider(w http.ResponseWriter, r *http.Request) {
	it, ok := p.liveInteraction(w, r)
	if !ok {
		return
	}
	// The level is checked here, on the provider choice page
	// (CoreAcrService.rejectInvalidAcr): fcp-low delivers eidas1 only.
	if it.Req.ACR != "eidas1" {
		p.store.finish(it.UID)
		p.redirectError(w, r, it.Req, errInvalidACR(it.Req.ACR).WithHint("acr_values demande « %s » : la plateforme fcp-low ne délivre que eidas1", it.Req.ACR))
		return
	}
	p.render(w, http.StatusOK, "choose.html", map[string]any{
		"Title": "Choisir un compte", "UID": it.UID, "Client": it.Req.Client, "Providers": identityProviders, "Base": p.basePath,
	})
}

// maxPersonaList bounds the login page's list (a generated population has
// 100 000 personas); the search narrows it.
const maxPersonaList = 200

// personaView is a persona as the login list shows it.
type personaView struct {
	*population.Persona
	Name string
	Age  int
}

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	it, ok := p.liveInteraction(w, r)
	if !ok {
		return
	}
	idp, ok := identityProvider(mux.Vars(r)["idp"])
	if !ok {
		p.writeErrorPage(w, r, errBadParameters().WithHint("fournisseur d'identité inconnu « %s »", echoed(mux.Vars(r)["idp"])))
		return
	}
	p.renderLogin(w, http.StatusOK, it, idp, r.URL.Query().Get("q"), "")
}

func (p *Provider) renderLogin(w http.ResponseWriter, status int, it interaction, idp *IdentityProvider, query, problem string) {
	now := p.cfg.Clock.Now()
	var list []personaView
	more := 0
	for _, persona := range p.cfg.People.Search(query) {
		if idp.BySPI && persona.SPI == "" {
			continue
		}
		if len(list) == maxPersonaList {
			more++
			continue
		}
		list = append(list, personaView{Persona: persona, Name: persona.DisplayName(), Age: persona.Age(now)})
	}
	p.render(w, status, "login.html", map[string]any{
		"Title": "Connexion — " + idp.Name, "UID": it.UID, "Client": it.Req.Client, "IdP": idp,
		"Personas": list, "More": more, "Query": query, "Problem": problem, "Base": p.basePath,
	})
}

// login checks the credentials typed or chosen on the login page.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	it, ok := p.liveInteraction(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		p.writeErrorPage(w, r, errBadParameters().WithHint("formulaire illisible : %v", err))
		return
	}
	idp, ok := identityProvider(r.PostForm.Get("idp"))
	if !ok {
		p.writeErrorPage(w, r, errBadParameters().WithHint("fournisseur d'identité inconnu « %s »", echoed(r.PostForm.Get("idp"))))
		return
	}
	login, password := r.PostForm.Get("login"), r.PostForm.Get("password")
	var persona *population.Persona
	if idp.BySPI {
		persona, ok = p.cfg.People.BySPI(login)
	} else {
		persona, ok = p.cfg.People.ByLogin(login)
	}
	if !ok || persona.Password != password {
		p.renderLogin(w, http.StatusUnauthorized, it, idp, "", "Identifiant ou mot de passe incorrect.")
		return
	}
	removed, ok := p.authenticate(w, r, it, persona, idp)
	if !ok {
		return
	}
	if !p.store.authenticate(it.UID, persona, idp, removed) {
		p.writeErrorPage(w, r, errInteractionNotFound().WithHint("cette connexion a expiré ou est déjà terminée"))
		return
	}
	http.Redirect(w, r, p.basePath+"/interaction/"+it.UID+"/consent", http.StatusSeeOther)
}

// authenticate records who logged in, then plays what FranceConnect does
// between the identity provider and the consent page: the civil registry
// (RNIPP) check, which a scenario may make fail. It reports whether the
// login goes on, with the claims the scenario takes out of the identity;
// otherwise the answer is written: the platform's error page with its
// « Revenir sur … » link, or, for a user who cancels, the redirect with
// access_denied, and the interaction is ended in the store (nothing to end
// for a login completed at once, which never enters it). The caller
// records the persona on the interaction.
func (p *Provider) authenticate(w http.ResponseWriter, r *http.Request, it interaction, persona *population.Persona, idp *IdentityProvider) (removed []string, ok bool) {
	journal.SetPersona(r.Context(), persona.Login)
	c, perr := p.pick(r, scenario.StepLogin, persona, it.Req.Client.ID)
	if perr != nil {
		p.store.finish(it.UID)
		p.writeErrorPage(w, r, perr)
		return nil, false
	}
	p.scenarios.Wait(r.Context(), c)
	if refusal := c.Refusal(); refusal != "" {
		p.store.finish(it.UID)
		if refusal == scenario.RefusAnnulation {
			p.redirectError(w, r, it.Req, errAccessDenied().WithHint("scénario « %s » : l'usager annule", c.Name()))
			return nil, false
		}
		e := rnippError(refusal).WithHint("scénario « %s » : %s", c.Name(), c.Why)
		p.writeErrorPageBack(w, r, e, p.backLink(it.Req, e))
		return nil, false
	}
	if eff := c.Failure(); eff != nil {
		p.store.finish(it.UID)
		if !p.scenarios.Cut(w, r, eff) {
			e := scenarioError(c.Name(), eff.Response)
			e.FCCode, e.Message = "Y000000", msgDefault
			p.writeErrorPageBack(w, r, e, p.backLink(it.Req, e))
		}
		return nil, false
	}
	return c.RemovedClaims(), true
}

// consentLine is one datum shown on the consent page.
type consentLine struct {
	Label string
	Value any
}

// consentGroup is what one data provider will receive.
type consentGroup struct {
	Provider string
	Lines    []string
}

func (p *Provider) consentPage(w http.ResponseWriter, r *http.Request) {
	it, ok := p.liveInteraction(w, r)
	if !ok {
		return
	}
	if it.Persona == nil {
		http.Redirect(w, r, p.basePath+"/interaction/"+it.UID, http.StatusSeeOther)
		return
	}
	var identity []consentLine
	for _, c := range grantedClaims(it.Req.Scopes) {
		if claimLabels[c] == "" {
			continue
		}
		identity = append(identity, consentLine{Label: claimLabels[c], Value: p.displayClaim(c, it.Persona, it.IdP)})
	}
	var groups []consentGroup
	for _, dp := range p.cfg.Clients.DataProviders() {
		var lines []string
		for _, s := range dp.ScopeNames() {
			if slices.Contains(it.Req.Scopes, s) {
				lines = append(lines, dp.ScopeLabel(s))
			}
		}
		if len(lines) > 0 {
			groups = append(groups, consentGroup{Provider: dp.Name, Lines: lines})
		}
	}
	p.render(w, http.StatusOK, "consent.html", map[string]any{
		"Title": "Consentement", "UID": it.UID, "Client": it.Req.Client, "Persona": it.Persona, "Name": it.Persona.DisplayName(),
		"IdP": it.IdP, "Identity": identity, "Groups": groups, "Base": p.basePath,
	})
}

// consent accepts (code to the client) or cancels (access_denied).
func (p *Provider) consent(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeErrorPage(w, r, errBadParameters().WithHint("formulaire illisible : %v", err))
		return
	}
	if r.PostForm.Get("action") != "accept" {
		p.abort(w, r)
		return
	}
	it, ok := p.liveInteraction(w, r)
	if !ok {
		return
	}
	if it.Persona == nil {
		http.Redirect(w, r, p.basePath+"/interaction/"+it.UID, http.StatusSeeOther)
		return
	}
	p.complete(w, r, it.UID)
}

// abort ends the interaction: the user cancelled.
func (p *Provider) abort(w http.ResponseWriter, r *http.Request) {
	it, ok := p.liveInteraction(w, r)
	if !ok {
		return
	}
	if _, ok := p.store.finish(it.UID); !ok {
		p.writeErrorPage(w, r, errInteractionNotFound().WithHint("cette connexion a expiré ou est déjà terminée"))
		return
	}
	p.redirectError(w, r, it.Req, errAccessDenied())
}

// complete ends a consented interaction with a code for the client.
func (p *Provider) complete(w http.ResponseWriter, r *http.Request, uid string) {
	it, ok := p.store.finish(uid)
	if !ok {
		journal.SetLogin(r.Context(), uid)
		p.writeErrorPage(w, r, errInteractionNotFound().WithHint("cette connexion a expiré ou est déjà terminée"))
		return
	}
	p.completeWith(w, r, it)
}

// completeWith ends the login it, out of the store: its code, and the
// redirect back to the client.
func (p *Provider) completeWith(w http.ResponseWriter, r *http.Request, it interaction) {
	journal.SetLogin(r.Context(), it.UID)
	journal.SetClient(r.Context(), it.Req.Client.ID)
	if it.Persona == nil {
		p.writeErrorPage(w, r, errInteractionNotFound().WithHint("cette connexion a expiré ou est déjà terminée"))
		return
	}
	journal.SetPersona(r.Context(), it.Persona.Login)
	journal.Why(r.Context(), "persona "+it.Persona.Login+" ("+it.Persona.DisplayName()+") via "+it.IdP.Name)
	code := p.store.newCode(grant{Req: it.Req, Persona: it.Persona, IdP: it.IdP, AuthTime: p.cfg.Clock.Now(),
		Sub: pairwiseSub(it.Req.Client.ID, it.Persona, p.cfg.PairwiseSalt), Removed: it.Removed, Login: it.UID}, p.cfg.CodeTTL)
	if h := p.log.Handler(); h.Enabled(r.Context(), slog.LevelInfo) { // its arguments cost allocations even when discarded
		// Straight to the handler, as simulator's request line: no call
		// site to look up (a logger with AddSource gets none). The scope
		// as the request's parameter writes it.
		line := slog.NewRecord(time.Now(), slog.LevelInfo, "franceconnect: login", 0)
		line.AddAttrs(slog.String("client", it.Req.Client.ID), slog.String("persona", it.Persona.Login),
			slog.String("idp", it.IdP.ID), slog.String("scope", it.Req.Scope))
		_ = h.Handle(r.Context(), line)
	}
	params := [][2]string{{"code", code}, {"state", it.Req.State}, {"iss", p.cfg.Issuer}}
	if f, ok := it.Req.faultAt("callback"); ok {
		params = p.faultyCallback(f.ID, params)
		f.note(r.Context())
	}
	p.respond(w, it.Req, params)
}

// displayClaim is a claim as a person reads it on the consent page: the
// Insee codes with their names, the gender in French.
func (p *Provider) displayClaim(claim string, persona *population.Persona, idp *IdentityProvider) any {
	v := claimValue(claim, persona, idp)
	cog := p.cfg.People.COG()
	switch claim {
	case "gender":
		return persona.GenderLabel()
	case "birthplace":
		if c, ok := cog.Commune(persona.Birthplace); ok {
			return fmt.Sprintf("%s (%s)", c.Name, c.Code)
		}
		return "— (né(e) à l'étranger)"
	case "birthcountry":
		if c, ok := cog.Country(persona.Birthcountry); ok {
			return fmt.Sprintf("%s (%s)", c.Name, c.Code)
		}
	case "preferred_username", "given_name", "family_name", "email":
		if v == "" {
			return "—"
		}
	case "amr":
		return strings.Join(idp.AMR, ", ")
	}
	return v
}
