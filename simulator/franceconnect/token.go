package franceconnect

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/jsonenc"
	"github.com/bacasable/bacasable/simulator/scenario"
)

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Client assertions (private_key_jwt) live at most maxAssertionLife (their
// jti is remembered until exp), and their iat and nbf may be at most
// assertionSkew ahead of the clock. The platform's limits are not
// published: these are the sandbox's.
const (
	maxAssertionLife = 10 * time.Minute
	assertionSkew    = time.Minute
)

// tokenResponse is exactly what FranceConnect's token endpoint returns.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope"`
}

// idTokenClaims are exactly the ID token's claims; amr only when asked.
type idTokenClaims struct {
	Sub      string   `json:"sub"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr,omitempty"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce"`
	Aud      string   `json:"aud"`
	Exp      int64    `json:"exp"`
	Iat      int64    `json:"iat"`
	Iss      string   `json:"iss"`
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeJSONError(w, r, errInvalidRequest("could not parse the request body"))
		return
	}
	client, authErr := p.authenticateClient(r)
	if authErr != nil {
		p.writeJSONError(w, r, authErr)
		return
	}
	form := r.PostForm
	switch gt := form.Get("grant_type"); {
	case gt == "":
		p.writeJSONError(w, r, errMissingParameter("grant_type"))
		return
	case gt != "authorization_code":
		p.writeJSONError(w, r, errUnsupportedGrantType())
		return
	case form.Get("code") == "":
		p.writeJSONError(w, r, errMissingParameter("code"))
		return
	case form.Get("redirect_uri") == "":
		p.writeJSONError(w, r, errMissingParameter("redirect_uri"))
		return
	}
	journal.SetClient(r.Context(), client.ID)
	persona, _ := p.store.codePersona(form.Get("code"))
	choice, perr := p.pick(r, scenario.StepToken, persona, client.ID)
	if perr != nil {
		p.writeJSONError(w, r, perr)
		return
	}
	if p.failed(w, r, choice) {
		return
	}
	at, grantErr := p.store.exchange(form.Get("code"), p.cfg.AccessTokenTTL, func(code *authCode) *Error {
		switch {
		case code.Req.Client.ID != client.ID:
			return errInvalidGrant("client mismatch", "Y047A2EA")
		case code.Req.RedirectURI != form.Get("redirect_uri"):
			return errInvalidGrant("authorization code redirect_uri mismatch", "Y04F8199")
		}
		if verifier := form.Get("code_verifier"); verifier != "" && !isPKCEValue(verifier) {
			return errInvalidRequest("code_verifier must be a string with a minimum length of 43 characters").
				WithHint("RFC 7636 : code_verifier fait de 43 à 128 caractères parmi A-Z a-z 0-9 - . _ ~")
		} else if code.Req.CodeChallenge != "" || verifier != "" {
			sum := sha256.Sum256([]byte(verifier))
			if verifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != code.Req.CodeChallenge {
				return errInvalidGrant("PKCE verification failed", "Y0446550")
			}
		}
		return nil
	})
	if grantErr != nil {
		p.writeJSONError(w, r, grantErr)
		return
	}
	journal.SetLogin(r.Context(), at.Login)
	journal.SetPersona(r.Context(), at.Persona.Login)
	if f, ok := at.Req.faultAt("id_token"); ok {
		f.note(r.Context())
	}
	idToken, err := p.idToken(at.grant, at.IssuedAt)
	if err != nil {
		p.log.ErrorContext(r.Context(), "franceconnect: signing the ID token", "err", err)
		p.writeJSONError(w, r, errServer())
		return
	}
	resp := tokenResponse{
		AccessToken: at.Token, TokenType: "Bearer", ExpiresIn: int(p.cfg.AccessTokenTTL / time.Second),
		IDToken: idToken, Scope: at.Req.Scope,
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Cache-Control"] = noStore
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp.appendJSON(make([]byte, 0, 128+len(resp.AccessToken)+len(resp.IDToken)+len(resp.Scope))))
}

// appendJSON appends the response as an encoding/json Encoder without HTML
// escaping writes it, newline included.
func (t *tokenResponse) appendJSON(dst []byte) []byte {
	dst = jsonenc.AppendString(append(dst, `{"access_token":`...), t.AccessToken)
	dst = jsonenc.AppendString(append(dst, `,"token_type":`...), t.TokenType)
	dst = strconv.AppendInt(append(dst, `,"expires_in":`...), int64(t.ExpiresIn), 10)
	dst = jsonenc.AppendString(append(dst, `,"id_token":`...), t.IDToken)
	dst = jsonenc.AppendString(append(dst, `,"scope":`...), t.Scope)
	return append(dst, "}\n"...)
}

func (p *Provider) idToken(g grant, now time.Time) (string, error) {
	c := idTokenClaims{
		Sub: g.Sub, ACR: g.Req.ACR, AuthTime: g.AuthTime.Unix(),
		Nonce: g.Req.Nonce, Aud: g.Req.Client.ID, Iat: now.Unix(), Exp: now.Add(p.cfg.IDTokenTTL).Unix(), Iss: p.cfg.Issuer,
	}
	if g.Req.AMRRequested {
		c.AMR = g.IdP.AMR
	}
	alg := jose.SignatureAlgorithm(g.Req.Client.SigningAlg)
	if f, ok := g.Req.faultAt("id_token"); ok {
		return p.faultyIDToken(f.ID, c, alg)
	}
	var buf [512]byte
	return p.keys.signPayload(alg, "", c.appendJSON(buf[:0]))
}

// authenticateClient applies client_secret_post or private_key_jwt, the two
// methods FranceConnect supports. HTTP Basic is refused, as the platform
// does for clients registered with client_secret_post. The client the
// request claims to be is recorded in the journal either way.
func (p *Provider) authenticateClient(r *http.Request) (*ServiceProvider, *Error) {
	form := r.PostForm
	if user, _, basic := r.BasicAuth(); basic {
		journal.SetClient(r.Context(), user)
	} else {
		journal.SetClient(r.Context(), form.Get("client_id"))
	}
	if _, _, basic := r.BasicAuth(); basic {
		return nil, errInvalidClient("the provided authentication mechanism does not match the registered client authentication method", "Y044D82C").
			WithHint("FranceConnect authentifie les clients par client_secret_post (client_id et client_secret dans le corps du formulaire), pas par HTTP Basic")
	}
	if form.Get("client_assertion_type") != "" || form.Get("client_assertion") != "" {
		return p.authenticateAssertion(form.Get("client_id"), form.Get("client_assertion_type"), form.Get("client_assertion"))
	}
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if id == "" {
		return nil, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "no client authentication mechanism provided (undefined)", FCCode: "Y044FEB3"}
	}
	client, ok := p.cfg.Clients.ServiceProvider(id)
	if !ok {
		return nil, errInvalidClient("client not found", "Y0479FCE")
	}
	if secret == "" {
		return nil, errInvalidClient("the provided authentication mechanism does not match the registered client authentication method", "Y044D82C")
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) != 1 {
		return nil, errInvalidClient("invalid secret provided", "Y0434A7B")
	}
	return client, nil
}

// authenticateAssertion verifies a private_key_jwt client assertion
// (RFC 7523): signed by a key of the client's jwks, iss = sub = client_id,
// aud naming the token endpoint or the issuer, not expired, jti unused.
func (p *Provider) authenticateAssertion(id, typ, assertion string) (*ServiceProvider, *Error) {
	if typ != clientAssertionType {
		return nil, errInvalidClient("client_assertion_type must be "+clientAssertionType, "Y040001")
	}
	tok, err := jwt.ParseSigned(assertion, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.PS256, jose.ES384, jose.ES512, jose.RS384, jose.RS512})
	if err != nil {
		return nil, errInvalidClient("invalid client_assertion: "+err.Error(), "Y040001")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, errInvalidClient("invalid client_assertion: "+err.Error(), "Y040001")
	}
	if id == "" {
		id = unverified.Issuer
	}
	client, ok := p.cfg.Clients.ServiceProvider(id)
	if !ok {
		return nil, errInvalidClient("client not found", "Y040001")
	}
	if len(client.keys.Keys) == 0 {
		return nil, errInvalidClient("the client has no jwks registered for private_key_jwt", "Y040001")
	}
	var claims jwt.Claims
	verified := false
	for _, k := range client.keys.Keys {
		if err := tok.Claims(k.Key, &claims); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, errInvalidClient("client_assertion signature does not match the client's jwks", "Y040001")
	}
	now := p.cfg.Clock.Now()
	if claims.Issuer != client.ID || claims.Subject != client.ID {
		return nil, errInvalidClient("client_assertion iss and sub must be the client_id", "Y040001")
	}
	if !slices.ContainsFunc(claims.Audience, func(a string) bool { return a == p.cfg.Issuer+"/token" || a == p.cfg.Issuer }) {
		return nil, errInvalidClient("client_assertion aud must be the token endpoint", "Y040001")
	}
	switch {
	case claims.Expiry == nil || now.After(claims.Expiry.Time()):
		return nil, errInvalidClient("client_assertion is expired or has no exp", "Y040001")
	case claims.Expiry.Time().After(now.Add(maxAssertionLife)):
		return nil, errInvalidClient("client_assertion exp is too far in the future", "Y040001").
			WithHint("exp à %s : une assertion vit au plus %s", claims.Expiry.Time().Format(time.RFC3339), maxAssertionLife)
	case claims.IssuedAt != nil && claims.IssuedAt.Time().After(now.Add(assertionSkew)),
		claims.NotBefore != nil && claims.NotBefore.Time().After(now.Add(assertionSkew)):
		return nil, errInvalidClient("client_assertion is not yet valid", "Y040001").
			WithHint("iat ou nbf dans le futur (au-delà de %s de tolérance)", assertionSkew)
	}
	if claims.ID == "" || !p.store.useAssertion(client.ID+"/"+claims.ID, claims.Expiry.Time()) {
		return nil, errInvalidClient("client_assertion jti is missing or already used", "Y040001")
	}
	return client, nil
}

// revocationToken is RevocationTokenParamsDTO's rule for token
// (back/libs/oidc-provider/src/dto/revocation-token-params.dto.ts).
var revocationToken = regexp.MustCompile(`^[^.*?{}()|[\]\s\\]{43,}$`)

// revoke implements RFC 7009 for access tokens as the platform routes it:
// the body holds token, client_id and client_secret and nothing else (a
// 400 page otherwise, Y000400); unknown tokens are not an error, as the RFC
// requires. The DTO's 32-character minimum for client_secret is not
// applied: the sandbox's own demo clients have shorter secrets.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeErrorPage(w, r, errHTTP400().WithHint("corps illisible : %v", err))
		return
	}
	var problems []string
	for k := range r.Form {
		if !slices.Contains(checktokenParams, k) {
			problems = append(problems, echoed(k)+" refusé")
		}
	}
	for _, k := range checktokenParams {
		if !r.PostForm.Has(k) || len(r.PostForm[k]) > 1 {
			problems = append(problems, k+" manquant ou répété")
		}
	}
	if len(problems) == 0 && !revocationToken.MatchString(r.PostForm.Get("token")) {
		problems = append(problems, "token : au moins 43 caractères, sans . * ? { } ( ) | [ ] \\ ni espace")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		p.writeErrorPage(w, r, errHTTP400().WithHint("révocation : %s (le corps doit contenir token, client_id et client_secret, et rien d'autre)", strings.Join(problems, ", ")))
		return
	}
	client, authErr := p.authenticateClient(r)
	if authErr != nil {
		p.writeJSONError(w, r, authErr)
		return
	}
	if !p.store.revoke(r.PostForm.Get("token"), client.ID) {
		p.writeJSONError(w, r, errInvalidRequest("this token does not belong to you"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
}
