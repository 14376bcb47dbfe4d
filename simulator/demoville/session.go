package demoville

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/bacasable/bacasable/simulator/expiry"
)

// Lifetimes of what the session holds.
const (
	// sessionTTL is how long a session lives without activity.
	sessionTTL = time.Hour
	// loginTTL is how long a FranceConnect login may take, from the click to
	// the callback: after it, its state and nonce are refused. FranceConnect
	// itself gives 30 minutes.
	loginTTL = 15 * time.Minute
	// maxPendingLogins bounds the logins in progress in one session (one per
	// browser tab, in practice).
	maxPendingLogins = 5
)

// sessionCookie names the cookie. It holds only an opaque random identifier:
// state, nonce, ID token and tax data stay on the server.
const sessionCookie = "demoville_session"

// session is what Démoville remembers about a browser.
type session struct {
	// Logins are the FranceConnect logins in progress, by state.
	Logins map[string]pendingLogin
	// FC is set after a FranceConnect login; its ID token is needed to log
	// out of FranceConnect.
	FC *fcSession
	// Account is set after a compte Démoville login.
	Account *LocalAccount
	// Results holds the outcome of each service's last démarche, by slug.
	Results map[string]*outcome
	// Problem is why the last démarche failed, for /demoville/erreur.
	Problem *problem
	// LogoutState is the state of the logout sent to FranceConnect.
	LogoutState string
	// Flash is a one-time message for the next page.
	Flash string
}

// pendingLogin is a FranceConnect login between the redirect to authorize
// and the callback.
type pendingLogin struct {
	Service string // slug of the service that asked
	State   string // against CSRF on the callback
	Nonce   string // binds the ID token to this login
	Expires time.Time
}

// fcSession is the FranceConnect login of the session.
type fcSession struct {
	IDToken string // raw, the id_token_hint of the logout
	Name    string // given names and family name, for the header
}

// sessionView is a copy of a session, for reading; ID is "" when the
// browser has no live session.
type sessionView struct {
	ID string
	session
}

// Name is who is logged in, for the header.
func (v sessionView) Name() string {
	switch {
	case v.FC != nil:
		return v.FC.Name
	case v.Account != nil:
		return v.Account.DisplayName
	}
	return ""
}

// sessionStore keeps the sessions in memory: the sandbox runs one process,
// and a restart logs everybody out, which is fine for a demonstration. A
// real site with several instances shares them (database, Redis…).
type sessionStore struct {
	now    func() time.Time
	path   string
	secure bool

	mu       sync.Mutex
	sessions *expiry.Map[*session]
}

// maxSessions bounds the sessions: anyone may open one by visiting a page.
// Past it the session that expires soonest is dropped.
const maxSessions = 20_000

func newSessionStore(now func() time.Time, path string, secure bool) *sessionStore {
	return &sessionStore{now: now, path: path, secure: secure, sessions: expiry.New[*session](maxSessions)}
}

// sessionIDKey carries, in a request's context, the identifier a handler
// gave the session after rotating it: from then on the request belongs to
// the new session, although its Cookie header still names the old one.
type sessionIDKey struct{}

// sessionID is the identifier of r's session, live or not.
func sessionID(r *http.Request) string {
	if id, ok := r.Context().Value(sessionIDKey{}).(string); ok {
		return id
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// live returns r's session when it has not expired. Callers hold mu.
func (st *sessionStore) live(r *http.Request) (string, *session) {
	id := sessionID(r)
	s, ok := st.sessions.Get(id, st.now())
	if !ok {
		return "", nil
	}
	return id, s
}

// get returns a copy of r's session, or the zero view.
func (st *sessionStore) get(r *http.Request) sessionView {
	st.mu.Lock()
	defer st.mu.Unlock()
	id, s := st.live(r)
	if s == nil {
		return sessionView{}
	}
	v := sessionView{ID: id, session: *s}
	v.Logins = maps.Clone(s.Logins)
	v.Results = maps.Clone(s.Results)
	return v
}

// update runs fn on r's session, if it has one, and extends its life.
func (st *sessionStore) update(r *http.Request, fn func(*session)) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, s := st.live(r)
	if s == nil {
		return false
	}
	fn(s)
	st.sessions.Extend(sessionID(r), st.now().Add(sessionTTL))
	return true
}

// create starts a new session initialised by fn, sets its cookie and
// returns its identifier.
func (st *sessionStore) create(w http.ResponseWriter, fn func(*session)) string {
	s := &session{}
	if fn != nil {
		fn(s)
	}
	return st.put(w, s)
}

// ensure runs fn on r's session, creating one when there is none.
func (st *sessionStore) ensure(w http.ResponseWriter, r *http.Request, fn func(*session)) {
	if !st.update(r, fn) {
		st.create(w, fn)
	}
}

// rotate gives r's session a new identifier, applying fn, and returns the
// request as belonging to it: called on every login, so that an identifier
// planted before the login (session fixation) is worthless after it.
func (st *sessionStore) rotate(w http.ResponseWriter, r *http.Request, fn func(*session)) *http.Request {
	st.mu.Lock()
	id, old := st.live(r)
	if old != nil {
		st.sessions.Delete(id)
	}
	st.mu.Unlock()
	s := &session{}
	if old != nil {
		*s = *old
	}
	fn(s)
	id = st.put(w, s)
	return r.WithContext(context.WithValue(r.Context(), sessionIDKey{}, id))
}

// destroy forgets r's session and clears its cookie.
func (st *sessionStore) destroy(w http.ResponseWriter, r *http.Request) {
	st.mu.Lock()
	if id, s := st.live(r); s != nil {
		st.sessions.Delete(id)
	}
	st.mu.Unlock()
	http.SetCookie(w, st.cookie("", -1))
}

func (st *sessionStore) put(w http.ResponseWriter, s *session) string {
	id := randomToken()
	now := st.now()
	st.mu.Lock()
	// Expired sessions leave as new ones come (expiry.Map: no scan).
	st.sessions.Put(id, s, now.Add(sessionTTL), now)
	st.mu.Unlock()
	http.SetCookie(w, st.cookie(id, 0))
	return id
}

// sweep drops the expired sessions and says how many.
func (st *sessionStore) sweep() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sessions.DropExpired(st.now())
}

// cookie is the session cookie: a browser-session cookie (no Max-Age),
// HttpOnly, Secure over https, SameSite=Lax — Lax, not Strict, because the
// FranceConnect callback is a top-level navigation coming from another site
// and must carry it.
func (st *sessionStore) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: sessionCookie, Value: value, Path: st.path, MaxAge: maxAge,
		HttpOnly: true, Secure: st.secure, SameSite: http.SameSiteLaxMode,
	}
}

// addLogin records a login in progress, dropping the oldest beyond
// maxPendingLogins and those expired.
func (s *session) addLogin(l pendingLogin, now time.Time) {
	if s.Logins == nil {
		s.Logins = map[string]pendingLogin{}
	}
	for k, p := range s.Logins {
		if now.After(p.Expires) {
			delete(s.Logins, k)
		}
	}
	for len(s.Logins) >= maxPendingLogins {
		var oldest string
		for k, p := range s.Logins {
			if oldest == "" || p.Expires.Before(s.Logins[oldest].Expires) {
				oldest = k
			}
		}
		delete(s.Logins, oldest)
	}
	s.Logins[l.State] = l
}

// setResult stores the outcome of a démarche.
func (s *session) setResult(o *outcome) {
	if s.Results == nil {
		s.Results = map[string]*outcome{}
	}
	s.Results[o.Service] = o
}

// randomToken returns 32 random bytes in base64url: 43 characters, for
// session identifiers, state and nonce (FranceConnect requires a nonce of
// at least 22 characters; 32 before late 2023).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}
