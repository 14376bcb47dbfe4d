// Package demoville is « Démoville », the website of a fictitious
// municipality served by the sandbox under /demoville/. It offers two online
// services that need the household's tax data:
//
//   - the school canteen, priced by the quotient familial (revenu fiscal de
//     référence and nombre de parts), and
//   - the residential parking permit, granted when the fiscal address on
//     1 January lies in the parking zone.
//
// It is written as a vendor should integrate FranceConnect and the DGFiP's
// API Impôt particulier, so that its code can be read as the reference
// integration: it talks to the sandbox over HTTP only, exactly as it would
// talk to the real platforms, and never reaches into the sandbox's
// internals.
//
// The files follow the chain of a démarche:
//
//	site.go          Config, New, Routes, home page, logout
//	session.go       the server-side session behind an opaque cookie
//	fc.go            the OpenID Connect relying party (FranceConnect v2)
//	impots.go        the gateway token, the API call and its error mapping
//	cantine.go       the canteen tariff (quotient familial → bracket)
//	stationnement.go the residential parking permit (fiscal address → zone)
//	compte.go        the « compte Démoville »: local login, SPI mode
//	pages.go         templates and the one error page
package demoville

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/banner"
	"github.com/bacasable/bacasable/simulator/internal/pagetmpl"
)

// Config configures Démoville. Zero values take the defaults in comments.
type Config struct {
	// PublicURL is the base URL browsers use, e.g. http://localhost:8080.
	// Pages live under PublicURL + "/demoville/", the FranceConnect redirect
	// URI is PublicURL + "/demoville/callback" and the post-logout redirect
	// URI PublicURL + "/demoville/". FranceConnect's issuer is expected to be
	// PublicURL + "/api/v2". Required.
	PublicURL string
	// BackChannelURL is the base URL this server uses for its own calls
	// (discovery, token, userinfo, JWKS, the DGFiP gateway and API), when the
	// server cannot reach PublicURL itself — typically in a container where
	// PublicURL is the host's address. Default: PublicURL.
	BackChannelURL string

	// ClientID and ClientSecret are Démoville's FranceConnect service
	// provider credentials (client_secret_post). Required.
	ClientID, ClientSecret string

	// GatewayClientID and GatewayClientSecret authenticate Démoville to the
	// DGFiP's API gateway (client credentials); Teleservice is the
	// ID_Teleservice of its habilitation. Defaults: "bacasable-demo",
	// "bacasable-demo-secret" and "BACASABLE-DEMO", the sandbox's demo
	// habilitation for the canteen and the residential parking.
	GatewayClientID, GatewayClientSecret, Teleservice string

	// Brackets are the canteen's tariff brackets by quotient familial,
	// ascending; the last one has no ceiling (MaxQF 0). Default:
	// DefaultBrackets().
	Brackets []Bracket
	// ParkingZone lists the places where a residential parking permit is
	// granted, each as "postal code, space, commune name", e.g. "33130 Bègles".
	// An address is in the zone when both its postal code and its commune
	// match one entry (a postal code may cover several communes); case,
	// accents, hyphens and ST/SAINT do not matter. No Insee code is needed:
	// the API gives the address as written on the avis. Default:
	// DefaultParkingZone().
	ParkingZone []string
	// Accounts are the « comptes Démoville », local accounts whose profile
	// holds the household's SPI, for the API's SPI mode. Default:
	// DefaultAccounts().
	Accounts []LocalAccount

	// Clock tells the time for sessions, login state and nonce expiry, and
	// ID token validation: pass the sandbox's clock so that its tokens are
	// judged by the same time. Default: time.Now.
	Clock func() time.Time
	// Logger receives the technical details of every failure. Default: discard.
	Logger *slog.Logger
	// HTTPClient makes the back-channel calls. Default: a client with a 10 s
	// timeout.
	HTTPClient *http.Client
	// Banner, when set, says what changes the sandbox's behaviour now
	// (scenarios in force, a moved clock); every page shows it in its
	// warning, with a link to the console that clears it. Default: none.
	Banner func() *banner.Banner
}

// Bracket is one tariff of the canteen.
type Bracket struct {
	// Code names the tariff, e.g. "A".
	Code string
	// MaxQF is the highest quotient familial of the bracket, in whole euros,
	// inclusive; 0 on the last bracket, which has no ceiling.
	MaxQF int
	// MealCents is the price of one meal, in euro cents.
	MealCents int
}

// LocalAccount is a « compte Démoville »: an account of the municipality's
// own, whose profile holds the SPI (numéro fiscal, 13 digits) the citizen
// gave when creating it. A real site stores a password hash, never the
// password.
type LocalAccount struct {
	Login, Password string
	DisplayName     string
	SPI             string
}

// DefaultBrackets is the canteen's tariff grid by quotient familial QF =
// revenu fiscal de référence / 12 / nombre de parts, rounded down to the euro:
//
//	QF ≤ 400 €  → A 0,50 €
//	QF ≤ 700 €  → B 1,50 €
//	QF ≤ 1000 € → C 2,80 €
//	QF ≤ 1500 € → D 3,90 €
//	above       → E 4,90 €
//
// With the fixtures, the DUBOIS household (login test: rfr 41 220, 3 parts,
// QF 1 145 €) pays D, the N'DIAYE household (6 parts, QF 705 €) C.
func DefaultBrackets() []Bracket {
	return []Bracket{
		{Code: "A", MaxQF: 400, MealCents: 50},
		{Code: "B", MaxQF: 700, MealCents: 150},
		{Code: "C", MaxQF: 1000, MealCents: 280},
		{Code: "D", MaxQF: 1500, MealCents: 390},
		{Code: "E", MaxQF: 0, MealCents: 490},
	}
}

// DefaultParkingZone is the zone of Démoville's residential parking, laid
// over Bègles and its neighbour Villenave-d'Ornon so that the fixtures show
// both answers: the DUBOIS household (login test, fiscal address in Bègles)
// is granted the permit, Nadia BOUZID (login nadia.bouzid, who lives in
// Vincennes but whose fiscal address is in Noisy-le-Grand 93160) is refused.
func DefaultParkingZone() []string {
	return []string{"33130 Bègles", "33140 Villenave-d'Ornon"}
}

// DefaultAccounts are three comptes Démoville, password "demoville", on
// households of the fixtures: Angela DUBOIS (the same household as the
// FranceConnect login test), the N'DIAYE family (6 parts) and Charles-Édouard
// DE MONTFORT (high income).
func DefaultAccounts() []LocalAccount {
	return []LocalAccount{
		{Login: "angela.dubois", Password: "demoville", DisplayName: "Angela DUBOIS", SPI: "3999999887219"},
		{Login: "moussa.ndiaye", Password: "demoville", DisplayName: "Moussa N'DIAYE", SPI: "3999999818150"},
		{Login: "charles.demontfort", Password: "demoville", DisplayName: "Charles-Édouard DE MONTFORT", SPI: "3999999821153"},
	}
}

// Site is Démoville: its pages, its FranceConnect relying party and its API
// Impôt particulier client.
type Site struct {
	cfg       Config
	log       *slog.Logger
	publicURL string // without trailing slash
	base      string // path of the site as browsers see it: PublicURL's path + "/demoville"
	fc        *relyingParty
	impots    *impotsClient
	sessions  *sessionStore
	pages     *pagetmpl.Set // parsed on first use, or by WarmUp
	zone      []zoneEntry
	csrf      *http.CrossOriginProtection
}

var spiPattern = regexp.MustCompile(`^[0-9]{13}$`)

// New checks cfg, fills in the defaults and builds the site. It makes no
// network call: FranceConnect's discovery document is fetched at the first
// login, so New can run before the sandbox listens.
func New(cfg Config) (*Site, error) {
	public, err := baseURL("PublicURL", cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	if cfg.BackChannelURL == "" {
		cfg.BackChannelURL = public.String()
	}
	back, err := baseURL("BackChannelURL", cfg.BackChannelURL)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("demoville: ClientID and ClientSecret (FranceConnect credentials) are required")
	}
	switch {
	case cfg.GatewayClientID == "" && cfg.GatewayClientSecret == "":
		cfg.GatewayClientID, cfg.GatewayClientSecret = "bacasable-demo", "bacasable-demo-secret"
	case cfg.GatewayClientID == "" || cfg.GatewayClientSecret == "":
		return nil, errors.New("demoville: GatewayClientID and GatewayClientSecret go together")
	}
	if cfg.Teleservice == "" {
		cfg.Teleservice = "BACASABLE-DEMO"
	}
	if cfg.Brackets == nil {
		cfg.Brackets = DefaultBrackets()
	}
	if err := checkBrackets(cfg.Brackets); err != nil {
		return nil, err
	}
	if cfg.ParkingZone == nil {
		cfg.ParkingZone = DefaultParkingZone()
	}
	zone, err := parseZone(cfg.ParkingZone)
	if err != nil {
		return nil, err
	}
	if cfg.Accounts == nil {
		cfg.Accounts = DefaultAccounts()
	}
	if err := checkAccounts(cfg.Accounts); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	client := backChannelClient(cfg.HTTPClient, public, back)

	s := &Site{
		cfg:       cfg,
		log:       cfg.Logger,
		publicURL: public.String(),
		base:      public.Path + "/demoville",
		sessions:  newSessionStore(cfg.Clock, public.Path+"/demoville/", public.Scheme == "https"),
		pages:     pagetmpl.New(templateFS, "templates", templateFuncs),
		zone:      zone,
		csrf:      http.NewCrossOriginProtection(),
	}
	s.fc = &relyingParty{
		issuer:        s.publicURL + "/api/v2",
		clientID:      cfg.ClientID,
		clientSecret:  cfg.ClientSecret,
		redirectURI:   s.publicURL + "/demoville/callback",
		postLogoutURI: s.publicURL + "/demoville/",
		client:        client,
		now:           cfg.Clock,
	}
	s.impots = newImpotsClient(impotsConfig{
		APIURL:       back.String() + "/impotparticulier/1.0",
		TokenURL:     back.String() + "/token",
		ClientID:     cfg.GatewayClientID,
		ClientSecret: cfg.GatewayClientSecret,
		Teleservice:  cfg.Teleservice,
		Client:       client,
		Logger:       cfg.Logger,
	})
	s.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &problem{
			Status: http.StatusForbidden, Title: "Demande refusée",
			Message: "Cette demande ne vient pas d'une page de Démoville. Par sécurité, elle n'a pas été prise en compte.",
			Detail:  "requête cross-origin refusée (Sec-Fetch-Site / Origin)", Level: slog.LevelWarn,
		})
	}))
	return s, nil
}

// Sweep forgets the expired sessions and says how many.
func (s *Site) Sweep() int { return s.sessions.sweep() }

// WarmUp parses the pages, which are otherwise parsed when the first is
// shown: the sandbox calls it once it answers.
func (s *Site) WarmUp() { s.pages.Warm() }

// Routes mounts every page of Démoville on r, under /demoville/. This is the
// whole surface of the site.
func (s *Site) Routes(r *mux.Router) {
	r.Handle("/demoville", http.RedirectHandler(s.base+"/", http.StatusMovedPermanently))
	d := r.MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
		return strings.HasPrefix(req.URL.Path, "/demoville/")
	}).Subrouter()
	d.Use(s.secure)
	get := func(path string, h http.HandlerFunc) { d.HandleFunc(path, h).Methods(http.MethodGet, http.MethodHead) }
	post := func(path string, h http.HandlerFunc) { d.HandleFunc(path, h).Methods(http.MethodPost) }

	get("/demoville/", s.home) // also where FranceConnect returns after logout
	for _, svc := range []*service{cantine, stationnement} {
		get("/demoville/"+svc.Slug, s.servicePage(svc))
		get("/demoville/"+svc.Slug+"/connexion", s.startFranceConnect(svc)) // → FranceConnect
		post("/demoville/"+svc.Slug+"/compte", s.withAccount(svc))          // SPI mode, compte Démoville
		get("/demoville/"+svc.Slug+"/resultat", s.resultPage(svc))
	}
	get("/demoville/callback", s.callback)  // FranceConnect's redirect_uri
	get("/demoville/erreur", s.problemPage) // where a démarche that failed ends
	get("/demoville/compte", s.accountPage)
	post("/demoville/compte/connexion", s.accountLogin)
	post("/demoville/deconnexion", s.logout)

	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &problem{Status: http.StatusNotFound, Title: "Page introuvable",
			Message: "Cette page n'existe pas sur le site de Démoville.", Level: slog.LevelInfo})
	})
	d.NotFoundHandler = s.secure(notFound)
	d.MethodNotAllowedHandler = s.secure(notFound)
}

// secure adds the protections every page of a démarche needs: CSRF
// protection of the forms (Go's CrossOriginProtection checks Sec-Fetch-Site
// or Origin on POST), a strict Content-Security-Policy (no script at all;
// forms, and the redirects they lead to, only towards Démoville and
// FranceConnect's origin), no framing, no caching of personal data and no
// referrer (the callback's URL carries the code).
func (s *Site) secure(next http.Handler) http.Handler {
	csp := "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self' " + originOf(s.fc.issuer)
	return s.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	}))
}

// home is the welcome page: the two services, FranceConnect and the compte
// Démoville. FranceConnect's session/end sends the browser back here with
// the state of the logout, which is checked before saying « déconnecté ».
func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	var notice string
	s.sessions.update(r, func(ss *session) { notice, ss.Flash = ss.Flash, "" })
	if state := r.URL.Query().Get("state"); state != "" {
		if want := s.sessions.get(r).LogoutState; want != "" && want == state {
			notice = "Vous êtes déconnecté(e) de Démoville et de FranceConnect."
			s.sessions.destroy(w, r)
		} else {
			s.log.WarnContext(r.Context(), "demoville: return from FranceConnect's logout with an unknown state")
		}
	}
	s.render(w, r, http.StatusOK, "home.html", page{
		Title: "Accueil", Session: s.sessions.get(r), Notice: notice,
		Data: map[string]any{"Services": []*service{cantine, stationnement}},
	})
}

// servicePage describes a service: which data it fetches, and the two ways
// in (FranceConnect, compte Démoville).
func (s *Site) servicePage(svc *service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, svc.Slug+".html", page{
			Title: svc.Name, Session: s.sessions.get(r),
			Data: map[string]any{"Service": svc, "Brackets": bracketRows(s.cfg.Brackets), "Zone": s.zoneLabels()},
		})
	}
}

// resultPage shows the outcome the last démarche stored in the session
// (post/redirect/get: reloading the page does not call the API again).
func (s *Site) resultPage(svc *service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessions.get(r)
		res := sess.Results[svc.Slug]
		if res == nil {
			http.Redirect(w, r, s.base+"/"+svc.Slug, http.StatusSeeOther)
			return
		}
		s.render(w, r, http.StatusOK, svc.Slug+"_resultat.html", page{Title: svc.Name, Session: sess, Data: res})
	}
}

// logout ends the Démoville session. After a FranceConnect login it must
// also end the FranceConnect session: the browser goes to session/end with
// the ID token as id_token_hint, a fresh state and the registered
// post_logout_redirect_uri, and FranceConnect sends it back to the home
// page, which checks the state.
func (s *Site) logout(w http.ResponseWriter, r *http.Request) {
	sess := s.sessions.get(r)
	s.sessions.destroy(w, r)
	if sess.FC == nil {
		s.sessions.create(w, func(n *session) { n.Flash = "Vous êtes déconnecté(e) de Démoville." })
		http.Redirect(w, r, s.base+"/", http.StatusSeeOther)
		return
	}
	state := randomToken()
	target, err := s.fc.endSessionURL(r.Context(), sess.FC.IDToken, state)
	if err != nil {
		// The local session is gone anyway; say so rather than fail.
		s.log.ErrorContext(r.Context(), "demoville: FranceConnect logout", "err", err)
		s.sessions.create(w, func(n *session) {
			n.Flash = "Vous êtes déconnecté(e) de Démoville. FranceConnect ne répond pas : fermez votre navigateur pour terminer aussi votre session FranceConnect."
		})
		http.Redirect(w, r, s.base+"/", http.StatusSeeOther)
		return
	}
	s.sessions.create(w, func(n *session) { n.LogoutState = state })
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// baseURL checks an http(s) base URL and drops its trailing slash.
func baseURL(name, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("demoville: %s %q must be like http://localhost:8080", name, raw)
	}
	return u, nil
}

func originOf(base string) string {
	u, _ := url.Parse(base)
	return u.Scheme + "://" + u.Host
}

func checkBrackets(bs []Bracket) error {
	if len(bs) == 0 {
		return errors.New("demoville: Brackets is empty")
	}
	prev := -1
	for i, b := range bs {
		last := i == len(bs)-1
		switch {
		case b.Code == "":
			return fmt.Errorf("demoville: bracket %d has no Code", i+1)
		case b.MealCents < 0:
			return fmt.Errorf("demoville: bracket %s: negative price", b.Code)
		case last && b.MaxQF != 0:
			return fmt.Errorf("demoville: the last bracket (%s) must have no ceiling (MaxQF 0)", b.Code)
		case !last && b.MaxQF <= prev:
			return fmt.Errorf("demoville: bracket %s: MaxQF %d must be above the previous bracket's (%d)", b.Code, b.MaxQF, prev)
		}
		prev = b.MaxQF
	}
	return nil
}

func checkAccounts(as []LocalAccount) error {
	seen := map[string]bool{}
	for _, a := range as {
		switch {
		case a.Login == "" || a.Password == "":
			return errors.New("demoville: an account has no Login or Password")
		case seen[a.Login]:
			return fmt.Errorf("demoville: account %q appears twice", a.Login)
		case !spiPattern.MatchString(a.SPI):
			return fmt.Errorf("demoville: account %q: SPI %q is not 13 digits", a.Login, a.SPI)
		}
		seen[a.Login] = true
	}
	return nil
}

// service is one online service of Démoville: what it asks FranceConnect
// for, and how it decides from the household's tax situation.
type service struct {
	Slug    string   // in the URLs: /demoville/{slug}
	Name    string   // « Inscription à la cantine scolaire »
	Summary string   // one sentence for the home page
	Scopes  []string // FranceConnect scopes: identity, and the dgfip_* data consented to
	Data    []string // the tax data used, as the citizen reads them
	// decide turns the situation into the outcome, or into a problem when
	// the data needed are missing.
	decide func(s *Site, sit *situationIR) (*outcome, *problem)
}

func serviceBySlug(slug string) *service {
	if slug == stationnement.Slug {
		return stationnement
	}
	return cantine
}

// outcome is the result of a démarche, kept in the session for the result
// page. It holds only what the page shows: Démoville keeps no tax data
// beyond the session.
type outcome struct {
	Service   string
	Holder    string    // whose household: the FranceConnect identity or the account's name
	Email     string    // where to confirm, when FranceConnect gave it
	Via       string    // how the data came: « FranceConnect » or « compte Démoville »
	At        time.Time // when the DGFiP answered
	Reference string    // X-Correlation-ID of the API call, for the support
	Year      int       // revenue year of the avis used
	Cantine   *cantineResult
	Parking   *parkingResult
}

// runDemarche fetches the household's latest tax situation, lets svc decide
// and shows the outcome, or a friendly error page: either way a page of its
// own the browser is sent to (post/redirect/get), which reloading or coming
// back to shows again without calling the API.
func (s *Site) runDemarche(w http.ResponseWriter, r *http.Request, svc *service, who subject, holder, email, via string) {
	back, backLabel := s.base+"/"+svc.Slug, "Revenir à « "+svc.Name+" »"
	sit, ref, err := s.impots.derniereSituation(r.Context(), who)
	if err != nil {
		p := apiProblem(err, who.SPI != "")
		p.Back, p.BackLabel = back, backLabel
		s.failAndRedirect(w, r, p)
		return
	}
	o, p := svc.decide(s, sit)
	if p != nil {
		p.Ref, p.Back, p.BackLabel = ref, back, backLabel
		s.failAndRedirect(w, r, p)
		return
	}
	o.Service, o.Holder, o.Email, o.Via, o.At, o.Reference = svc.Slug, holder, email, via, s.cfg.Clock(), ref
	s.sessions.update(r, func(ss *session) { ss.setResult(o) })
	http.Redirect(w, r, s.base+"/"+svc.Slug+"/resultat", http.StatusSeeOther)
}

// missingData is the problem of an answer without the data a service needs:
// the habilitation or the citizen's consent did not cover them.
func missingData(what string) *problem {
	return &problem{
		Status: http.StatusBadGateway, Title: "Informations fiscales incomplètes",
		Message: "L'administration fiscale ne nous a pas transmis toutes les informations nécessaires (" + what + ").",
		Hint:    depositHint,
		Detail:  "réponse de l'API sans " + what, Level: slog.LevelWarn,
	}
}
