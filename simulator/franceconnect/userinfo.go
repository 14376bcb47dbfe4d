package franceconnect

import (
	"io"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// userinfo answers the granted claims as a signed JWT (application/jwt),
// with sub, aud, exp, iat and iss. The access token comes as a Bearer
// header, or as access_token in the query (GET only, as the platform
// routes it).
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeJSONError(w, r, errInvalidRequest("could not parse the request body"))
		return
	}
	token := r.Form.Get("access_token")
	if auth := r.Header.Get("Authorization"); auth != "" {
		parts := strings.Split(auth, " ")
		if len(parts) != 2 || !strings.EqualFold(parts[0], "Bearer") || parts[1] == "" {
			p.writeJSONError(w, r, errInvalidRequest("invalid authorization header value format"))
			return
		}
		if token != "" {
			p.writeJSONError(w, r, errInvalidRequest("access token must only be provided using one mechanism"))
			return
		}
		token = parts[1]
	}
	if token == "" {
		p.writeJSONError(w, r, errNoToken())
		return
	}
	at, why := p.store.accessToken(token)
	if at == nil {
		journal.SetClient(r.Context(), p.store.tokenOwner(token))
		p.writeJSONError(w, r, errInvalidToken("access token not found").WithHint("%s", why))
		return
	}
	journal.SetClient(r.Context(), at.Req.Client.ID)
	journal.SetLogin(r.Context(), at.Login)
	journal.SetPersona(r.Context(), at.Persona.Login)
	choice, perr := p.pick(r, scenario.StepUserinfo, at.Persona, at.Req.Client.ID)
	if perr != nil {
		p.writeJSONError(w, r, perr)
		return
	}
	if p.failed(w, r, choice) {
		return
	}
	// exp is the access token's (node-oidc-provider's userinfo).
	claims := userinfoClaims{Sub: at.Sub, Aud: at.Req.Client.ID, Iss: p.cfg.Issuer, Iat: p.cfg.Clock.Now().Unix(), Exp: at.Expires.Unix(),
		Granted: grantedClaimSet(at.Req.Scopes, at.Removed), Persona: at.Persona, IdP: at.IdP}
	alg := jose.SignatureAlgorithm(at.Req.Client.SigningAlg)
	var jws string
	var err error
	if f, ok := at.Req.faultAt("userinfo"); ok {
		f.note(r.Context())
		jws, err = p.faultyUserinfo(f.ID, claims, alg)
	} else {
		var buf [1024]byte
		jws, err = p.keys.signPayload(alg, "", claims.appendJSON(buf[:0]))
	}
	if err != nil {
		p.log.ErrorContext(r.Context(), "franceconnect: signing userinfo", "err", err)
		p.writeJSONError(w, r, errServer())
		return
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJWT
	h["Cache-Control"] = noStore
	_, _ = io.WriteString(w, jws)
}
