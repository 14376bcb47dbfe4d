package franceconnect

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// endSession logs the user out of FranceConnect: id_token_hint is required
// and must be an ID token this provider signed (expired ones are fine);
// post_logout_redirect_uri, when given, must be registered for the client
// the token was issued to. Then 303 to it with state, or the plain
// "Vous êtes bien déconnecté" page.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	hint := q.Get("id_token_hint")
	if hint == "" {
		p.writeErrorPage(w, r, errLogout().WithHint("id_token_hint manquant : passez l'ID token reçu à la connexion"))
		return
	}
	payload, err := p.keys.verify(hint)
	var claims struct {
		Aud string `json:"aud"`
	}
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		p.writeErrorPage(w, r, errLogout().WithHint("id_token_hint n'est pas un ID token signé par ce FranceConnect (clés régénérées au redémarrage ?)"))
		return
	}
	client, ok := p.cfg.Clients.ServiceProvider(claims.Aud)
	if !ok {
		p.writeErrorPage(w, r, errLogout().WithHint("le client « %s » de l'id_token_hint n'existe pas", truncate(claims.Aud)))
		return
	}
	target := q.Get("post_logout_redirect_uri")
	if target == "" {
		p.render(w, http.StatusOK, "logout.html", map[string]any{"Title": "Déconnexion", "Client": client})
		return
	}
	if !client.redirectAllowed(target, client.PostLogoutRedirectURIs) {
		p.writeErrorPage(w, r, errLogout().WithHint("post_logout_redirect_uri « %s » n'est pas enregistrée pour « %s »", truncate(target), client.Name))
		return
	}
	u, _ := url.Parse(target)
	if state := q.Get("state"); state != "" {
		v := u.Query()
		v.Set("state", state)
		u.RawQuery = v.Encode()
	}
	p.log.InfoContext(r.Context(), "franceconnect: logout", "client", client.ID)
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
