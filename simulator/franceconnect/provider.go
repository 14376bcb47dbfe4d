package franceconnect

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/banner"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/internal/pagetmpl"
	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// People is what the provider needs from the population.
type People interface {
	ByLogin(login string) (*population.Persona, bool)
	BySPI(spi string) (*population.Persona, bool)
	Search(query string) []*population.Persona
	COG() *population.COG
}

var (
	_ People = (*population.Population)(nil)
	_ People = (*population.Live)(nil)
)

// Config configures the provider. Zero values take the defaults in comments,
// which are fcp-low's.
type Config struct {
	// Issuer is {public-url}/api/v2; every URL the provider advertises is
	// built from it.
	Issuer  string
	Clients *Registry
	People  People
	Clock   clock.Clock  // default: real time
	Logger  *slog.Logger // default: discard
	Keys    *Keys        // default: generated at start
	// Scenarios chooses the named behaviours; default: none.
	Scenarios scenario.Player
	// Banner, when set, makes every page show, in its sandbox warning, the
	// scenarios in force and a moved clock, with a link to the console
	// that clears them (simulator/banner). Default: no banner.
	Banner func() *banner.Banner

	NonceMinLength int           // default 22 (was 32 before late 2023)
	CodeTTL        time.Duration // default 30 s, single use
	AccessTokenTTL time.Duration // default 60 s
	IDTokenTTL     time.Duration // default 60 s
	SessionTTL     time.Duration // default 1800 s: how long a login may take, and the browser session (sliding)
	// PKCE accepts code_challenge and code_challenge_method at authorize
	// and code_verifier at the token endpoint. The real fcp-low refuses
	// them (its authorize DTO has no such parameter), so this is a
	// departure for clients that cannot turn PKCE off. Default: false.
	PKCE bool
	// PairwiseSalt is the secret of the pairwise sub; keep it to keep subs
	// stable across restarts. Default "bacasable".
	PairwiseSalt string
}

func (c *Config) setDefaults() error {
	if c.Issuer == "" || c.Clients == nil || c.People == nil {
		return errors.New("franceconnect: Issuer, Clients and People are required")
	}
	c.Issuer = strings.TrimRight(c.Issuer, "/")
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Scenarios == nil {
		c.Scenarios = noScenarios{}
	}
	if c.NonceMinLength == 0 {
		c.NonceMinLength = 22
	}
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setDur(&c.CodeTTL, 30*time.Second)
	setDur(&c.AccessTokenTTL, 60*time.Second)
	setDur(&c.IDTokenTTL, 60*time.Second)
	setDur(&c.SessionTTL, 1800*time.Second)
	if c.PairwiseSalt == "" {
		c.PairwiseSalt = "bacasable"
	}
	return nil
}

// Provider is the emulated FranceConnect.
type Provider struct {
	cfg       Config
	keys      *Keys
	log       *slog.Logger
	store     *store
	scopeSets scopeSets
	pages     *pagetmpl.Set // parsed on first use, or by WarmUp
	scenarios scenario.Player
	queue     loginQueue
	csrf      *http.CrossOriginProtection
	hostile   hostile
	// basePath is the issuer's path ("/api/v2"), where routes are mounted;
	// sandboxURL the sandbox's own address, the issuer without it, for the
	// links of the pages' sandbox aids.
	basePath, sandboxURL string
}

// New builds the provider.
func New(cfg Config) (*Provider, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	keys := cfg.Keys
	if keys == nil {
		var err error
		if keys, err = generateKeysInBackground(); err != nil {
			return nil, err
		}
	}
	base, err := pathOf(cfg.Issuer)
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: cfg, keys: keys, log: cfg.Logger, store: newStore(cfg.Clock), pages: pagetmpl.New(templateFS, "templates", nil), basePath: base,
		sandboxURL: strings.TrimSuffix(cfg.Issuer, base), scenarios: cfg.Scenarios,
		csrf: http.NewCrossOriginProtection()}, nil
}

// Keys returns the provider's signing keys.
func (p *Provider) Keys() *Keys { return p.keys }

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Routes mounts every FranceConnect route on r. This is the whole surface;
// each route answers the methods the platform routes (a GET-only route
// answers another method with the Y000404 page, as NestJS does).
func (p *Provider) Routes(r *mux.Router) {
	// GET /api/v2 sends the user to the public site (CoreFcpController).
	r.HandleFunc(p.basePath, p.home).Methods(http.MethodGet)
	s := r.PathPrefix(p.basePath).Subrouter()
	// Each handler is wrapped once here rather than by the subrouter's
	// middleware, which wraps it again at every request.
	route := func(path string, h http.HandlerFunc, methods ...string) {
		s.Handle(path, securityHeaders(h)).Methods(methods...)
	}
	// mux tries the routes in order, each a regexp: a login's three
	// requests come first.
	route("/authorize", p.authorize, http.MethodGet, http.MethodPost)
	route("/token", p.token, http.MethodPost)
	route("/userinfo", p.userinfo, http.MethodGet)
	route("/.well-known/openid-configuration", p.discovery, http.MethodGet)
	route("/jwks", p.jwks, http.MethodGet)
	route("/interaction/{uid}", p.chooseProvider, http.MethodGet)
	route("/interaction/{uid}/idp/{idp}", p.loginPage, http.MethodGet)
	route("/interaction/{uid}/login", p.login, http.MethodPost)
	route("/interaction/{uid}/consent", p.consentPage, http.MethodGet)
	route("/interaction/{uid}/consent", p.consent, http.MethodPost)
	route("/interaction/{uid}/abort", p.abort, http.MethodPost)
	route("/redirect-to-sp-with-error", p.redirectToSPWithError, http.MethodGet)
	route("/session/end", p.endSession, http.MethodGet)
	route("/session/end/success", p.logoutSuccess, http.MethodGet)
	route("/token/revocation", p.revoke, http.MethodPost)
	route("/checktoken", p.checktoken, http.MethodPost)
	// The jwks_uri of data providers that registered no key (sandbox only).
	r.HandleFunc(DataProviderJWKSPath+"{id}/jwks", p.dataProviderJWKS).Methods(http.MethodGet)
	s.NotFoundHandler = securityHeaders(http.HandlerFunc(p.notFound))
	s.MethodNotAllowedHandler = securityHeaders(http.HandlerFunc(p.notFound))
}

// ContentSecurityPolicy is fcp-low's policy: helmet's defaults without
// form-action, which FranceConnect removes so that its forms and redirects
// may go to any service or identity provider
// (back/instances/core-fcp-low/src/main.ts). upgrade-insecure-requests is
// left out: the sandbox is served over http on a laptop.
const ContentSecurityPolicy = "default-src 'self';base-uri 'self';font-src 'self' https: data:;frame-ancestors 'self';" +
	"img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'"

// helmetHeaders are the headers helmet gives every answer of the
// platform, their names in canonical form; the pages carry no script at
// all.
var helmetHeaders = [...][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Origin-Agent-Cluster", "?1"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Dns-Prefetch-Control", "off"},
	{"X-Download-Options", "noopen"},
	{"X-Frame-Options", "SAMEORIGIN"},
	{"X-Permitted-Cross-Domain-Policies", "none"},
}

// helmetValues are helmetHeaders' values, each a slice of its own with no
// room to grow: securityHeaders puts the same slices in every answer, and
// nothing changes a header value in place (Header.Add on them copies).
var helmetValues = func() (v [len(helmetHeaders)][]string) {
	for i, kv := range helmetHeaders {
		v[i] = shareHeader(kv[0], kv[1])
	}
	return v
}()

// shareHeader is the value of a header the answers share, declared to the
// journal, which keeps a reference to it rather than a copy
// (journal.ShareHeader).
func shareHeader(name, value string) []string {
	v := []string{value}
	journal.ShareHeader(name, v)
	return v
}

// securityHeaders sets helmetHeaders, as Header.Set would, without an
// allocation of its own.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for i, kv := range helmetHeaders {
			h[kv[0]] = helmetValues[i]
		}
		next.ServeHTTP(w, r)
	})
}

// Header values the back-channel answers share, set as securityHeaders
// sets helmet's (see helmetValues).
var (
	contentTypeJSON = shareHeader("Content-Type", "application/json; charset=utf-8")
	contentTypeJWT  = shareHeader("Content-Type", "application/jwt; charset=utf-8")
	noStore         = shareHeader("Cache-Control", "no-store")
)

// DataProviderJWKSPath prefixes the jwks_uri the sandbox serves for data
// providers: {public-url}/_bacasable/fournisseurs-de-donnees/{client_id}/jwks.
const DataProviderJWKSPath = "/_bacasable/fournisseurs-de-donnees/"

// PublicSite is where GET /api/v2 sends the user.
const PublicSite = "https://franceconnect.gouv.fr"

func (p *Provider) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Location", PublicSite)
	w.WriteHeader(http.StatusMovedPermanently)
	_, _ = w.Write([]byte("Moved Permanently. Redirecting to " + PublicSite))
}

// notFound is the platform's 404 page (Y000404), for an unknown path and
// for a method the path does not take.
func (p *Provider) notFound(w http.ResponseWriter, r *http.Request) {
	p.writeErrorPage(w, r, errPageNotFound().WithHint("FranceConnect n'a pas de route %s %s", r.Method, echoed(r.URL.Path)))
}

// maxFormBytes bounds every form body the provider reads.
const maxFormBytes = 64 << 10

// parseForm reads the query and a bounded form body.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	return r.ParseForm()
}
