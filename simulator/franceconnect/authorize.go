package franceconnect

import (
	"encoding/json"
	"fmt"
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

// AuthorizeParams are the parameters fcp-low's AuthorizeParamsDto accepts
// (back/apps/core-fcp/src/dto/authorize-params.dto.ts, validated with
// forbidNonWhitelisted): any other one is refused with the Y030007 page.
// PKCE is not among them, although discovery advertises S256: Config.PKCE
// (--pkce) adds code_challenge and code_challenge_method, as a departure.
var AuthorizeParams = []string{"client_id", "acr_values", "claims", "response_type", "nonce", "state", "redirect_uri",
	"scope", "prompt", "idp_hint", "ui_locales"}

var pkceParams = []string{"code_challenge", "code_challenge_method"}

// maxParamBytes bounds each authorize parameter: a login in progress keeps
// its state and nonce for 30 minutes, so an unauthenticated GET must not
// make it keep megabytes. A signed JWT as state still fits.
const maxParamBytes = 2048

// isPKCEValue tells whether s is RFC 7636's form of a code_verifier, and
// of an S256 code_challenge: 43 to 128 unreserved characters (A-Z a-z 0-9
// - . _ ~). It is what `^[A-Za-z0-9._~-]{43,128}$` matches, without the
// regular expression: compiled, its 128 repetitions cost about 1 200
// allocations at every start.
func isPKCEValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// authorize validates the authorization request, then starts the
// interaction pages (or, with X-Bacasable-Persona, finishes at once).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeErrorPage(w, r, errBadParameters().WithHint("la requête n'a pas pu être lue : %v", err))
		return
	}
	journal.SetClient(r.Context(), r.Form.Get("client_id"))
	// Without a form body, the form is the query, parsed once.
	query := r.Form
	if len(r.PostForm) > 0 {
		query = r.URL.Query()
	}
	req, pageErr, redirErr := p.validateAuthorize(r.Form, query)
	if pageErr != nil {
		p.writeErrorPage(w, r, pageErr)
		return
	}
	if redirErr != nil {
		p.redirectError(w, r, req, redirErr)
		return
	}
	req.Fault = p.nextFault(req.Client.ID)
	who := r.Header.Get(PersonaHeader)
	if who == "" {
		who = p.queue.pop(req.Client.ID)
	}
	var it *interaction
	target := ""
	if who != "" {
		// Completed at once: the login is never in the store, in progress.
		it = &interaction{UID: randomToken(16), Req: req}
	} else {
		it, target = p.browserInteraction(w, r, req)
	}
	journal.SetLogin(r.Context(), it.UID)
	if who != "" && req.ACR != "eidas1" {
		// The platform checks the level on the provider choice page; the
		// shortcut meets that check at once.
		p.redirectError(w, r, req, errInvalidACR(req.ACR).WithHint("acr_values demande « %s » : la plateforme fcp-low ne délivre que eidas1", req.ACR))
		return
	}
	if who != "" {
		persona, idp, ok := p.findPersona(who)
		if !ok {
			p.writeErrorPage(w, r, errUnknownPersona().WithHint("l'en-tête %s désigne « %s », qui n'est ni un identifiant ni un SPI de la population du bac à sable", PersonaHeader, who))
			return
		}
		if removed, ok := p.authenticate(w, r, *it, persona, idp); ok {
			it.Persona, it.IdP, it.Removed = persona, idp, removed
			p.completeWith(w, r, *it)
		}
		return
	}
	if target == "" {
		target = p.basePath + "/interaction/" + it.UID
		if idp, ok := identityProviderByID(req.IdpHint); ok {
			target += "/idp/" + idp.Slug
		}
	} else {
		journal.Why(r.Context(), "session FranceConnect en cours dans ce navigateur : connexion unique (SSO), sans fournisseur d'identité ni mot de passe")
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

// validateAuthorize applies the platform's rules in its order. First the
// parameter DTO, before anything else (Y030007 page); then
// node-oidc-provider's checks: the client (Y04EA6EF page), response_type,
// scopes and openid (redirects), the redirect_uri (Y04C013C page, or
// Y040001 when an earlier check failed too), claims (redirect); then
// FranceConnect's own: amr (Y100009 page) and idp_hint (redirect). The acr
// level is checked later, on the provider choice page.
func (p *Provider) validateAuthorize(form url.Values, query url.Values) (*authRequest, *Error, *Error) {
	get := func(k string) string { return form.Get(k) }

	// ── AuthorizeParamsDto ──
	allowed := AuthorizeParams
	if p.cfg.PKCE {
		allowed = append(slices.Clone(AuthorizeParams), pkceParams...)
	}
	var unknown []string
	for k, v := range form {
		if len(v) == 1 && len(v[0]) > maxParamBytes {
			return nil, errBadParameters().WithHint("le paramètre « %s » fait %d octets ; le bac à sable n'en garde pas plus de %d", echoed(k), len(v[0]), maxParamBytes), nil
		}
		if len(v) > 1 {
			return nil, errBadParameters().WithHint("le paramètre « %s » est répété %d fois ; il doit être unique", echoed(k), len(v)), nil
		}
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, echoed(k))
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		hint := fmt.Sprintf("paramètre(s) refusé(s) : %s. FranceConnect (fcp-low) refuse tout paramètre hors de sa liste : %s.",
			strings.Join(unknown, ", "), strings.Join(allowed, ", "))
		if slices.ContainsFunc(unknown, func(k string) bool { return slices.Contains(pkceParams, k) }) {
			hint += " FranceConnect v2 n'accepte pas PKCE (code_challenge), bien que sa découverte annonce code_challenge_methods_supported S256 : " +
				"retirez code_challenge et code_challenge_method (et code_verifier à l'appel du jeton) ; le state et le nonce protègent la connexion. " +
				"Le bac à sable l'accepte avec --pkce, ce que la vraie plateforme refuse."
		}
		if slices.Contains(unknown, "response_mode") {
			hint += " response_mode n'est pas accepté : le code revient toujours dans la query de la redirect_uri."
		}
		return nil, errBadParameters().WithHint("%s", hint), nil
	}
	for _, k := range []string{"client_id", "acr_values", "response_type", "nonce", "state", "redirect_uri", "scope"} {
		if !form.Has(k) {
			return nil, errBadParameters().WithHint("paramètre obligatoire manquant : %s", k), nil
		}
	}
	switch nonce := get("nonce"); {
	case get("client_id") == "":
		return nil, errBadParameters().WithHint("client_id est vide"), nil
	case utf8.RuneCountInString(nonce) < p.cfg.NonceMinLength:
		return nil, errBadParameters().WithHint("nonce trop court : %d caractères, %d minimum", utf8.RuneCountInString(nonce), p.cfg.NonceMinLength), nil
	case !isURL(get("redirect_uri")):
		return nil, errBadParameters().WithHint("redirect_uri « %s » n'est pas une URL http(s) absolue", echoed(get("redirect_uri"))), nil
	}
	if form.Has("prompt") {
		values := strings.Fields(get("prompt"))
		if !slices.Contains(values, "login") && !slices.Contains(values, "consent") {
			return nil, errBadParameters().WithHint("prompt « %s » refusé : il doit contenir login ou consent (FranceConnect impose toujours connexion et consentement)", echoed(get("prompt"))), nil
		}
	}

	// FranceConnect keeps the lowest level it knows, eidas1 by default
	// (overrideAuthorizeAcrValues).
	acr := "eidas1"
	asked := strings.Fields(get("acr_values"))
	for _, known := range []string{"eidas1", "eidas2", "eidas3"} {
		if slices.Contains(asked, known) {
			acr = known
			break
		}
	}

	// ── node-oidc-provider ──
	client, ok := p.cfg.Clients.ServiceProvider(get("client_id"))
	if !ok {
		return nil, errUnknownClient().WithHint("aucun fournisseur de service n'a le client_id « %s » (voir fixtures/clients.yaml)", echoed(get("client_id"))), nil
	}
	redirect := get("redirect_uri")
	rt := get("response_type")
	// Copies: a login in progress must not keep the whole request (its
	// query string) alive for 30 minutes. One copy holds the three: a
	// login's code and token keep the request, tens of thousands of them
	// under load, which the garbage collector scans.
	var b strings.Builder
	b.Grow(len(redirect) + len(get("state")) + len(get("nonce")))
	b.WriteString(redirect)
	b.WriteString(get("state"))
	b.WriteString(get("nonce"))
	kept := b.String()
	state := kept[len(redirect) : len(redirect)+len(get("state"))]
	req := &authRequest{Client: client, RedirectURI: kept[:len(redirect)], State: state,
		Nonce: kept[len(redirect)+len(state):], ACR: acr, fragment: strings.Contains(rt, "token")}
	registered := client.redirectAllowed(redirect, client.RedirectURIs)
	notRegistered := func() *Error {
		return errRedirectURINotRegistered().WithHint("redirect_uri « %s » n'est pas enregistrée pour « %s » ; URL enregistrées : %s",
			echoed(redirect), client.Name, strings.Join(client.RedirectURIs, ", "))
	}
	// An error found before the redirect_uri is checked is sent to it only
	// when it is registered; otherwise node-oidc-provider replaces it with
	// an error FranceConnect has no code for (Y040001).
	early := func(e *Error) (*authRequest, *Error, *Error) {
		if !registered {
			return nil, errNoWrapper("invalid_redirect_uri", "redirect_uri did not match any of the client's registered redirect_uris").
				WithHint("%s ; de plus la redirect_uri « %s » n'est pas enregistrée pour « %s »", e.Hint, echoed(redirect), client.Name), nil
		}
		return req, nil, e
	}
	switch {
	case rt == "":
		return early(errMissingResponseType().WithHint("response_type est vide ; seule la valeur code est acceptée"))
	case rt != "code":
		return early(errUnsupportedResponseType().WithHint("response_type « %s » non supporté ; seule la valeur code est acceptée", echoed(rt)))
	}
	scopes := strings.Fields(get("scope"))
	req.Scopes = make([]string, 0, len(scopes))
	for _, s := range scopes {
		if known(s, p.cfg.Clients) && !client.allowsScope(s) {
			e := errScopeNotAllowed().WithHint("le scope « %s » n'est pas autorisé pour « %s » ; scopes autorisés : %s", echoed(s), client.Name, strings.Join(client.Scopes, " "))
			e.scope = s
			return early(e)
		}
		if known(s, p.cfg.Clients) {
			// The client's own copy of the scope (it allows every known
			// scope asked): nothing of the request is kept.
			req.Scopes = append(req.Scopes, client.Scopes[slices.Index(client.Scopes, s)])
		} else {
			req.Ignored = append(req.Ignored, strings.Clone(s))
		}
	}
	if !slices.Contains(req.Scopes, "openid") {
		return early(errRedirectInvalidRequest("openid scope must be requested when using the acr_values parameter").WithHint("le scope openid est obligatoire"))
	}
	req.Scopes, req.Scope = p.scopeSets.intern(sortedScopes(req.Scopes))
	if !registered {
		return nil, notRegistered(), nil
	}
	if form.Has("claims") {
		amr, desc := parseClaims(get("claims"))
		if desc != "" {
			return req, nil, errRedirectInvalidRequest(desc).WithHint("le paramètre claims est refusé : %s", desc)
		}
		req.AMRRequested = amr
	}
	if p.cfg.PKCE && (form.Has("code_challenge") || form.Has("code_challenge_method")) {
		method := get("code_challenge_method")
		switch {
		case method != "S256":
			return req, nil, errRedirectInvalidRequest("not supported value of code_challenge_method").WithHint("code_challenge_method « %s » : seule la méthode S256 est acceptée", echoed(method))
		case !isPKCEValue(get("code_challenge")):
			return req, nil, errRedirectInvalidRequest("code_challenge must be a string with a minimum length of 43 characters").WithHint("code_challenge doit être le SHA-256 du code_verifier encodé en base64url (43 caractères, 128 au plus)")
		}
		req.CodeChallenge = strings.Clone(get("code_challenge"))
	}

	// ── FranceConnect's middlewares ──
	if req.AMRRequested && !client.allowsScope("amr") {
		return nil, errAMRNotAllowed().WithHint("le paramètre claims demande amr, que « %s » n'est pas habilité à recevoir", client.Name), nil
	}
	// idp_hint is read from the query only.
	if query.Has("idp_hint") {
		hint := query.Get("idp_hint")
		if _, ok := identityProviderByID(hint); !ok {
			return req, nil, errInvalidIdpHint().WithHint("idp_hint « %s » n'est pas dans la liste autorisée : %s", echoed(hint), idpIDs())
		}
		req.IdpHint = strings.Clone(hint)
	}
	return req, nil, nil
}

// known tells whether FranceConnect knows scope: an identity scope or a
// data provider's. Unknown scopes are ignored, as node-oidc-provider does.
func known(scope string, reg *Registry) bool {
	if _, ok := scopeClaims[scope]; ok {
		return true
	}
	_, ok := reg.dataProviderFor(scope)
	return ok
}

// isURL is the DTO's redirect_uri rule on the integration platform
// (isURL, protocol required, http or https, no TLD required).
func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Hostname() != ""
}

// parseClaims reads the claims parameter as node-oidc-provider does; it
// tells whether amr is asked (for the ID token or userinfo), or why the
// parameter is refused.
func parseClaims(raw string) (amr bool, problem string) {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return false, "could not parse the claims parameter JSON"
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false, "claims parameter should be a JSON object"
	}
	idt, hasID := obj["id_token"]
	ui, hasUI := obj["userinfo"]
	if !hasID && !hasUI {
		return false, "claims parameter should have userinfo or id_token properties"
	}
	for _, part := range []struct {
		has  bool
		v    any
		name string
	}{{hasUI, ui, "userinfo"}, {hasID, idt, "id_token"}} {
		if !part.has {
			continue
		}
		m, ok := part.v.(map[string]any)
		if !ok {
			return false, "claims." + part.name + " should be an object"
		}
		if _, ok := m["amr"]; ok {
			amr = true
		}
	}
	return amr, ""
}

func idpIDs() string {
	ids := make([]string, len(identityProviders))
	for i, idp := range identityProviders {
		ids[i] = idp.ID
	}
	return strings.Join(ids, ", ")
}

// respond sends the code back to the client's redirect_uri, in its query:
// response_type code is the only one FranceConnect accepts.
func (p *Provider) respond(w http.ResponseWriter, req *authRequest, params [][2]string) {
	w.Header().Set("Location", callbackURL(req.RedirectURI, false, params))
	w.WriteHeader(http.StatusSeeOther)
}
