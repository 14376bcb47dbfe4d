package demoville

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// This file is Démoville's FranceConnect v2 integration: an OpenID Connect
// relying party built on coreos/go-oidc and golang.org/x/oauth2, with what
// FranceConnect requires on top of plain OIDC:
//
//   - client_secret_post at the token endpoint (HTTP Basic is refused);
//   - acr_values=eidas1 on authorize, and the ID token's acr checked;
//   - a nonce of at least 22 characters (32 here), checked in the ID token;
//   - state against CSRF, and no PKCE: FranceConnect v2's authorize refuses
//     code_challenge (its parameter list has no such entry, error Y030007)
//     although its discovery advertises S256. The code stays safe because it
//     is bound to this client's secret, lives 30 s and is single use;
//   - userinfo answered as a signed JWT (application/jwt), verified against
//     the JWKS like the ID token;
//   - logout through session/end with id_token_hint, state and the
//     registered post_logout_redirect_uri.
//
// # Issuer and back channel
//
// FranceConnect's issuer is PublicURL + "/api/v2", and its discovery
// document gives every endpoint under that public URL. The browser uses two
// of them (authorize, session/end); this server calls the others (token,
// userinfo, JWKS). When the server cannot reach the public URL — the
// sandbox in a container, the browser on the host — Config.BackChannelURL
// says where it can, and the server's HTTP client rewrites the requests it
// sends to the public URL so that they go to the back channel instead
// (backChannel below). Discovery therefore runs with the real issuer and
// oidc.NewProvider's strict issuer check stays on, and every endpoint of the
// document, the JWKS included, is reached the same way.
//
// oidc.InsecureIssuerURLContext was the other option: discover at the back
// channel's URL and declare the public issuer. It was not chosen because it
// turns the discovery document's issuer check off entirely, and because it
// moves only the discovery request: the token, userinfo and JWKS URLs in the
// document still point at the public URL.

// relyingParty is Démoville as a FranceConnect client.
type relyingParty struct {
	issuer        string // PublicURL + "/api/v2", exactly as discovery and tokens say it
	clientID      string
	clientSecret  string
	redirectURI   string // PublicURL + "/demoville/callback", registered at FranceConnect
	postLogoutURI string // PublicURL + "/demoville/", registered too
	client        *http.Client
	now           func() time.Time

	mu   sync.Mutex
	disc *discovered // nil until the first successful discovery
}

// discovered is what the discovery document tells.
type discovered struct {
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	endSession string
	// issParam: FranceConnect adds iss to the authorization response
	// (RFC 9207), which must then be checked against mix-up attacks.
	issParam bool
}

// fcLogin is a successful login: the tokens and who logged in.
type fcLogin struct {
	AccessToken string // valid 60 s: the API call follows at once
	IDToken     string // kept for the logout's id_token_hint
	Identity    identity
}

// identity is the identité pivot (and email) from userinfo.
type identity struct {
	Sub        string `json:"sub"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	Birthdate  string `json:"birthdate"`
	Email      string `json:"email"`
}

// Name is the full name as FranceConnect gives it.
func (id identity) Name() string {
	return strings.TrimSpace(id.GivenName + " " + id.FamilyName)
}

// discover reads FranceConnect's discovery document once, on first use:
// New runs before the sandbox listens, and a failed discovery is retried at
// the next login.
func (rp *relyingParty) discover(ctx context.Context) (*discovered, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.disc != nil {
		return rp.disc, nil
	}
	// NewProvider fetches issuer + "/.well-known/openid-configuration" and
	// checks that the document's issuer is exactly rp.issuer. The client in
	// the context is also the one the JWKS is fetched with, later.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, rp.client), rp.issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
		IssParam   bool   `json:"authorization_response_iss_parameter_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	rp.disc = &discovered{
		provider: p,
		// The verifier checks the signature against the JWKS (refetched
		// when an unknown kid shows up: FranceConnect rotates its keys, the
		// sandbox makes new ones at each start), the issuer, the audience
		// and the expiry, on the same clock as the sandbox.
		verifier: p.Verifier(&oidc.Config{
			ClientID:             rp.clientID,
			SupportedSigningAlgs: []string{oidc.ES256, oidc.RS256},
			Now:                  rp.now,
		}),
		endSession: meta.EndSession,
		issParam:   meta.IssParam,
	}
	return rp.disc, nil
}

// oauth2Config is the authorization code flow's configuration.
func (rp *relyingParty) oauth2Config(d *discovered, scopes []string) *oauth2.Config {
	ep := d.provider.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInParams // client_secret_post: FranceConnect refuses HTTP Basic
	return &oauth2.Config{
		ClientID: rp.clientID, ClientSecret: rp.clientSecret,
		Endpoint: ep, RedirectURL: rp.redirectURI, Scopes: scopes,
	}
}

// authCodeURL is where the browser goes to log in: FranceConnect's
// authorize with the scopes of the démarche, state, nonce and
// acr_values=eidas1 — nothing else: FranceConnect refuses any other
// parameter.
func (rp *relyingParty) authCodeURL(ctx context.Context, scopes []string, l pendingLogin) (string, error) {
	d, err := rp.discover(ctx)
	if err != nil {
		return "", err
	}
	return rp.oauth2Config(d, scopes).AuthCodeURL(l.State,
		oidc.Nonce(l.Nonce),
		oauth2.SetAuthURLParam("acr_values", "eidas1"),
	), nil
}

// checkIssuer checks the authorization response's iss parameter (RFC 9207):
// required when discovery announces it, and always FranceConnect's issuer.
func (rp *relyingParty) checkIssuer(ctx context.Context, got string) error {
	d, err := rp.discover(ctx)
	if err != nil {
		return err
	}
	switch {
	case got == "" && d.issParam:
		return errors.New("authorization response without iss")
	case got != "" && got != rp.issuer:
		return fmt.Errorf("authorization response from issuer %q, expected %q", got, rp.issuer)
	}
	return nil
}

// finish turns the authorization code into a verified login: token
// exchange, ID token signature, issuer, audience,
// expiry, nonce and acr, then the signed userinfo, whose sub must be the ID
// token's.
func (rp *relyingParty) finish(ctx context.Context, code string, l pendingLogin) (*fcLogin, error) {
	d, err := rp.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, rp.client)
	tok, err := rp.oauth2Config(d, nil).Exchange(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, errors.New("token endpoint: no id_token in the answer")
	}
	idt, err := d.verifier.Verify(ctx, rawID)
	if err != nil {
		return nil, fmt.Errorf("ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		return nil, errors.New("ID token: nonce does not match the login's")
	}
	// go-oidc checks exp but not iat; a token issued in the future is a
	// forged or badly clocked one (two minutes' leeway for clock skew).
	if idt.IssuedAt.After(rp.now().Add(2 * time.Minute)) {
		return nil, fmt.Errorf("ID token: issued in the future (iat %s)", idt.IssuedAt.UTC().Format(time.RFC3339))
	}
	var claims struct {
		ACR string `json:"acr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("ID token: %w", err)
	}
	switch claims.ACR {
	case "eidas1", "eidas2", "eidas3": // at least the level asked for
	default:
		return nil, fmt.Errorf("ID token: acr %q, expected eidas1", claims.ACR)
	}
	id, err := rp.userinfo(ctx, d, tok.AccessToken)
	if err != nil {
		return nil, err
	}
	if id.Sub != idt.Subject {
		return nil, fmt.Errorf("userinfo: sub %q differs from the ID token's %q", id.Sub, idt.Subject)
	}
	return &fcLogin{AccessToken: tok.AccessToken, IDToken: rawID, Identity: id}, nil
}

// userinfo fetches the user's claims. FranceConnect answers a JWT signed
// with the same keys as the ID token and carrying iss, aud and exp, so the
// ID token verifier checks it whole (go-oidc's Provider.UserInfo would check
// the signature only).
func (rp *relyingParty) userinfo(ctx context.Context, d *discovered, accessToken string) (identity, error) {
	var id identity
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.provider.UserInfoEndpoint(), nil)
	if err != nil {
		return id, fmt.Errorf("userinfo: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := rp.client.Do(req)
	if err != nil {
		return id, fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return id, fmt.Errorf("userinfo: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return id, fmt.Errorf("userinfo: HTTP %d: %.200s", resp.StatusCode, body)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/jwt" {
		return id, fmt.Errorf("userinfo: Content-Type %q, expected application/jwt", mt)
	}
	tok, err := d.verifier.Verify(ctx, strings.TrimSpace(string(body)))
	if err != nil {
		return id, fmt.Errorf("userinfo JWT: %w", err)
	}
	if err := tok.Claims(&id); err != nil {
		return id, fmt.Errorf("userinfo JWT: %w", err)
	}
	return id, nil
}

// endSessionURL is where the browser goes to log out of FranceConnect.
func (rp *relyingParty) endSessionURL(ctx context.Context, idToken, state string) (string, error) {
	d, err := rp.discover(ctx)
	if err != nil {
		return "", err
	}
	if d.endSession == "" {
		return "", errors.New("discovery: no end_session_endpoint")
	}
	u, err := url.Parse(d.endSession)
	if err != nil {
		return "", fmt.Errorf("discovery: end_session_endpoint: %w", err)
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("state", state)
	q.Set("post_logout_redirect_uri", rp.postLogoutURI)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// startFranceConnect sends the browser to FranceConnect for svc, after
// recording state and nonce in the server-side session.
func (s *Site) startFranceConnect(svc *service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := s.cfg.Clock()
		l := pendingLogin{
			Service: svc.Slug, State: randomToken(), Nonce: randomToken(), Expires: now.Add(loginTTL),
		}
		target, err := s.fc.authCodeURL(r.Context(), svc.Scopes, l)
		if err != nil {
			s.fail(w, r, &problem{
				Status: http.StatusBadGateway, Title: "FranceConnect est indisponible",
				Message: "Nous n'arrivons pas à joindre FranceConnect pour le moment. Réessayez dans quelques minutes, ou utilisez votre compte Démoville.",
				Back:    s.base + "/" + svc.Slug, BackLabel: "Revenir à « " + svc.Name + " »",
				Detail: err.Error(), Level: slog.LevelError,
			})
			return
		}
		s.sessions.ensure(w, r, func(ss *session) { ss.addLogin(l, now) })
		http.Redirect(w, r, target, http.StatusSeeOther)
	}
}

// callback is the redirect_uri: FranceConnect sends the browser back here
// with a code, or with an error. Every way out is a redirect (303): to the
// result page, or to /demoville/erreur with a page the citizen understands
// (the details go to the log). The callback's own URL stays out of the
// browser's history, so that a reload or Back never replays a used state.
func (s *Site) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()

	// 1. The state must be one this browser started, unexpired; it is used
	// once. Anything else is a forged or replayed response.
	state := q.Get("state")
	var login pendingLogin
	var found bool
	if state != "" {
		s.sessions.update(r, func(ss *session) {
			login, found = ss.Logins[state]
			delete(ss.Logins, state)
		})
	}
	if !found || s.cfg.Clock().After(login.Expires) {
		why := "state inconnu de cette session"
		if found {
			why = "state expiré"
		}
		s.failAndRedirect(w, r, &problem{
			Status: http.StatusBadRequest, Title: "Demande de connexion non reconnue",
			Message: "Cette réponse de FranceConnect ne correspond à aucune connexion en cours sur ce navigateur, ou votre connexion a pris trop de temps. Par sécurité, nous l'avons ignorée.",
			Hint:    "Recommencez la démarche depuis le site de Démoville.",
			Detail:  why, Level: slog.LevelWarn,
		})
		return
	}
	svc := serviceBySlug(login.Service)
	back, backLabel := s.base+"/"+svc.Slug, "Revenir à « "+svc.Name+" »"

	// 2. The response must come from FranceConnect (RFC 9207).
	if err := s.fc.checkIssuer(ctx, q.Get("iss")); err != nil {
		s.failAndRedirect(w, r, &problem{
			Status: http.StatusBadRequest, Title: "La connexion avec FranceConnect n'a pas abouti",
			Message: "La réponse reçue ne vient pas de FranceConnect. Par sécurité, nous l'avons ignorée.",
			Back:    back, BackLabel: backLabel, Detail: err.Error(), Level: slog.LevelError,
		})
		return
	}

	// 3. An error: the citizen cancelled, or FranceConnect refused.
	if code := q.Get("error"); code != "" {
		p := franceConnectErrorProblem(code, q.Get("error_description"))
		p.Back, p.BackLabel = back, backLabel
		s.failAndRedirect(w, r, p)
		return
	}

	// 4. The code: tokens, ID token, userinfo.
	res, err := s.fc.finish(ctx, q.Get("code"), login)
	if err != nil {
		level := slog.LevelError // a bad signature, nonce or issuer: an attack or a misconfiguration
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			level = slog.LevelWarn // e.g. a code used twice or too late (30 s)
		}
		s.failAndRedirect(w, r, &problem{
			Status: http.StatusBadGateway, Title: "La connexion avec FranceConnect n'a pas abouti",
			Message: "Nous n'avons pas pu confirmer votre identité auprès de FranceConnect.",
			Hint:    "Recommencez la connexion ; si le problème persiste, utilisez votre compte Démoville.",
			Back:    back, BackLabel: backLabel, Detail: err.Error(), Level: level,
		})
		return
	}

	// 5. The citizen is logged in: new session identifier, and the ID token
	// kept for the logout, even if what follows fails.
	name := res.Identity.Name()
	r = s.sessions.rotate(w, r, func(ss *session) {
		ss.FC = &fcSession{IDToken: res.IDToken, Name: name}
	})
	s.log.InfoContext(ctx, "demoville: FranceConnect login", "service", svc.Slug, "sub", res.Identity.Sub)

	// 6. The démarche, with the access token, within its 60 seconds.
	s.runDemarche(w, r, svc, subject{FranceConnectToken: res.AccessToken}, name, res.Identity.Email, "FranceConnect")
}

// franceConnectErrorProblem explains an error returned on the callback.
func franceConnectErrorProblem(code, description string) *problem {
	detail := "FranceConnect: error=" + code
	if description != "" {
		detail += ", error_description=" + description
	}
	switch code {
	case "access_denied":
		// FranceConnect sends access_denied for two reasons, told apart by
		// the description: « User auth aborted » when the citizen cancels
		// (« Revenir sur … » on the provider choice, « Annuler »), « user
		// authentication aborted » when they leave one of FranceConnect's
		// error pages by its « Revenir sur … » link — FranceConnect refused
		// the login (the civil registry does not know the person, say) and
		// told them why on that page.
		if strings.EqualFold(description, "User auth aborted") {
			return &problem{
				Status: http.StatusOK, Title: "Connexion annulée",
				Message: "Vous avez annulé la connexion avec FranceConnect. Démoville n'a reçu aucune information vous concernant.",
				Hint:    "Vous pouvez recommencer quand vous le souhaitez, ou faire la démarche avec votre compte Démoville.",
				Detail:  detail, Level: slog.LevelInfo,
			}
		}
		return &problem{
			Status: http.StatusOK, Title: "FranceConnect n'a pas pu vous connecter",
			Message: "FranceConnect a interrompu votre connexion et vous en a indiqué la raison sur sa page, par exemple un problème lié à vos données d'identité. Démoville n'a reçu aucune information vous concernant.",
			Hint:    "Suivez les indications de FranceConnect. Vous pouvez aussi faire la démarche avec votre compte Démoville, ou déposer votre avis d'imposition à l'accueil de la mairie.",
			Detail:  detail, Level: slog.LevelInfo,
		}
	case "server_error", "temporarily_unavailable":
		return &problem{
			Status: http.StatusBadGateway, Title: "FranceConnect rencontre un problème",
			Message: "FranceConnect n'a pas pu terminer votre connexion.",
			Hint:    "Réessayez dans quelques minutes.",
			Detail:  detail, Level: slog.LevelWarn,
		}
	case "invalid_request", "invalid_scope", "unauthorized_client", "unsupported_response_type", "invalid_acr", "invalid_client":
		// Démoville's own request was refused: our bug, not the citizen's.
		return &problem{
			Status: http.StatusBadGateway, Title: "La connexion avec FranceConnect n'a pas abouti",
			Message: "Un problème technique de notre côté empêche la connexion avec FranceConnect. Nos équipes sont prévenues.",
			Hint:    "Vous pouvez faire la démarche avec votre compte Démoville, ou réessayer plus tard.",
			Detail:  detail, Level: slog.LevelError,
		}
	default:
		return &problem{
			Status: http.StatusBadGateway, Title: "La connexion avec FranceConnect n'a pas abouti",
			Message: "FranceConnect n'a pas pu terminer votre connexion.",
			Hint:    "Recommencez la connexion.",
			Detail:  detail, Level: slog.LevelWarn,
		}
	}
}

// backChannel sends the server's requests for URLs under public to the same
// path under back (see « Issuer and back channel » above). The browser never
// sees these URLs, so pages and redirects keep the public ones.
type backChannel struct {
	public, back *url.URL
	next         http.RoundTripper
}

// backChannelClient returns c, or a copy of it that reaches public through
// back when they differ.
func backChannelClient(c *http.Client, public, back *url.URL) *http.Client {
	if public.String() == back.String() {
		return c
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cc := *c
	cc.Transport = &backChannel{public: public, back: back, next: next}
	return &cc
}

func (b *backChannel) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL
	if u.Scheme == b.public.Scheme && u.Host == b.public.Host &&
		(u.Path == b.public.Path || strings.HasPrefix(u.Path, b.public.Path+"/")) {
		req = req.Clone(req.Context()) // a RoundTripper must not modify its request
		req.URL.Scheme, req.URL.Host = b.back.Scheme, b.back.Host
		req.URL.Path = b.back.Path + strings.TrimPrefix(u.Path, b.public.Path)
		req.URL.RawPath = ""
		req.Host = ""
	}
	return b.next.RoundTrip(req)
}
