package franceconnect

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
)

// PersonaHeader completes login and consent at once for the named persona
// (login, or SPI for the impots.gouv.fr provider): a sandbox-only shortcut
// for CI. The real FranceConnect ignores unknown headers.
const PersonaHeader = "X-Bacasable-Persona"

// authorizeParams are the parameters the platform's DTO accepts; any other
// is refused (Y030007).
var authorizeParams = []string{"client_id", "redirect_uri", "response_type", "scope", "acr_values", "nonce", "state",
	"prompt", "claims", "idp_hint", "ui_locales", "code_challenge", "code_challenge_method", "response_mode"}

var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// authorize validates the authorization request, then starts the
// interaction pages (or, with X-Bacasable-Persona, finishes at once).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeErrorPage(w, r, errBadParameters().WithHint("la requête n'a pas pu être lue : %v", err))
		return
	}
	journal.SetClient(r.Context(), r.Form.Get("client_id"))
	req, pageErr, redirErr := p.validateAuthorize(r.Form)
	if pageErr != nil {
		p.writeErrorPage(w, r, pageErr)
		return
	}
	if redirErr != nil {
		p.redirectError(w, r, req, redirErr)
		return
	}
	it := p.store.newInteraction(req, p.cfg.SessionTTL)
	journal.SetLogin(r.Context(), it.UID)
	who := r.Header.Get(PersonaHeader)
	if who == "" {
		who = p.queue.pop(req.Client.ID)
	}
	if who != "" {
		persona, idp, ok := p.findPersona(who)
		if !ok {
			p.store.finish(it.UID)
			p.writeErrorPage(w, r, errUnknownPersona().WithHint("l'en-tête %s désigne « %s », qui n'est ni un identifiant ni un SPI de la population du bac à sable", PersonaHeader, who))
			return
		}
		p.store.authenticate(it.UID, persona, idp)
		p.complete(w, r, it.UID)
		return
	}
	target := p.basePath + "/interaction/" + it.UID
	if req.IdpHint != "" {
		for _, idp := range identityProviders {
			if idp.ID == req.IdpHint {
				target += "/idp/" + idp.Slug
			}
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// findPersona resolves a login (Démonstration) or a 13-digit SPI
// (impots.gouv.fr).
func (p *Provider) findPersona(who string) (*population.Persona, *IdentityProvider, bool) {
	if spiPattern.MatchString(who) {
		if persona, ok := p.cfg.People.BySPI(who); ok {
			idp, _ := identityProvider("impots")
			return persona, idp, true
		}
	}
	persona, ok := p.cfg.People.ByLogin(who)
	idp, _ := identityProvider("demo")
	return persona, idp, ok
}

var spiPattern = regexp.MustCompile(`^[0-9]{13}$`)

// validateAuthorize applies the platform's rules in its order: the client
// and its redirect_uri first (errors shown as a page), then the parameter
// DTO (page, Y030007), then the rules answered by a redirect.
func (p *Provider) validateAuthorize(form url.Values) (*authRequest, *Error, *Error) {
	get := func(k string) string { return form.Get(k) }
	for k, v := range form {
		if len(v) > 1 {
			return nil, errBadParameters().WithHint("le paramètre « %s » est répété %d fois ; il doit être unique", k, len(v)), nil
		}
	}

	clientID := get("client_id")
	if clientID == "" {
		return nil, errBadParameters().WithHint("client_id manquant"), nil
	}
	client, ok := p.cfg.Clients.ServiceProvider(clientID)
	if !ok {
		return nil, errUnknownClient().WithHint("aucun fournisseur de service n'a le client_id « %s » (voir fixtures/clients.yaml)", truncate(clientID)), nil
	}
	redirect := get("redirect_uri")
	if redirect == "" {
		return nil, errBadParameters().WithHint("redirect_uri manquant"), nil
	}
	if u, err := url.Parse(redirect); err != nil || !u.IsAbs() || u.Fragment != "" {
		return nil, errBadParameters().WithHint("redirect_uri « %s » n'est pas une URL absolue sans fragment", truncate(redirect)), nil
	}
	if !client.redirectAllowed(redirect, client.RedirectURIs) {
		return nil, errRedirectURINotRegistered().WithHint("redirect_uri « %s » n'est pas enregistrée pour « %s » ; URL enregistrées : %s", truncate(redirect), client.Name, strings.Join(client.RedirectURIs, ", ")), nil
	}

	req := &authRequest{Client: client, RedirectURI: redirect, State: get("state"), Nonce: get("nonce"), ResponseMode: get("response_mode")}

	// The parameter DTO: unknown parameters, required ones, formats.
	var unknown []string
	for k := range form {
		if !slices.Contains(authorizeParams, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	switch {
	case len(unknown) > 0:
		return nil, errBadParameters().WithHint("paramètre(s) inconnu(s) : %s ; FranceConnect refuse tout paramètre hors de sa liste (%s)", strings.Join(unknown, ", "), strings.Join(authorizeParams, ", ")), nil
	case get("scope") == "":
		return nil, errBadParameters().WithHint("scope manquant"), nil
	case get("acr_values") == "":
		return nil, errBadParameters().WithHint("acr_values manquant ; FranceConnect (fcp-low) attend acr_values=eidas1"), nil
	case !slices.Contains([]string{"eidas1", "eidas2", "eidas3"}, get("acr_values")):
		return nil, errBadParameters().WithHint("acr_values « %s » inconnu ; valeur attendue : eidas1", truncate(get("acr_values"))), nil
	case req.Nonce == "":
		return nil, errBadParameters().WithHint("nonce manquant ; il doit faire au moins %d caractères", p.cfg.NonceMinLength), nil
	case utf8.RuneCountInString(req.Nonce) < p.cfg.NonceMinLength:
		return nil, errBadParameters().WithHint("nonce trop court : %d caractères, %d minimum", utf8.RuneCountInString(req.Nonce), p.cfg.NonceMinLength), nil
	case req.State == "":
		return nil, errBadParameters().WithHint("state manquant ; il est obligatoire (la documentation recommande au moins 22 caractères)"), nil
	}
	if form.Has("prompt") {
		values := strings.Fields(get("prompt"))
		if len(values) == 0 {
			values = []string{""}
		}
		for _, v := range values {
			if v != "login" && v != "consent" {
				return nil, errBadParameters().WithHint("prompt « %s » refusé ; seules les valeurs login et consent sont acceptées (FranceConnect impose toujours connexion et consentement)", truncate(get("prompt"))), nil
			}
		}
	}
	if req.ResponseMode != "" && !slices.Contains([]string{"query", "fragment", "form_post"}, req.ResponseMode) {
		return nil, errBadParameters().WithHint("response_mode « %s » inconnu ; valeurs : query, fragment, form_post", truncate(req.ResponseMode)), nil
	}

	// From here the redirect_uri is trusted: errors go back to the client.
	switch rt := get("response_type"); {
	case !form.Has("response_type"):
		return req, nil, errMissingResponseType().WithHint("response_type manquant ; seule la valeur code est acceptée")
	case rt != "code":
		return req, nil, errUnsupportedResponseType().WithHint("response_type « %s » non supporté ; seule la valeur code est acceptée", truncate(rt))
	}
	req.Scopes = strings.Fields(get("scope"))
	if !slices.Contains(req.Scopes, "openid") {
		return req, nil, errRedirectInvalidRequest("openid scope must be requested").WithHint("le scope openid est obligatoire")
	}
	for _, s := range req.Scopes {
		if !client.allowsScope(s) {
			return req, nil, errScopeNotAllowed().WithHint("le scope « %s » n'est pas autorisé pour « %s » ; scopes autorisés : %s", truncate(s), client.Name, strings.Join(client.Scopes, " "))
		}
	}
	req.Scopes = sortedScopes(req.Scopes)
	if req.ACR = get("acr_values"); req.ACR != "eidas1" {
		return req, nil, errInvalidACR().WithHint("acr_values « %s » : la plateforme fcp-low ne délivre que eidas1", req.ACR)
	}
	if form.Has("claims") {
		var claims struct {
			IDToken map[string]json.RawMessage `json:"id_token"`
		}
		if err := json.Unmarshal([]byte(get("claims")), &claims); err != nil {
			return req, nil, errRedirectInvalidRequest("could not parse the claims parameter JSON").WithHint("le paramètre claims n'est pas un JSON valide : %v", err)
		}
		_, req.AMRRequested = claims.IDToken["amr"]
	}
	if hint := get("idp_hint"); form.Has("idp_hint") {
		found := false
		for _, idp := range identityProviders {
			found = found || idp.ID == hint
		}
		if !found {
			return req, nil, errInvalidIdpHint().WithHint("idp_hint « %s » n'est pas dans la liste autorisée : %s", truncate(hint), idpIDs())
		}
		req.IdpHint = hint
	}
	if form.Has("code_challenge") || form.Has("code_challenge_method") {
		method := get("code_challenge_method")
		switch {
		case method != "S256":
			return req, nil, errRedirectInvalidRequest("not supported value of code_challenge_method").WithHint("code_challenge_method « %s » : seule la méthode S256 est acceptée", truncate(method))
		case !pkceChallenge.MatchString(get("code_challenge")):
			return req, nil, errRedirectInvalidRequest("code_challenge must be a string with a minimum length of 43 characters").WithHint("code_challenge doit être le SHA-256 du code_verifier encodé en base64url (43 caractères, 128 au plus)")
		}
		req.CodeChallenge = get("code_challenge")
	}
	return req, nil, nil
}

func idpIDs() string {
	ids := make([]string, len(identityProviders))
	for i, idp := range identityProviders {
		ids[i] = idp.ID
	}
	return strings.Join(ids, ", ")
}

// truncate keeps echoed input short in messages.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:80]) + "…"
}

// respond sends params back to the client's redirect_uri with the
// request's response mode.
func (p *Provider) respond(w http.ResponseWriter, req *authRequest, params url.Values) {
	switch req.ResponseMode {
	case "form_post":
		w.Header().Set("Cache-Control", "no-store")
		p.render(w, http.StatusOK, "form_post.html", map[string]any{"Title": "Retour vers le service", "Action": req.RedirectURI, "Params": params})
	case "fragment":
		w.Header().Set("Location", req.RedirectURI+"#"+params.Encode())
		w.WriteHeader(http.StatusSeeOther)
	default:
		u, _ := url.Parse(req.RedirectURI)
		q := u.Query()
		for k, v := range params {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
		w.WriteHeader(http.StatusSeeOther)
	}
}
