// Package simulator composes the sandbox: it loads the fixtures, builds each
// emulated service and mounts them all on one router. New is the one
// constructor; cmd/bacasable only turns flags into a Config.
package simulator

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/scenarios"
	"github.com/bacasable/bacasable/simulator/banner"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/console"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/demoville"
	"github.com/bacasable/bacasable/simulator/fixture"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// Config configures the sandbox. Zero values take the defaults in comments.
type Config struct {
	// PublicURL is the base URL browsers and clients use, e.g.
	// http://localhost:8080. The FranceConnect issuer is PublicURL + "/api/v2".
	PublicURL string
	// Fixtures holds personas.yaml, clients.yaml and cog/. Default: the
	// embedded fixtures.
	Fixtures fs.FS
	// Clock is the one clock of every service; the control API moves it.
	// Default: a virtual clock reading real time until moved.
	Clock *clock.Virtual
	// Logger receives one line per request and the services' messages.
	// Default: discard.
	Logger *slog.Logger
	// Keys are FranceConnect's signing keys. Default: generated at start.
	Keys *franceconnect.Keys
	// Contracts holds the OpenAPI contracts. Default: the embedded openapi/.
	Contracts fs.FS
	// Scenarios holds the scenario files. Default: the embedded scenarios/.
	Scenarios fs.FS
	// Generate, when set, adds personas and foyers made at start to those
	// of Fixtures, checked like them (population.Generator.Documents).
	// Default: none.
	Generate func(cog *population.COG) ([]population.Document, error)

	// FranceConnect rules and lifetimes; zero takes fcp-low's value.
	NonceMinLength int // 22
	// PKCE accepts code_challenge at authorize, which fcp-low refuses: a
	// departure for clients that cannot turn PKCE off (--pkce).
	PKCE           bool
	CodeTTL        time.Duration // 30 s
	AccessTokenTTL time.Duration // 60 s
	IDTokenTTL     time.Duration // 60 s
	SessionTTL     time.Duration // 30 min

	// API Impôt particulier.
	GatewayTokenTTL time.Duration             // 1 h
	Calendar        impotparticulier.Calendar // revenue year N-1 available on 22 July of N
	// BareErrors sends the DGFiP's error messages without the sandbox's
	// explanation appended.
	BareErrors bool
	// JournalSize is how many requests the journal keeps; default 5000.
	JournalSize int
	// BackChannelURL is where the sandbox's own Démoville reaches the
	// services from inside (e.g. http://127.0.0.1:8080 when the public URL
	// is a container's external name). Default: PublicURL.
	BackChannelURL string
	// ControlToken, when set, is the bearer token every caller of the
	// control API (/_bacasable/api/) must present, loopback included.
	// Default: none, and the control API answers loopback callers only.
	ControlToken string
}

// Sandbox is the composed sandbox.
type Sandbox struct {
	handler          http.Handler
	static           map[routeKey]http.Handler // the routes served without matching (matched)
	warmUps          []func()                  // what WarmUp makes, in order
	resetClock       func()
	endStreams       func()
	sweepers         []func() int
	Population       *population.Live
	Scenarios        *scenario.Engine
	Clock            *clock.Virtual
	Journal          *journal.Journal
	Clients          *franceconnect.Registry
	FranceConnect    *franceconnect.Provider
	ImpotParticulier *impotparticulier.API
}

// WarmUp makes what the start leaves until the sandbox answers (each is
// also made on its first need): the embedded population, the embedded
// contracts and the RSA key, in the background, then the pages of
// FranceConnect, Démoville and the console and the embedded Insee
// reference, before it returns. cmd/bacasable calls it once it listens.
func (sb *Sandbox) WarmUp() {
	for _, warm := range sb.warmUps {
		warm()
	}
}

// New loads the fixtures and builds every service. A fixture error names
// the file and the line.
func New(cfg Config) (*Sandbox, error) {
	if cfg.PublicURL == "" {
		return nil, fmt.Errorf("simulator: PublicURL is required")
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("simulator: public URL %q must be like http://localhost:8080", cfg.PublicURL)
	}
	publicURL := strings.TrimRight(cfg.PublicURL, "/")
	embeddedFixtures := cfg.Fixtures == nil
	if embeddedFixtures {
		cfg.Fixtures = fixtures.FS()
	}
	embeddedContracts := cfg.Contracts == nil
	if embeddedContracts {
		cfg.Contracts = openapi.FS()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.NewVirtual()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// The embedded contracts, known to load (the tests check them), are
	// loaded once the sandbox answers (WarmUp) or on their service's first
	// call, whichever comes first: a third of the start's work. Contracts
	// from a directory load in the background while New goes on, and are
	// waited for before it returns, so that their errors stop the start.
	load := openapi.LoadInBackground
	if embeddedContracts {
		load = openapi.LoadLater
	}
	apiLoading := load(cfg.Contracts, impotparticulier.ContractFile, impotparticulier.BasePath)
	controlLoading := load(cfg.Contracts, control.ContractFile, control.BasePath)
	embeddedScenarios := cfg.Scenarios == nil
	if embeddedScenarios {
		cfg.Scenarios = scenarios.FS()
	}
	// The embedded population was checked against the embedded COG by the
	// tests: the COG, another third of the start's work, is read once the
	// sandbox answers (WarmUp) or on its first use. Other fixtures, and a
	// generated population, are checked against it now.
	checkedByTests := embeddedFixtures && cfg.Generate == nil
	// The embedded population with the embedded scenarios, which the tests
	// build, is read once the sandbox answers, scenarios first: the
	// scenarios' YAML was a third of what the start had left to do. Other
	// scenarios are read now, so that their errors stop the start.
	later := checkedByTests && embeddedScenarios
	loadScenarios := sync.OnceValues(func() (*scenario.Set, error) { return scenario.Load(cfg.Scenarios) })
	if !later {
		if _, err := loadScenarios(); err != nil {
			return nil, err
		}
	}
	var cog *population.COG
	if checkedByTests {
		cog = population.LazyCOG(cfg.Fixtures)
	} else if cog, err = population.LoadCOG(cfg.Fixtures); err != nil {
		return nil, err
	}
	src := population.Source{Fixtures: cfg.Fixtures, Generate: cfg.Generate, COGChecked: checkedByTests}
	build := func() (*population.Population, error) {
		set, err := loadScenarios()
		if err != nil {
			return nil, err
		}
		pop, err := population.Build(src, cog)
		if err != nil {
			return nil, err
		}
		return pop, checkPersonaScenarios(pop, set)
	}
	var pop *population.Live
	if later {
		// Read once the sandbox answers (WarmUp) or on its first use, like
		// the COG; it was the largest part of what the start had left to
		// do.
		pop = population.NewLiveLater(build)
	} else {
		loaded, err := build()
		if err != nil {
			return nil, err
		}
		pop = population.NewLive(loaded)
	}
	var controlContract *openapi.Contract // nil: the control API waits for it
	if !embeddedContracts {
		if controlContract, err = controlLoading.Wait(); err != nil {
			return nil, err
		}
		if _, err := apiLoading.Wait(); err != nil {
			return nil, err
		}
	}
	engine := scenario.NewEngineLater(loadScenarios, cfg.Clock) // loaded above unless later
	clockStart := cfg.Clock.State()
	// The banner of FranceConnect's and Démoville's pages: the scenarios in
	// force and a moved clock, with the console's link that clears them.
	bannerSource := &banner.Source{Scenarios: engine, Clock: cfg.Clock, Start: clockStart, PublicURL: publicURL}
	clients, err := franceconnect.LoadClients(cfg.Fixtures)
	if err != nil {
		return nil, err
	}
	if err := clients.AddServiceProvider(demovilleClient(publicURL)); err != nil {
		return nil, err
	}
	fc, err := franceconnect.New(franceconnect.Config{
		Issuer: publicURL + "/api/v2", Clients: clients, People: pop, Clock: cfg.Clock, Logger: cfg.Logger, Keys: cfg.Keys,
		Scenarios: engine, Banner: bannerSource.Banner,
		NonceMinLength: cfg.NonceMinLength, PKCE: cfg.PKCE, CodeTTL: cfg.CodeTTL, AccessTokenTTL: cfg.AccessTokenTTL,
		IDTokenTTL: cfg.IDTokenTTL, SessionTTL: cfg.SessionTTL,
	})
	if err != nil {
		return nil, err
	}

	habilitations, err := impotparticulier.LoadHabilitations(cfg.Fixtures)
	if err != nil {
		return nil, err
	}
	api, err := impotparticulier.New(impotparticulier.Config{
		Contract: cfg.Contracts, Loading: apiLoading, Habilitations: habilitations, Households: pop, Introspector: fc,
		Clock: cfg.Clock, Logger: cfg.Logger, TokenTTL: cfg.GatewayTokenTTL, Calendar: cfg.Calendar,
		ExplainErrors: !cfg.BareErrors, Scenarios: engine,
	})
	if err != nil {
		return nil, err
	}

	jr := journal.New(cfg.Clock, cfg.JournalSize)
	r := mux.NewRouter()
	site, err := demoville.New(demoville.Config{
		PublicURL: publicURL, BackChannelURL: cfg.BackChannelURL, ClientID: demovilleClientID, ClientSecret: demovilleSecret,
		GatewayClientID: "bacasable-demo", GatewayClientSecret: "bacasable-demo-secret", Teleservice: "BACASABLE-DEMO",
		Clock: cfg.Clock.Now, Logger: cfg.Logger, Banner: bannerSource.Banner,
	})
	if err != nil {
		return nil, err
	}
	fc.Routes(r)
	api.Routes(r)
	site.Routes(r)
	// ── Control API (simulator/control): /_bacasable/api/ ──
	var sb *Sandbox // its Reset resets everything, once built below
	ctl, err := control.New(control.Config{
		Contracts: cfg.Contracts, Loaded: controlContract, Loading: controlLoading, Population: pop, Scenarios: engine, Clock: cfg.Clock, ClockStart: &clockStart,
		Calendar: cfg.Calendar,
		Logins:   fc, Faults: fc, ServiceProviders: clients, GatewayClients: habilitations,
		Reset: func() { sb.Reset() }, Token: cfg.ControlToken, Logger: cfg.Logger, Journal: jr, PublicURL: publicURL,
	})
	if err != nil {
		return nil, err
	}
	ctl.Routes(r)
	// ── end of control API ──
	con, err := console.New(console.Config{PublicURL: publicURL, Logger: cfg.Logger, PlaceName: placeName(pop)})
	if err != nil {
		return nil, err
	}
	con.Routes(r)
	r.HandleFunc("/", home(publicURL)).Methods(http.MethodGet)
	// Ready once built, and answered, so listening: what the start leaves
	// for later (the embedded population and contracts) is waited for by
	// the requests that need it.
	r.HandleFunc(HealthPath, health).Methods(http.MethodGet, http.MethodHead)
	r.NotFoundHandler = http.HandlerFunc(notFound)

	static := staticRoutes(r)
	sb = &Sandbox{
		resetClock: func() { cfg.Clock.Restore(clockStart) },
		endStreams: ctl.EndStreams,
		sweepers:   []func() int{fc.Sweep, api.Sweep, site.Sweep},
		handler:    recoverer(cfg.Logger, logRequests(cfg.Logger, cfg.Clock, jr.Middleware(serviceOf, api.Direct(matched(r, static))))),
		static:     static,
		warmUps: []func(){pop.Start, apiLoading.Start, controlLoading.Start, fc.WarmUp, site.WarmUp, con.WarmUp,
			func() { pop.COG().Warm() }},
		Journal:    jr,
		Population: pop, Clients: clients, FranceConnect: fc, ImpotParticulier: api, Scenarios: engine, Clock: cfg.Clock,
	}
	return sb, nil
}

// Reset returns the sandbox to its start: the loaded population, no
// scenario activation, the clock as configured at start, no service
// provider registered at run time, and no code, token, login in progress or
// quota count.
func (s *Sandbox) Reset() {
	s.Population.Reset()
	s.Scenarios.ClearAll()
	s.resetClock()
	s.FranceConnect.Reset()
	s.Clients.ResetRegistered()
	s.ImpotParticulier.Reset()
}

// Sweep forgets what expired in every store (logins in progress, sessions,
// codes, tokens, gateway tokens, Démoville's sessions) and says how many
// entries left. Stores drop expired entries as new ones arrive; an idle
// sandbox calls Sweep from time to time (the binary does, every 10 s).
func (s *Sandbox) Sweep() int {
	n := 0
	for _, f := range s.sweepers {
		n += f()
	}
	return n
}

// EndStreams ends the journal's live streams (the console's), now and
// for good: a server shutting down calls it first, or Shutdown would wait
// for them until its deadline (http.Server.RegisterOnShutdown).
func (s *Sandbox) EndStreams() { s.endStreams() }

// Handler returns the sandbox's HTTP handler.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// HealthPath answers 200 {"status":"ok"} once the sandbox serves: for a
// container's HEALTHCHECK (bacasable health) and CI jobs waiting for it.
const HealthPath = "/_bacasable/health"

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "bacasable: rien à l'adresse %s\nFranceConnect : /api/v2/.well-known/openid-configuration\n", r.URL.Path)
}

// checkPersonaScenarios reports personas naming a scenario no file declares.
func checkPersonaScenarios(pop *population.Population, set *scenario.Set) error {
	var errs fixture.Errors
	for _, p := range pop.Personas() {
		if p.Scenario == "" {
			continue
		}
		if _, ok := set.Get(p.Scenario); !ok {
			errs = append(errs, &fixture.Error{File: population.PersonasFile,
				Msg: fmt.Sprintf("persona %q: scenario %q is not declared in scenarios/ (known: %s)", p.ID, p.Scenario, strings.Join(set.Names(), ", "))})
		}
	}
	return errs.Err()
}

// serviceOf names the emulated service a request is for, as the journal
// records it; other requests (console, demo pages) are not recorded.
func serviceOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/v2/"):
		return "franceconnect"
	case p == "/token":
		return "passerelle"
	case strings.HasPrefix(p, impotparticulier.BasePath+"/"):
		return "impotparticulier"
	}
	return ""
}

// Démoville's registration at FranceConnect: its URIs follow the public URL.
const (
	demovilleClientID = "demoville"
	demovilleSecret   = "demoville-secret"
)

func demovilleClient(publicURL string) franceconnect.ServiceProvider {
	return franceconnect.ServiceProvider{
		ID: demovilleClientID, Secret: demovilleSecret, Name: "Mairie de Démoville (commune fictive)",
		RedirectURIs:           []string{publicURL + "/demoville/callback"},
		PostLogoutRedirectURIs: []string{publicURL + "/demoville/"},
		Scopes: []string{"openid", "identite_pivot", "email", "dgfip_rfr", "dgfip_nbpart", "dgfip_sitfam", "dgfip_nbpac", "dgfip_pac",
			"dgfip_pariso", "dgfip_aft", "dgfip_annee_n_moins_2_si_indispo_n_moins_1"},
	}
}

// placeName names an Insee commune or country code, for the console.
func placeName(pop *population.Live) func(string) (string, bool) {
	return func(code string) (string, bool) {
		cog := pop.COG()
		if c, ok := cog.Commune(code); ok {
			return c.Name, true
		}
		if c, ok := cog.Country(code); ok {
			return c.Name, true
		}
		return "", false
	}
}
