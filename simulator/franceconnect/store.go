package franceconnect

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/expiry"
	"github.com/bacasable/bacasable/simulator/population"
)

// authRequest is a validated authorization request.
type authRequest struct {
	Client        *ServiceProvider
	RedirectURI   string
	State         string
	Nonce         string
	Scopes        []string // the known scopes asked, sorted (shared: never written)
	Scope         string   // Scopes space-joined, as the token answer's scope
	Ignored       []string // scopes FranceConnect does not know, ignored
	ACR           string   // the level FranceConnect kept from acr_values
	AMRRequested  bool     // claims asks for amr
	CodeChallenge string   // with Config.PKCE only
	IdpHint       string
	// Fault is the deliberate fault this login meets (a qualification
	// run's hostile FranceConnect); the zero Fault for none.
	Fault Fault
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
	// SessionID is the browser session (fc_session_id) that started the
	// login; the interaction's pages answer only that browser. Empty for a
	// login completed at once (X-Bacasable-Persona, the login queue).
	SessionID string
}

// session is FranceConnect's browser session (fc_session_id): 30 minutes,
// sliding; once someone logged in, a new login from the same browser for
// eidas1 skips the provider and the password (SSO, enableSso on fcp-low).
type session struct {
	ID      string
	Persona *population.Persona
	IdP     *IdentityProvider
}

// grant is what a login produced: the code, then the access token, carry it.
type grant struct {
	Req      *authRequest
	Persona  *population.Persona
	IdP      *IdentityProvider
	AuthTime time.Time
	// Sub is the persona's pairwise sub at the client, computed once at
	// login: the ID token and userinfo carry the same.
	Sub string
	// Removed are the claims a scenario took out of this login's identity.
	Removed []string
	// Login identifies the login (its interaction) in the journal's timeline.
	Login string
}

// authCode is a code in the store, until it expires: a used one is kept
// so that a replay is recognised (and its token revoked), and checked as
// a live one first (client, redirect_uri, PKCE: its Req). What only the
// token needs (pending) is dropped once the code is used: tens of
// thousands of used codes stay in the store under load.
type authCode struct {
	Req     *authRequest
	Persona *population.Persona
	pending *grant // nil once used
	Used    bool
	Token   string // access token issued from it, revoked if the code is replayed
}

type accessToken struct {
	grant
	Token    string
	JTI      string
	IssuedAt time.Time
	Expires  time.Time
	// introspected is what checktoken last told a data provider: the
	// token never changes, so neither does the answer (see introspect).
	introspected atomic.Pointer[introspected]
}

// introspected is a token's introspection for one data provider.
type introspected struct {
	dataProvider string
	in           Introspection
}

// scopeSets interns the sorted scope lists logins ask, with their
// space-joined form: the codes and tokens of tens of thousands of logins
// asking the same scopes share one list instead of keeping one each (one
// object fewer per login for the garbage collector to mark), and the
// token answer's scope is written as it is. Past maxScopeSets distinct
// lists (a flood of every combination), a login keeps its own.
type scopeSets struct {
	m sync.Map // joined → *scopeSet
	n atomic.Int32
}

type scopeSet struct {
	list   []string
	joined string
}

const maxScopeSets = 1024

// intern returns the shared list equal to list (sorted), and its joined
// form; list itself the first time or past maxScopeSets.
func (s *scopeSets) intern(list []string) ([]string, string) {
	joined := strings.Join(list, " ")
	if v, ok := s.m.Load(joined); ok {
		set := v.(*scopeSet)
		return set.list, set.joined
	}
	if s.n.Load() >= maxScopeSets {
		return list, joined
	}
	v, loaded := s.m.LoadOrStore(joined, &scopeSet{slices.Clip(list), joined})
	if !loaded {
		s.n.Add(1)
	}
	set := v.(*scopeSet)
	return set.list, set.joined
}

// Caps of the store, in count (each entry is small: a request's parameters
// are at most maxParamBytes each). Past a cap the entry that expires
// soonest is dropped: a login in progress, a code or a token the flood
// pushed out simply no longer works, as if it had expired.
const (
	maxInteractions = 10_000 // logins in progress (30 min each)
	maxSessions     = 10_000 // FranceConnect browser sessions (30 min, sliding)
	maxCodes        = 20_000 // authorization codes (30 s)
	maxTokens       = 50_000 // access tokens (60 s)
	maxAssertions   = 50_000 // jti of client assertions, until their exp
)

// store keeps the short-lived state of the provider in memory, bounded in
// count; expired entries leave as new ones arrive (expiry.Map).
type store struct {
	clock clock.Clock

	mu           sync.Mutex
	interactions *expiry.Map[*interaction]
	sessions     *expiry.Map[*session]
	// Codes and tokens are kept by value, each entry one object: tens of
	// thousands of them under load, which the garbage collector marks.
	codes      *expiry.Map[authCode]
	tokens     *expiry.Map[accessToken]
	assertions *expiry.Map[struct{}]
}

func newStore(c clock.Clock) *store {
	s := &store{clock: c}
	s.resetLocked()
	return s
}

func (s *store) resetLocked() {
	s.interactions = expiry.New[*interaction](maxInteractions)
	s.sessions = expiry.New[*session](maxSessions)
	s.codes = expiry.New[authCode](maxCodes)
	s.tokens = expiry.New[accessToken](maxTokens)
	s.assertions = expiry.New[struct{}](maxAssertions)
}

// randomToken returns n random bytes, base64url encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomTokenJTI returns an access token (32 random bytes) and its jti
// (16), base64url encoded, as randomToken makes them, in one allocation:
// a token kept in the store is one object fewer to the garbage collector.
func randomTokenJTI() (token, jti string) {
	enc := base64.RawURLEncoding
	const n = 43 // enc.EncodedLen(32); the jti's 16 bytes take 22
	var b [32 + 16]byte
	var text [n + 22]byte
	_, _ = rand.Read(b[:])
	enc.Encode(text[:n], b[:32])
	enc.Encode(text[n:], b[32:])
	s := string(text[:])
	return s[:n], s[n:]
}

func (s *store) newInteraction(req *authRequest, ttl time.Duration, sessionID string) *interaction {
	now := s.clock.Now()
	it := &interaction{UID: randomToken(16), Req: req, SessionID: sessionID}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interactions.Put(it.UID, it, now.Add(ttl), now)
	return it
}

// interaction returns a copy of the live interaction uid.
func (s *store) interaction(uid string) (interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions.Get(uid, s.clock.Now())
	if !ok {
		return interaction{}, false
	}
	return *it, true
}

// authenticate records who logged in during interaction uid, and in its
// browser session.
func (s *store) authenticate(uid string, p *population.Persona, idp *IdentityProvider, removed []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	it, ok := s.interactions.Get(uid, now)
	if !ok {
		return false
	}
	it.Persona, it.IdP, it.Removed = p, idp, removed
	if sess, ok := s.sessions.Get(it.SessionID, now); ok {
		sess.Persona, sess.IdP = p, idp
	}
	return true
}

// finish removes interaction uid: it ends in a redirect either way.
func (s *store) finish(uid string) (interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, exp, ok := s.interactions.Delete(uid)
	if !ok || s.clock.Now().After(exp) {
		return interaction{}, false
	}
	return *it, true
}

func (s *store) newCode(g grant, ttl time.Duration) string {
	now := s.clock.Now()
	code, exp := randomToken(32), now.Add(ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.codes.Make(code, exp, now) = authCode{Req: g.Req, Persona: g.Persona, pending: &g}
	return code
}

// exchange redeems a code for an access token in one step, so that a
// replay cannot slip between the two. check runs on the live code; when it
// fails the code stays usable. A code presented after it was used is
// refused and the access token it gave is revoked (RFC 6749 §4.1.2).
func (s *store) exchange(code string, ttl time.Duration, check func(*authCode) *Error) (*accessToken, *Error) {
	token, jti := randomTokenJTI() // outside the lock, as every random value of the store
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	// A used or expired code is kept until it leaves the store, so that a
	// replay is recognised.
	c, codeExp, ok := s.codes.Ref(code)
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
		s.tokens.Forget(c.Token)
		return nil, errInvalidGrant("authorization code already consumed", "Y0416228")
	case now.After(codeExp):
		s.codes.Delete(code)
		return nil, errInvalidGrant("authorization code is expired", "Y043F0A8")
	}
	exp := now.Add(ttl)
	t := s.tokens.Make(token, exp, now)
	t.grant, t.Token, t.JTI, t.IssuedAt, t.Expires = *c.pending, token, jti, now, exp
	c.Used, c.Token, c.pending = true, t.Token, nil
	return t, nil
}

// codePersona returns the persona and client of a live code, without
// consuming it (for choosing the token step's scenario).
func (s *store) codePersona(code string) (*population.Persona, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.codes.Get(code, s.clock.Now()); ok {
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
	t, _, ok := s.tokens.Ref(token)
	if !ok {
		return nil, "jeton d'accès inconnu ou révoqué"
	}
	if now := s.clock.Now(); now.After(t.Expires) {
		return nil, fmt.Sprintf("jeton d'accès expiré depuis %s (il vit %s)", now.Sub(t.Expires).Round(time.Second), t.Expires.Sub(t.IssuedAt))
	}
	return t, ""
}

// tokenOwner is the client an access token was issued to, live or expired
// but not yet forgotten ("" when unknown): the journal names it.
func (s *store) tokenOwner(token string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, _, ok := s.tokens.Ref(token); ok {
		return t.Req.Client.ID
	}
	return ""
}

// revoke forgets an access token issued to clientID; false when the token
// belongs to another client.
func (s *store) revoke(token, clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _, ok := s.tokens.Ref(token)
	if !ok {
		return true
	}
	if t.Req.Client.ID != clientID {
		return false
	}
	s.tokens.Forget(token)
	return true
}

// useAssertion records a client assertion's jti until exp; false when
// already seen.
func (s *store) useAssertion(jti string, exp time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if _, seen := s.assertions.Get(jti, now); seen {
		return false
	}
	s.assertions.Put(jti, struct{}{}, exp, now)
	return true
}

// sweep drops what expired and says how many.
func (s *store) sweep() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	return s.interactions.DropExpired(now) + s.sessions.DropExpired(now) + s.codes.DropExpired(now) +
		s.tokens.DropExpired(now) + s.assertions.DropExpired(now)
}

// reset forgets everything.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

// newSession opens a browser session and returns its id.
func (s *store) newSession(ttl time.Duration) string {
	now := s.clock.Now()
	id := randomToken(48)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions.Put(id, &session{ID: id}, now.Add(ttl), now)
	return id
}

// session returns a copy of the live session id and slides its expiry.
func (s *store) session(id string, ttl time.Duration) (session, bool) {
	if id == "" {
		return session{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	sess, ok := s.sessions.Get(id, now)
	if !ok {
		return session{}, false
	}
	s.sessions.Extend(id, now.Add(ttl))
	return *sess, true
}

// rotateSession gives a live session a new id, as the platform does when
// SSO applies (sessionService.duplicate); the old id no longer works.
func (s *store) rotateSession(id string, ttl time.Duration) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	sess, ok := s.sessions.Get(id, now)
	if !ok {
		return "", false
	}
	s.sessions.Delete(id)
	c := *sess
	c.ID = randomToken(48)
	s.sessions.Put(c.ID, &c, now.Add(ttl), now)
	return c.ID, true
}

// endSession forgets a browser session (logout).
func (s *store) endSession(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions.Delete(id)
}
