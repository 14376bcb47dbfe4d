package franceconnect

import (
	"crypto/ecdsa"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// Introspection is checktoken's token_introspection object: who the access
// token belongs to, as a data provider may know it.
type Introspection struct {
	Active         bool     `json:"active"`
	Aud            string   `json:"aud,omitempty"` // the service provider's client_id
	Sub            string   `json:"sub,omitempty"` // pairwise sub for the data provider
	Iat            int64    `json:"iat,omitempty"`
	Exp            int64    `json:"exp,omitempty"`
	ACR            string   `json:"acr,omitempty"`
	JTI            string   `json:"jti,omitempty"`
	Scope          string   `json:"scope"` // the granted scopes this data provider serves ("" when none)
	Gender         string   `json:"gender,omitempty"`
	FamilyName     *string  `json:"family_name,omitempty"`
	GivenName      *string  `json:"given_name,omitempty"`
	GivenNameArray []string `json:"given_name_array,omitempty"`
	Birthdate      string   `json:"birthdate,omitempty"`
	Birthplace     *string  `json:"birthplace,omitempty"`
	Birthcountry   string   `json:"birthcountry,omitempty"`

	// Login and Persona name the login and persona for the journal; they
	// are not part of the checktoken answer.
	Login   string `json:"-"`
	Persona string `json:"-"`
}

// MarshalJSON writes an inactive token as {"active":false} alone, as the
// platform does for an unknown, expired or revoked token.
func (i Introspection) MarshalJSON() ([]byte, error) {
	if !i.Active {
		return []byte(`{"active":false}`), nil
	}
	type plain Introspection
	return json.Marshal(plain(i))
}

// Scopes returns Scope split.
func (i Introspection) Scopes() []string { return strings.Fields(i.Scope) }

// ErrUnknownDataProvider is returned by Introspect for an undeclared data provider.
var ErrUnknownDataProvider = errors.New("franceconnect: unknown data provider")

// Introspect answers what checktoken tells dataProviderID about token: the
// in-process path the emulated DGFiP uses. An unknown or expired token gives
// {Active: false}.
func (p *Provider) Introspect(token, dataProviderID string) (Introspection, error) {
	dp, ok := p.cfg.Clients.DataProvider(dataProviderID)
	if !ok {
		return Introspection{}, fmt.Errorf("%w: %q", ErrUnknownDataProvider, dataProviderID)
	}
	return p.introspect(token, dp), nil
}

func (p *Provider) introspect(token string, dp *DataProvider) Introspection {
	at, _ := p.store.accessToken(token)
	if at == nil {
		return Introspection{Active: false}
	}
	// An active token's answer is the same on every call (an API call
	// in FranceConnect mode asks it each time): it is kept with the
	// token, for the last data provider that asked. Its pointers are
	// shared: callers only read them.
	if done := at.introspected.Load(); done != nil && done.dataProvider == dp.ID {
		return done.in
	}
	in := p.newIntrospection(at, dp)
	at.introspected.Store(&introspected{dataProvider: dp.ID, in: in})
	return in
}

// newIntrospection is the answer about an active token at for dp.
func (p *Provider) newIntrospection(at *accessToken, dp *DataProvider) Introspection {
	// Only the data provider's own scopes: not openid, not identity scopes
	// (generateValidResponse in data-provider.service.ts).
	var scopes []string
	for _, s := range at.Req.Scopes {
		if dp.HasScope(s) {
			scopes = append(scopes, s)
		}
	}
	person := at.Persona
	birthplace, given, family := person.Birthplace, person.GivenName, person.FamilyName
	in := Introspection{Login: at.Login, Persona: person.Login,
		Active: true, Aud: at.Req.Client.ID, Sub: pairwiseSub(dp.ID, person, p.cfg.PairwiseSalt),
		Iat: at.IssuedAt.Unix(), Exp: at.Expires.Unix(), ACR: at.Req.ACR, JTI: at.JTI, Scope: strings.Join(scopes, " "),
		Gender: person.Gender, FamilyName: &family, GivenName: &given, GivenNameArray: person.GivenNames(),
		Birthdate: person.NormalisedBirthdate(), Birthplace: &birthplace, Birthcountry: person.Birthcountry,
	}
	for _, c := range at.Removed {
		switch c {
		case "given_name":
			in.GivenName, in.GivenNameArray = nil, nil
		case "family_name":
			in.FamilyName = nil
		case "birthplace":
			in.Birthplace = nil
		case "birthdate":
			in.Birthdate = ""
		case "gender":
			in.Gender = ""
		case "birthcountry":
			in.Birthcountry = ""
		}
	}
	return in
}

// checktokenParams are ChecktokenRequestDto's fields, all required; any
// other parameter is refused too (forbidNonWhitelisted).
var checktokenParams = []string{"token", "client_id", "client_secret"}

// checktoken is the data providers' endpoint: it checks the request, then
// authenticates the data provider, then answers a JWS (ES256 or RS256, the
// provider's checktoken_signed_response_alg) inside a JWE for the provider's
// encryption key, as application/token-introspection+jwt. An unknown,
// expired or revoked token is a 200 whose token_introspection is
// {"active":false}.
func (p *Provider) checktoken(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		p.writeJSONError(w, r, errCheckTokenRequest().WithHint("corps illisible : %v", err))
		return
	}
	form := r.PostForm
	var problems []string
	for _, k := range checktokenParams {
		if form.Get(k) == "" {
			problems = append(problems, k+" manquant")
		}
	}
	for k := range r.Form {
		if !slices.Contains(checktokenParams, k) {
			problems = append(problems, echoed(k)+" refusé")
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		p.writeJSONError(w, r, errCheckTokenRequest().WithHint("%s (paramètres attendus dans le corps : token, client_id, client_secret)", strings.Join(problems, ", ")))
		return
	}
	token, id, secret := form.Get("token"), form.Get("client_id"), form.Get("client_secret")
	dp, ok := p.cfg.Clients.DataProvider(id)
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(dp.Secret)) != 1 {
		p.writeJSONError(w, r, errCheckTokenClient().WithHint("client_id ou client_secret du fournisseur de données incorrect"))
		return
	}
	var persona *population.Persona
	clients := []string{dp.ID}
	journal.SetClient(r.Context(), dp.ID)
	if at, _ := p.store.accessToken(token); at != nil {
		persona = at.Persona
		journal.SetLogin(r.Context(), at.Login)
		journal.SetPersona(r.Context(), at.Persona.Login)
		clients = append(clients, at.Req.Client.ID)
	}
	choice, perr := p.pick(r, scenario.StepCheckToken, persona, clients...)
	if perr != nil {
		p.writeJSONError(w, r, perr)
		return
	}
	if p.failed(w, r, choice) {
		return
	}
	now := p.cfg.Clock.Now()
	body := map[string]any{
		"token_introspection": p.introspect(token, dp),
		"aud":                 dp.ID, "iat": now.Unix(), "iss": p.cfg.Issuer,
	}
	out, err := p.keys.sign(jose.SignatureAlgorithm(dp.CheckTokenSignedAlg), "", body)
	if err == nil {
		out, err = p.encrypt(dp, out)
	}
	if err != nil {
		p.log.ErrorContext(r.Context(), "franceconnect: checktoken answer", "err", err)
		p.writeJSONError(w, r, errServer())
		return
	}
	w.Header().Set("Content-Type", "application/token-introspection+jwt")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(out))
}

// dataProviderJWKS serves the public encryption key of a data provider
// that registered none: what its jwks_uri would serve.
func (p *Provider) dataProviderJWKS(w http.ResponseWriter, r *http.Request) {
	dp, ok := p.cfg.Clients.DataProvider(mux.Vars(r)["id"])
	if !ok {
		http.NotFound(w, r)
		return
	}
	key := p.keys.DataProviderEnc.Public()
	if dp.CheckTokenEncryptedAlg != "" {
		k, err := encryptionKey(dp)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		key = k
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key}})
}

// encryptionKey picks the data provider's key for its registered JWE alg.
func encryptionKey(dp *DataProvider) (jose.JSONWebKey, error) {
	alg := jose.KeyAlgorithm(dp.CheckTokenEncryptedAlg)
	if alg != jose.ECDH_ES && alg != jose.RSA_OAEP_256 {
		return jose.JSONWebKey{}, fmt.Errorf("checktoken_encrypted_response_alg %q: use ECDH-ES or RSA-OAEP-256", alg)
	}
	if dp.CheckTokenEncryptedEnc != string(jose.A256GCM) {
		return jose.JSONWebKey{}, fmt.Errorf("checktoken_encrypted_response_enc %q: use A256GCM", dp.CheckTokenEncryptedEnc)
	}
	i := slices.IndexFunc(dp.keys.Keys, func(k jose.JSONWebKey) bool {
		if k.Use != "" && k.Use != "enc" {
			return false
		}
		switch alg {
		case jose.ECDH_ES:
			return k.Algorithm == "" && isEC(k) || k.Algorithm == string(alg)
		default:
			return k.Algorithm == "" && !isEC(k) || k.Algorithm == string(alg)
		}
	})
	if i < 0 {
		return jose.JSONWebKey{}, fmt.Errorf("no encryption key for %s in jwks", alg)
	}
	return dp.keys.Keys[i], nil
}

func isEC(k jose.JSONWebKey) bool {
	_, ok := k.Key.(*ecdsa.PublicKey)
	return ok
}

// encrypt wraps a JWS in a JWE for the data provider: its registered key
// and algorithms, or the sandbox's ECDH-ES key with A256GCM. The protected
// header holds alg and enc only (and epk for ECDH-ES), as the platform's.
func (p *Provider) encrypt(dp *DataProvider, jws string) (string, error) {
	alg, key := jose.ECDH_ES, p.keys.DataProviderEnc.Public()
	if dp.CheckTokenEncryptedAlg != "" {
		k, err := encryptionKey(dp)
		if err != nil {
			return "", err
		}
		alg, key = jose.KeyAlgorithm(dp.CheckTokenEncryptedAlg), k
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: alg, Key: key.Key}, nil)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt([]byte(jws))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
