package franceconnect

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/bacasable/bacasable/simulator/journal"
)

// logoutParams are the parameters of LogoutParamsDto
// (back/libs/oidc-provider/src/dto/logout-params.dto.ts), validated with
// forbidNonWhitelisted: any other one is a 400 page (Y000400).
var logoutParams = []string{"id_token_hint", "post_logout_redirect_uri", "state", "client_id", "logout_hint", "ui_locales"}

// endSession logs the user out of FranceConnect (GET only). id_token_hint
// is required and must be an ID token this provider signed (expired ones
// are fine); client_id, when given, must be its audience;
// post_logout_redirect_uri, when given, must be registered for that client.
// Then 303 to it with state, or to the « Vous êtes bien déconnecté » page.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var refused []string
	for k, v := range q {
		if !slices.Contains(logoutParams, k) || len(v) > 1 {
			refused = append(refused, echoed(k))
		}
	}
	sort.Strings(refused)
	switch {
	case len(refused) > 0:
		p.writeErrorPage(w, r, errHTTP400().WithHint("paramètre(s) refusé(s) par session/end : %s ; paramètres acceptés : %s", strings.Join(refused, ", "), strings.Join(logoutParams, ", ")))
		return
	case q.Get("id_token_hint") == "":
		p.writeErrorPage(w, r, errHTTP400().WithHint("id_token_hint manquant : passez l'ID token reçu à la connexion"))
		return
	case q.Has("post_logout_redirect_uri") && !isURL(q.Get("post_logout_redirect_uri")):
		p.writeErrorPage(w, r, errHTTP400().WithHint("post_logout_redirect_uri « %s » n'est pas une URL http(s) absolue", echoed(q.Get("post_logout_redirect_uri"))))
		return
	}
	hint := q.Get("id_token_hint")
	if _, err := jose.ParseSigned(hint, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.HS256}); err != nil {
		p.writeErrorPage(w, r, errLogout("Y04FEDB9", "could not decode id_token_hint").WithHint("id_token_hint n'est pas un JWT"))
		return
	}
	var claims struct {
		Aud string `json:"aud"`
	}
	payload, err := p.keys.verify(hint)
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		p.writeErrorPage(w, r, errLogout("Y045AFAE", "could not validate id_token_hint").WithHint("id_token_hint n'est pas un ID token signé par ce FranceConnect (clés régénérées au redémarrage ? voir --keys)"))
		return
	}
	if id := q.Get("client_id"); id != "" && id != claims.Aud {
		p.writeErrorPage(w, r, errLogout("Y0467882", "client_id does not match the provided id_token_hint").WithHint("client_id « %s » n'est pas le destinataire de l'id_token_hint (« %s »)", echoed(id), echoed(claims.Aud)))
		return
	}
	journal.SetClient(r.Context(), claims.Aud)
	client, ok := p.cfg.Clients.ServiceProvider(claims.Aud)
	if !ok {
		p.writeErrorPage(w, r, &Error{Status: http.StatusBadRequest, Code: "invalid_client", Description: "unrecognized id_token_hint audience", FCCode: "Y0429C91", Message: msgReconnect,
			Hint: "le client « " + echoed(claims.Aud) + " » de l'id_token_hint n'existe pas"})
		return
	}
	target := q.Get("post_logout_redirect_uri")
	if target != "" && !client.redirectAllowed(target, client.PostLogoutRedirectURIs) {
		p.writeErrorPage(w, r, errLogout("Y04CFAEF", "post_logout_redirect_uri not registered").WithHint("post_logout_redirect_uri « %s » n'est pas enregistrée pour « %s » ; URL enregistrées : %s", echoed(target), client.Name, strings.Join(client.PostLogoutRedirectURIs, ", ")))
		return
	}
	if id := sessionID(r); id != "" {
		p.store.endSession(id)
		p.setSessionCookie(w, "")
	}
	p.log.InfoContext(r.Context(), "franceconnect: logout", "client", client.ID)
	if target == "" {
		http.Redirect(w, r, p.basePath+"/session/end/success?client_id="+client.ID, http.StatusSeeOther)
		return
	}
	var params [][2]string
	if state := q.Get("state"); state != "" {
		params = append(params, [2]string{"state", state})
	}
	w.Header().Set("Location", callbackURL(target, false, params))
	w.WriteHeader(http.StatusSeeOther)
}

// logoutSuccess is the page after a logout without post_logout_redirect_uri.
func (p *Provider) logoutSuccess(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "logout.html", map[string]any{"Title": "Déconnexion"})
}
