package franceconnect

import (
	"net/http"
	"strings"
	"time"
)

// SessionCookie is FranceConnect's browser session cookie
// (back/instances/core-fcp-low/src/config/session.ts): HttpOnly,
// SameSite=Lax, 30 minutes, renewed at each step.
const SessionCookie = "fc_session_id"

// sessionID is the browser's fc_session_id, or "".
func sessionID(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// setSessionCookie sends the session's cookie; an empty id clears it.
func (p *Provider) setSessionCookie(w http.ResponseWriter, id string) {
	c := &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(p.cfg.Issuer, "https://"), MaxAge: int(p.cfg.SessionTTL / time.Second)}
	if id == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// browserInteraction starts the pages of a login in the browser's session:
// a new session when the browser has none, and single sign-on when it has
// one where someone logged in and the request is for eidas1 (fcp-low's
// enableSso, allowedSsoAcrs): the provider and the password are skipped,
// the session gets a new id, and the browser goes to the consent page. It
// returns the interaction and where to send the browser.
func (p *Provider) browserInteraction(w http.ResponseWriter, r *http.Request, req *authRequest) (*interaction, string) {
	ttl := p.cfg.SessionTTL
	if sess, ok := p.store.session(sessionID(r), ttl); ok {
		if sess.Persona != nil && req.ACR == "eidas1" {
			if id, ok := p.store.rotateSession(sess.ID, ttl); ok {
				it := p.store.newInteraction(req, ttl, id)
				p.store.authenticate(it.UID, sess.Persona, sess.IdP, nil)
				p.setSessionCookie(w, id)
				return it, p.basePath + "/interaction/" + it.UID + "/consent"
			}
		}
		p.setSessionCookie(w, sess.ID)
		return p.store.newInteraction(req, ttl, sess.ID), ""
	}
	id := p.store.newSession(ttl)
	p.setSessionCookie(w, id)
	return p.store.newInteraction(req, ttl, id), ""
}

// sameBrowser tells whether the request comes from the browser that
// started the interaction: its session cookie, and not a page of another
// site (a cross-site form post carries no SameSite=Lax cookie anyway).
func (p *Provider) sameBrowser(r *http.Request, it interaction) string {
	if err := p.csrf.Check(r); err != nil {
		return "requête envoyée par une page d'un autre site (" + err.Error() + ")"
	}
	if it.SessionID == "" {
		return ""
	}
	if sessionID(r) != it.SessionID {
		return "cette connexion a été ouverte dans un autre navigateur, ou sans cookie " + SessionCookie + " : un outil qui enchaîne les pages doit garder les cookies"
	}
	p.store.session(it.SessionID, p.cfg.SessionTTL) // slides the session
	return ""
}
