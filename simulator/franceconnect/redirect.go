package franceconnect

import (
	"net/http"
	"slices"
)

// redirectToSPWithError is where the « Revenir sur … » link of an error
// page leads: the user goes back to the service with the error, as
// OidcProviderRedirectExceptionFilter's manual redirect does (302,
// text/plain, error, error_description, state, iss in that order; a
// missing state becomes "undefined"). The redirect_uri must be registered
// for some service provider, else the Y030030 page.
func (p *Provider) redirectToSPWithError(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("redirect_uri")
	if target == "" || !slices.ContainsFunc(p.cfg.Clients.ServiceProviders(), func(sp *ServiceProvider) bool {
		return sp.redirectAllowed(target, sp.RedirectURIs)
	}) {
		p.writeErrorPage(w, r, errRedirectToSP().WithHint("redirect_uri « %s » n'est enregistrée pour aucun fournisseur de service", echoed(target)))
		return
	}
	errCode, desc, state := q.Get("error"), q.Get("error_description"), q.Get("state")
	if errCode == "" {
		errCode = errRedirectToSP().Code
	}
	if desc == "" {
		desc = errRedirectToSP().Description
	}
	if !q.Has("state") {
		state = "undefined"
	}
	loc := callbackURL(target, false, [][2]string{{"error", errCode}, {"error_description", desc}, {"state", state}, {"iss", p.cfg.Issuer}})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
	_, _ = w.Write([]byte("Found. Redirecting to " + loc))
}
