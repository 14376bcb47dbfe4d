package franceconnect

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/population"
)

// authRequest is a validated authorization request.
type authRequest struct {
	Client        *ServiceProvider
	RedirectURI   string
	State         string
	Nonce         string
	Scopes        []string // the known scopes asked, sorted
	Ignored       []string // scopes FranceConnect does not know, ignored
	ACR           string   // the level FranceConnect kept from acr_values
	AMRRequested  bool     // claims asks for amr
	CodeChallenge string   // with Config.PKCE only
	IdpHint       string
	// fragment sends errors in the redirect_uri's fragment: the
	// response_type asked for a token (node-oidc-provider's rule).
	fragment bool
}

// interaction is one login in progress, between authorize and the redirect
// back to the client.
type interaction struct {
	UID     string
	Req     *authRequest
	Persona *population.Persona
	IdP     *IdentityProvider
	Removed []string // claims a scenario took out of the identity
	Expires time.Time
}

// grant is what a login produced: the code, then the access token, carry it.
type grant struct {
	Req      *authRequest
	Persona  *population.Persona
	IdP      *IdentityProvider
	AuthTime time.Time
	// Removed are the claims a scenario took out of this login's identity.
	Removed []string
	// Login identifies the login (its interaction) in the journal's timeline.
	Login string
}

type authCode struct {
	grant
	Code    string
	Expires time.Time
	Used    bool
	Token   string // access token issued from it, revoked if the code is replayed
}

type accessToken struct {
	grant
	Token    string
	JTI      string
	IssuedAt time.Time
	Expires  time.Time
}

// store keeps the short-lived state of the provider in memory. Entries are
// dropped once expired (swept as new ones arrive), so memory stays bounded
// by what a minute or thirty of traffic creates.
type store struct {
	clock clock.Clock

	mu           sync.Mutex
	interactions map[string]*interaction
	codes        map[string]*authCode
	tokens       map[string]*accessToken
	assertions   map[string]time.Time // jti of client assertions seen, until their exp
	writes       int
}

func newStore(c clock.Clock) *store {
	return &store{
		clock:        c,
		interactions: map[string]*interaction{},
		codes:        map[string]*authCode{},
		tokens:       map[string]*accessToken{},
		assertions:   map[string]time.Time{},
	}
}

// randomToken returns n random bytes, base64url encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sweepLocked drops expired entries every 256 writes.
func (s *store) sweepLocked() {
	s.writes++
	if s.writes%256 != 0 {
		return
	}
	now := s.clock.Now()
	for k, v := range s.interactions {
		if now.After(v.Expires) {
			delete(s.interactions, k)
		}
	}
	for k, v := range s.codes {
		// A used code is kept until it expires to detect replays.
		if now.After(v.Expires) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.tokens {
		if now.After(v.Expires) {
			delete(s.tokens, k)
		}
	}
	for k, exp := range s.assertions {
		if now.After(exp) {
			delete(s.assertions, k)
		}
	}
}

func (s *store) newInteraction(req *authRequest, ttl time.Duration) *interaction {
	it := &interaction{UID: randomToken(16), Req: req, Expires: s.clock.Now().Add(ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	s.interactions[it.UID] = it
	return it
}

// interaction returns a copy of the live interaction uid.
func (s *store) interaction(uid string) (interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[uid]
	if !ok || s.clock.Now().After(it.Expires) {
		return interaction{}, false
	}
	return *it, true
}

// authenticate records who logged in during interaction uid.
func (s *store) authenticate(uid string, p *population.Persona, idp *IdentityProvider, removed []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[uid]
	if !ok || s.clock.Now().After(it.Expires) {
		return false
	}
	it.Persona, it.IdP, it.Removed = p, idp, removed
	return true
}

// finish removes interaction uid: it ends in a redirect either way.
func (s *store) finish(uid string) (interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[uid]
	delete(s.interactions, uid)
	if !ok || s.clock.Now().After(it.Expires) {
		return interaction{}, false
	}
	return *it, true
}

func (s *store) newCode(g grant, ttl time.Duration) string {
	c := &authCode{grant: g, Code: randomToken(32), Expires: s.clock.Now().Add(ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	s.codes[c.Code] = c
	return c.Code
}

// exchange redeems a code for an access token in one step, so that a
// replay cannot slip between the two. check runs on the live code; when it
// fails the code stays usable. A code presented after it was used is
// refused and the access token it gave is revoked (RFC 6749 §4.1.2).
func (s *store) exchange(code string, ttl time.Duration, check func(*authCode) *Error) (*accessToken, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	c, ok := s.codes[code]
	if !ok {
		return nil, errInvalidGrant("authorization code not found", "Y049E20B")
	}
	// As node-oidc-provider: client, redirect_uri and PKCE first, so a
	// wrong replay neither consumes nor revokes anything.
	if err := check(c); err != nil {
		return nil, err
	}
	switch {
	case c.Used:
		delete(s.tokens, c.Token)
		return nil, errInvalidGrant("authorization code already consumed", "Y0416228")
	case now.After(c.Expires):
		delete(s.codes, code)
		return nil, errInvalidGrant("authorization code is expired", "Y043F0A8")
	}
	s.sweepLocked()
	t := &accessToken{grant: c.grant, Token: randomToken(32), JTI: randomToken(16), IssuedAt: now, Expires: now.Add(ttl)}
	s.tokens[t.Token] = t
	c.Used, c.Token = true, t.Token
	return t, nil
}

// codePersona returns the persona and client of a live code, without
// consuming it (for choosing the token step's scenario).
func (s *store) codePersona(code string) (*population.Persona, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.codes[code]; ok {
		return c.Persona, c.Req.Client.ID
	}
	return nil, ""
}

// accessToken returns the token if it is known and alive, else why not, in
// French for the journal (the platform says "access token not found" in
// both cases: its store forgets a token when it expires).
func (s *store) accessToken(token string) (*accessToken, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok {
		return nil, "jeton d'accès inconnu ou révoqué"
	}
	if now := s.clock.Now(); now.After(t.Expires) {
		return nil, fmt.Sprintf("jeton d'accès expiré depuis %s (il vit %s)", now.Sub(t.Expires).Round(time.Second), t.Expires.Sub(t.IssuedAt))
	}
	return t, ""
}

// revoke forgets an access token issued to clientID; false when the token
// belongs to another client.
func (s *store) revoke(token, clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok {
		return true
	}
	if t.Req.Client.ID != clientID {
		return false
	}
	delete(s.tokens, token)
	return true
}

// useAssertion records a client assertion's jti; false when already seen.
func (s *store) useAssertion(jti string, exp time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, seen := s.assertions[jti]; seen {
		return false
	}
	s.sweepLocked()
	s.assertions[jti] = exp
	return true
}

// reset forgets everything.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interactions = map[string]*interaction{}
	s.codes = map[string]*authCode{}
	s.tokens = map[string]*accessToken{}
	s.assertions = map[string]time.Time{}
}
