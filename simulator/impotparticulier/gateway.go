package impotparticulier

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/expiry"
	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/jsonenc"
)

// gatewayToken is a client-credentials access token of the gateway.
type gatewayToken struct {
	Client  *GatewayClient
	Scopes  []string
	Expires time.Time
}

// maxGatewayTokens bounds the live gateway tokens (public demo credentials
// issue them unauthenticated, each living an hour); past it, the token that
// expires soonest is dropped.
const maxGatewayTokens = 100_000

// gateway issues and checks the gateway's tokens, and counts calls per
// ID_Teleservice for the quotas.
type gateway struct {
	clock clock.Clock

	mu     sync.Mutex
	tokens *expiry.Map[*gatewayToken]
	calls  map[string]*minuteCount
}

type minuteCount struct {
	minute time.Time
	n      int
}

func newGateway(c clock.Clock) *gateway {
	return &gateway{clock: c, tokens: expiry.New[*gatewayToken](maxGatewayTokens), calls: map[string]*minuteCount{}}
}

func (g *gateway) issue(c *GatewayClient, scopes []string, ttl time.Duration) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	now := g.clock.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens.Put(tok, &gatewayToken{Client: c, Scopes: scopes, Expires: now.Add(ttl)}, now.Add(ttl), now)
	return tok
}

// check returns the live token, or why not.
func (g *gateway) check(tok string) (*gatewayToken, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, _, ok := g.tokens.Peek(tok)
	switch {
	case !ok:
		return nil, "jeton de la passerelle inconnu"
	case g.clock.Now().After(t.Expires):
		return nil, "jeton de la passerelle expiré"
	}
	return t, ""
}

// count records one call for id and tells whether it stays within quota
// calls in the current minute of the clock; when over, it returns how long
// until the next minute.
func (g *gateway) count(id string, quota int) (bool, time.Duration) {
	now := g.clock.Now()
	minute := now.Truncate(time.Minute)
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.calls[id]
	if !ok || !c.minute.Equal(minute) {
		c = &minuteCount{minute: minute}
		g.calls[id] = c
	}
	c.n++
	if c.n > quota {
		return false, minute.Add(time.Minute).Sub(now)
	}
	return true, 0
}

// token is POST /token: OAuth2 client credentials, client authenticated by
// HTTP Basic or by client_id/client_secret in the form.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.writeOAuthError(w, r, oauthError{http.StatusBadRequest, "invalid_request", "the request body could not be read"})
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	journal.SetClient(r.Context(), id)
	client, ok := a.habilitations.Client(id)
	if id == "" || !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) != 1 {
		a.writeOAuthError(w, r, oauthError{http.StatusUnauthorized, "invalid_client", "Client Authentication failed."})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		a.writeOAuthError(w, r, oauthError{http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type value: « " + gt + " » (client_credentials expected)"})
		return
	}
	requested := strings.Fields(r.PostForm.Get("scope"))
	allowed := client.Scopes()
	if len(requested) == 0 {
		// Like a WSO2 gateway, no scope gives the "default" scope, which
		// opens no resource.
		requested = []string{"default"}
	}
	for _, s := range requested {
		if s != "default" && !slices.Contains(allowed, s) {
			a.writeOAuthError(w, r, oauthError{http.StatusBadRequest, "invalid_scope", "The requested scope is invalid, unknown, or malformed: « " + s + " » is not granted to this client (granted: " + strings.Join(allowed, " ") + ")"})
			return
		}
	}
	tok := a.gateway.issue(client, requested, a.cfg.TokenTTL)
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = contentTypeJSON, noStore
	w.WriteHeader(http.StatusOK)
	body := appendTokenAnswer(getBody(), tok, requested, a.cfg.TokenTTL)
	_, _ = w.Write(body) // net/http and the journal copy what they keep
	putBody(body)
}

// Header values the gateway's answers share: set as h[key] = value, they
// cost no allocation; nothing changes them in place (Header.Add copies).
var (
	contentTypeJSON = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// appendTokenAnswer writes the token answer as encoding/json writes the
// map {access_token, expires_in, scope, token_type} (keys sorted), and a
// newline.
func appendTokenAnswer(b []byte, token string, scopes []string, ttl time.Duration) []byte {
	b = append(b, `{"access_token":`...)
	b = jsonenc.AppendString(b, token)
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, int64(ttl/time.Second), 10)
	b = append(b, `,"scope":`...)
	b = jsonenc.AppendString(b, strings.Join(scopes, " "))
	return append(b, `,"token_type":"Bearer"}`+"\n"...)
}

// sweep drops the expired tokens and says how many.
func (g *gateway) sweep() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokens.DropExpired(g.clock.Now())
}

// reset forgets every token and call count.
func (g *gateway) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokens = expiry.New[*gatewayToken](maxGatewayTokens)
	g.calls = map[string]*minuteCount{}
}
