package demoville_test

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/demoville"
	"github.com/bacasable/bacasable/simulator/franceconnect"
)

// After the 2026 taxation date: the latest avis is on the revenues of 2025.
var frozen = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const (
	clientID     = "demoville"
	clientSecret = "demoville-secret"
	nbsp         = "\u00a0"
)

var (
	keysOnce sync.Once
	fcKeys   *franceconnect.Keys
)

// env is the sandbox and Démoville on one router behind an httptest server,
// as the binary mounts them, under a frozen clock.
type env struct {
	t   *testing.T
	URL string
	// seen counts the requests each server received, by path.
	mu   sync.Mutex
	seen map[string]map[string]int
}

// options of newEnv.
type envOptions struct {
	backChannel bool                                      // serve a second server and use it as BackChannelURL
	transport   func(http.RoundTripper) http.RoundTripper // wraps Démoville's back-channel transport
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	keysOnce.Do(func() {
		k, err := franceconnect.GenerateKeys()
		if err != nil {
			panic(err)
		}
		fcKeys = k
	})
	e := &env{t: t, seen: map[string]map[string]int{}}
	public := httptest.NewUnstartedServer(nil)
	e.URL = "http://" + public.Listener.Addr().String()
	clk := clock.NewFrozen(frozen)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))

	// The sandbox registers Démoville at FranceConnect with URIs on its
	// public URL; this test mounts its own Démoville in front of the
	// sandbox's to vary the configuration.
	sb, err := simulator.New(simulator.Config{PublicURL: e.URL, Clock: clk, Keys: fcKeys, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg := demoville.Config{
		PublicURL: e.URL, ClientID: clientID, ClientSecret: clientSecret,
		Clock: clk.Now, Logger: log,
	}
	var back *httptest.Server
	if opts.backChannel {
		back = httptest.NewUnstartedServer(nil)
		cfg.BackChannelURL = "http://" + back.Listener.Addr().String()
	}
	if opts.transport != nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: opts.transport(http.DefaultTransport)}
	}
	site, err := demoville.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	site.Routes(r)
	r.PathPrefix("/").Handler(sb.Handler())

	public.Config.Handler = e.count("public", r)
	public.Start()
	t.Cleanup(public.Close)
	if back != nil {
		back.Config.Handler = e.count("back", r)
		back.Start()
		t.Cleanup(back.Close)
	}
	return e
}

func (e *env) count(server string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		if e.seen[server] == nil {
			e.seen[server] = map[string]int{}
		}
		e.seen[server][r.URL.Path]++
		e.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (e *env) requests(server, path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seen[server][path]
}

// browser is a user agent with a cookie jar. With a persona, it adds the
// sandbox's X-Bacasable-Persona header to FranceConnect's authorize, which
// then logs the persona in and consents at once.
type browser struct {
	t       *testing.T
	env     *env
	persona string
	// tamper, when set, may change a request before it leaves, as an
	// attacker in the middle would.
	tamper  func(*http.Request)
	client  *http.Client
	visited []*url.URL // every redirect followed
}

func (e *env) browser(persona string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	b := &browser{t: e.t, env: e, persona: persona}
	b.client = &http.Client{
		Jar:       jar,
		Transport: personaTransport{b},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			b.visited = append(b.visited, req.URL)
			if len(via) > 15 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return b
}

type personaTransport struct{ b *browser }

func (p personaTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.b.persona != "" && req.URL.Path == "/api/v2/authorize" {
		req = req.Clone(req.Context())
		req.Header.Set(franceconnect.PersonaHeader, p.b.persona)
	}
	if p.b.tamper != nil {
		req = req.Clone(req.Context())
		p.b.tamper(req)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// page is an answer after every redirect was followed.
type page struct {
	Status int
	URL    *url.URL // the last URL
	Body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: resp.StatusCode, URL: resp.Request.URL, Body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.env.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.env.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// visitedPath returns the first redirect followed to path.
func (b *browser) visitedPath(path string) *url.URL {
	for _, u := range b.visited {
		if u.Path == path {
			return u
		}
	}
	return nil
}

func (p page) contains(t *testing.T, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.Body, w) {
			t.Errorf("%s (%d): page lacks %q\n%s", p.URL, p.Status, w, p.Body)
		}
	}
}

func TestCantineWithFranceConnect(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser("test")
	p := b.get("/demoville/cantine/connexion")
	if p.Status != http.StatusOK || p.URL.Path != "/demoville/cantine/resultat" {
		t.Fatalf("ended on %s with %d\n%s", p.URL, p.Status, p.Body)
	}
	// rfr 41 220, 3 parts: QF = 41 220 / 12 / 3 = 1 145 € → D, 3,90 €.
	p.contains(t, "Tarif D : 3,90"+nbsp+"€ par repas", "1"+nbsp+"145"+nbsp+"€", "41"+nbsp+"220"+nbsp+"€",
		"<td>3</td>", "2025 (avis d'imposition 2026)", "marié(e)s", "via FranceConnect", "Angela Claire Louise DUBOIS", "angela.dubois@bacasable.example",
		"Connecté(e) : <strong>Angela Claire Louise DUBOIS</strong>")

	// The authorization request, as a reviewer would check it.
	auth := b.visitedPath("/api/v2/authorize")
	if auth == nil {
		t.Fatalf("no redirect to authorize: %v", b.visited)
	}
	q := auth.Query()
	want := map[string]string{
		"client_id": clientID, "response_type": "code", "acr_values": "eidas1",
		"redirect_uri": e.URL + "/demoville/callback",
		"scope":        "openid identite_pivot email dgfip_rfr dgfip_nbpart dgfip_sitfam dgfip_nbpac dgfip_annee_n_moins_2_si_indispo_n_moins_1",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
		}
	}
	for _, k := range []string{"state", "nonce"} {
		if len(q.Get(k)) < 32 {
			t.Errorf("authorize %s %q: fewer than 32 characters", k, q.Get(k))
		}
	}
	// Only the parameters FranceConnect accepts: no PKCE, no response_mode.
	for k := range q {
		if !slices.Contains([]string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "acr_values"}, k) {
			t.Errorf("authorize carries %s, which FranceConnect refuses", k)
		}
	}

	// Reloading the result page does not call the API again.
	calls := e.requests("public", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans")
	b.get("/demoville/cantine/resultat").contains(t, "Tarif D")
	if n := e.requests("public", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans"); n != calls || n != 1 {
		t.Errorf("API called %d times, then %d", calls, n)
	}
}

func TestStationnement(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, tc := range []struct {
		persona string
		want    []string
	}{
		{"test", []string{"Carte accordée", "votre adresse fiscale au 1er janvier 2026 est à Bègles (33130), dans la zone de stationnement résidentiel",
			"12 RUE DES ECOLES 33130 BEGLES"}},
		{"nadia.bouzid", []string{"Carte refusée", "votre adresse fiscale au 1er janvier 2026 est à NOISY LE GRAND (93160), hors de la zone de stationnement résidentiel",
			"BAT 3 APT 93 10 RUE DU CENTRE 93160 NOISY LE GRAND"}},
	} {
		t.Run(tc.persona, func(t *testing.T) {
			b := e.browser(tc.persona)
			p := b.get("/demoville/stationnement/connexion")
			if p.URL.Path != "/demoville/stationnement/resultat" {
				t.Fatalf("ended on %s with %d\n%s", p.URL, p.Status, p.Body)
			}
			p.contains(t, tc.want...)
			if got := b.visitedPath("/api/v2/authorize").Query().Get("scope"); got != "openid identite_pivot dgfip_aft" {
				t.Errorf("scope %q", got)
			}
		})
	}
}

func TestCompteDemoville(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser("")

	// Without an account, the SPI démarche asks to log in first.
	p := b.post("/demoville/cantine/compte", nil)
	if p.URL.Path != "/demoville/compte" || p.URL.Query().Get("suite") != "cantine" {
		t.Fatalf("ended on %s", p.URL)
	}
	p = b.post("/demoville/compte/connexion", url.Values{"identifiant": {"angela.dubois"}, "mot_de_passe": {"faux"}, "suite": {"cantine"}})
	p.contains(t, "Identifiant ou mot de passe incorrect.")

	p = b.post("/demoville/compte/connexion", url.Values{"identifiant": {"angela.dubois"}, "mot_de_passe": {"demoville"}, "suite": {"cantine"}})
	if p.URL.Path != "/demoville/cantine" {
		t.Fatalf("after login, ended on %s", p.URL)
	}
	p.contains(t, "Calculer mon tarif avec mon compte Démoville", "(compte Démoville)")

	p = b.post("/demoville/cantine/compte", nil)
	if p.URL.Path != "/demoville/cantine/resultat" {
		t.Fatalf("ended on %s with %d\n%s", p.URL, p.Status, p.Body)
	}
	p.contains(t, "Tarif D : 3,90"+nbsp+"€ par repas", "1"+nbsp+"145"+nbsp+"€", "avec votre compte Démoville (numéro fiscal)")
	if e.requests("public", "/impotparticulier/1.0/spi/3999999887219/dernieresituation/ir/assiettes/deuxans") != 1 {
		t.Error("the SPI-mode resource was not called")
	}
	if e.requests("public", "/api/v2/authorize") != 0 {
		t.Error("FranceConnect was used")
	}

	// Logging out of a compte Démoville stays on Démoville.
	p = b.post("/demoville/deconnexion", nil)
	if p.URL.Path != "/demoville/" {
		t.Fatalf("logout ended on %s", p.URL)
	}
	p.contains(t, "Vous êtes déconnecté(e) de Démoville.")
}

func TestAccessDenied(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser("") // no persona: FranceConnect shows its pages
	p := b.get("/demoville/cantine/connexion")
	uid, ok := strings.CutPrefix(p.URL.Path, "/api/v2/interaction/")
	if !ok || p.Status != http.StatusOK {
		t.Fatalf("expected FranceConnect's provider choice, got %s (%d)", p.URL, p.Status)
	}
	// The citizen cancels on FranceConnect.
	p = b.post("/api/v2/interaction/"+uid+"/abort", nil)
	cb := b.visitedPath("/demoville/callback")
	if cb == nil || cb.Query().Get("error") != "access_denied" || cb.Query().Get("error_description") != "User auth aborted" {
		t.Fatalf("FranceConnect answered %v", cb)
	}
	if p.URL.Path != "/demoville/erreur" {
		t.Fatalf("ended on %s", p.URL)
	}
	p.contains(t, "Connexion annulée", "Vous avez annulé la connexion avec FranceConnect.", "Démoville n&#39;a reçu aucune information vous concernant",
		"Revenir à « Inscription à la cantine scolaire »", "Détails techniques pour le support")
	// The error page is a page of its own: reloading it shows it again.
	if again := b.get(p.URL.RequestURI()); again.URL.Path != "/demoville/erreur" || !strings.Contains(again.Body, "Connexion annulée") {
		t.Errorf("reloading the error page: %s (%d)\n%s", again.URL, again.Status, again.Body)
	}
}

// TestRefusedByFranceConnect: FranceConnect refuses the login of a person
// the civil registry does not know (persona rnipp.inconnu) on an error page
// of its own; its « Revenir sur … » link brings the citizen back with
// access_denied, « user authentication aborted », which Démoville does not
// mistake for a cancel.
func TestRefusedByFranceConnect(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser("")
	p := b.get("/demoville/cantine/connexion")
	uid, ok := strings.CutPrefix(p.URL.Path, "/api/v2/interaction/")
	if !ok {
		t.Fatalf("expected FranceConnect's provider choice, got %s (%d)", p.URL, p.Status)
	}
	p = b.post("/api/v2/interaction/"+uid+"/login", url.Values{"idp": {"demo"}, "login": {"rnipp.inconnu"}, "password": {"123"}})
	back := regexp.MustCompile(`data-testid="back-to-sp-link"[^>]*href="([^"]+)"`).FindStringSubmatch(p.Body)
	if p.Status != http.StatusForbidden || back == nil {
		t.Fatalf("FranceConnect's error page: %s (%d), without « Revenir sur … »\n%s", p.URL, p.Status, p.Body)
	}
	p = b.get(html.UnescapeString(back[1]))
	if cb := b.visitedPath("/demoville/callback"); cb == nil || cb.Query().Get("error_description") != "user authentication aborted" {
		t.Fatalf("FranceConnect answered %v", cb)
	}
	if p.URL.Path != "/demoville/erreur" {
		t.Fatalf("ended on %s", p.URL)
	}
	p.contains(t, "FranceConnect n&#39;a pas pu vous connecter", "Suivez les indications de FranceConnect")
	if strings.Contains(p.Body, "Connexion annulée") || strings.Contains(p.Body, "Vous avez annulé") {
		t.Errorf("a refusal told as a cancel:\n%s", p.Body)
	}
}

func TestUnknownToTheDGFiP(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := e.browser("lucas.janssens").get("/demoville/cantine/connexion")
	if p.URL.Path != "/demoville/erreur" {
		t.Fatalf("ended on %s", p.URL)
	}
	p.contains(t, "Nous ne trouvons pas votre foyer fiscal", "L&#39;administration fiscale ne vous connaît pas comme déclarant",
		"HTTP 404, code 4040", "Connecté(e) : <strong>Lucas Pieter JANSSENS</strong>")
}

func TestTaxServiceUnavailable(t *testing.T) {
	// A transport that makes the DGFiP answer 503: how a vendor tests its
	// error pages against the sandbox.
	failing := func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if strings.HasPrefix(req.URL.Path, "/impotparticulier/") {
				rec := httptest.NewRecorder()
				rec.Header().Set("Content-Type", "application/json")
				rec.Header().Set("Retry-After", "120")
				rec.WriteHeader(http.StatusServiceUnavailable)
				_ = json.NewEncoder(rec).Encode(map[string]any{"erreur": map[string]any{"code": 5030, "message": "Service temporairement indisponible", "horodatage": "2026-11-25T11:00:00"}})
				return rec.Result(), nil
			}
			return next.RoundTrip(req)
		})
	}
	e := newEnv(t, envOptions{transport: failing})
	b := e.browser("test")
	p := b.get("/demoville/cantine/connexion")
	if p.Status != http.StatusBadGateway || p.URL.Path != "/demoville/erreur" {
		t.Errorf("ended on %s with %d", p.URL, p.Status)
	}
	p.contains(t, "Le service des impôts ne répond pas", "Réessayez plus tard, ou déposez votre avis d&#39;imposition", "code 5030")
	// Reloading the page (F5) shows the same error, without calling the
	// API again, and without replaying the callback's used state.
	calls := e.requests("public", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans")
	again := b.get("/demoville/erreur")
	again.contains(t, "Le service des impôts ne répond pas")
	if strings.Contains(again.Body, "Demande de connexion non reconnue") {
		t.Error("reloading the error page replayed the callback")
	}
	if n := e.requests("public", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans"); n != calls {
		t.Errorf("reloading called the API: %d calls, then %d", calls, n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestForgedState(t *testing.T) {
	e := newEnv(t, envOptions{})

	// A browser with a login in progress receives a response it did not ask for.
	b := e.browser("")
	b.get("/demoville/cantine/connexion")
	p := b.get("/demoville/callback?code=stolen&state=forged-state-0123456789abcdefghijkl&iss=" + url.QueryEscape(e.URL+"/api/v2"))
	if p.Status != http.StatusBadRequest {
		t.Errorf("status %d", p.Status)
	}
	p.contains(t, "Demande de connexion non reconnue")

	// A browser with no session at all.
	p = e.browser("").get("/demoville/callback?code=stolen&state=whatever")
	if p.Status != http.StatusBadRequest {
		t.Errorf("status %d without session", p.Status)
	}

	// A genuine response replayed: the state is used once.
	b = e.browser("test")
	b.get("/demoville/cantine/connexion")
	cb := b.visitedPath("/demoville/callback")
	if cb == nil {
		t.Fatal("no callback")
	}
	p = b.get(cb.RequestURI())
	if p.Status != http.StatusBadRequest {
		t.Errorf("replayed callback: status %d", p.Status)
	}
	p.contains(t, "Demande de connexion non reconnue")
}

// TestTamperedLogin changes the authorization request or response in
// flight: each check of the relying party must catch its own attack.
func TestTamperedLogin(t *testing.T) {
	e := newEnv(t, envOptions{})
	setParam := func(path, name, value string) func(*http.Request) {
		return func(r *http.Request) {
			if r.URL.Path == path {
				q := r.URL.Query()
				q.Set(name, value)
				r.URL.RawQuery = q.Encode()
			}
		}
	}
	for _, tc := range []struct {
		name   string
		tamper func(*http.Request)
		want   []string
	}{
		{"nonce replaced", setParam("/api/v2/authorize", "nonce", "another-nonce-0123456789abcdefghijklmnop"),
			[]string{"Nous n&#39;avons pas pu confirmer votre identité", "nonce does not match"}},
		{"issuer of the response replaced", setParam("/demoville/callback", "iss", "https://evil.example/api/v2"),
			[]string{"La réponse reçue ne vient pas de FranceConnect", "evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser("test")
			b.tamper = tc.tamper
			p := b.get("/demoville/cantine/connexion")
			if p.URL.Path != "/demoville/erreur" || p.Status == http.StatusOK {
				t.Fatalf("ended on %s with %d", p.URL, p.Status)
			}
			p.contains(t, append(tc.want, "La connexion avec FranceConnect n&#39;a pas abouti")...)
			if strings.Contains(p.Body, "Connecté(e) :") {
				t.Error("logged in despite the attack")
			}
		})
	}
}

func TestLogoutThroughFranceConnect(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser("test")
	b.get("/demoville/cantine/connexion").contains(t, "Tarif D")

	b.visited = nil
	p := b.post("/demoville/deconnexion", nil)
	end := b.visitedPath("/api/v2/session/end")
	if end == nil {
		t.Fatalf("logout did not go through session/end: %v", b.visited)
	}
	q := end.Query()
	if q.Get("id_token_hint") == "" || len(q.Get("state")) < 32 || q.Get("post_logout_redirect_uri") != e.URL+"/demoville/" {
		t.Errorf("session/end with %v", q)
	}
	if p.URL.Path != "/demoville/" || p.URL.Query().Get("state") != q.Get("state") {
		t.Fatalf("ended on %s", p.URL)
	}
	p.contains(t, "Vous êtes déconnecté(e) de Démoville et de FranceConnect.")
	if strings.Contains(p.Body, "Connecté(e) :") {
		t.Error("still shown as logged in")
	}
	// The result went with the session.
	if p := b.get("/demoville/cantine/resultat"); p.URL.Path != "/demoville/cantine" {
		t.Errorf("result page after logout: %s", p.URL)
	}
	// A forged logout return confirms nothing.
	e.browser("").get("/demoville/?state=forged").contains(t, "Les démarches en ligne de Démoville")
	if p := e.browser("").get("/demoville/?state=forged"); strings.Contains(p.Body, "Vous êtes déconnecté") {
		t.Error("forged logout state confirmed")
	}
}

func TestBackChannel(t *testing.T) {
	e := newEnv(t, envOptions{backChannel: true})
	e.browser("test").get("/demoville/cantine/connexion").contains(t, "Tarif D")
	// The browser used the public URL; the server, only the back channel.
	for _, path := range []string{"/demoville/cantine/connexion", "/api/v2/authorize", "/demoville/callback"} {
		if e.requests("public", path) != 1 || e.requests("back", path) != 0 {
			t.Errorf("%s: public %d, back %d", path, e.requests("public", path), e.requests("back", path))
		}
	}
	for _, path := range []string{"/api/v2/.well-known/openid-configuration", "/api/v2/token", "/api/v2/userinfo", "/api/v2/jwks",
		"/token", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans"} {
		if e.requests("public", path) != 0 || e.requests("back", path) == 0 {
			t.Errorf("%s: public %d, back %d", path, e.requests("public", path), e.requests("back", path))
		}
	}
}

func TestPagesAndSecurityHeaders(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser("")
	for _, path := range []string{"/demoville/", "/demoville/cantine", "/demoville/stationnement", "/demoville/compte"} {
		p := b.get(path)
		if p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
		}
		p.contains(t, "Démoville est une commune fictive", `lang="fr"`)
	}
	b.get("/demoville/").contains(t, "S’identifier avec", "FranceConnect", "Qu’est-ce que FranceConnect ?",
		`action="/demoville/cantine/connexion"`, `action="/demoville/stationnement/connexion"`, "Se connecter avec mon compte Démoville")
	b.get("/demoville/cantine").contains(t, "plus de 1"+nbsp+"500"+nbsp+"€", "0,50"+nbsp+"€")
	b.get("/demoville/stationnement").contains(t, "Bègles (33130)")

	p := b.get("/demoville/nulle-part")
	if p.Status != http.StatusNotFound {
		t.Errorf("unknown page: %d", p.Status)
	}
	p.contains(t, "Page introuvable", "Revenir à l&#39;accueil")
	if p := b.get("/demoville"); p.URL.Path != "/demoville/" {
		t.Errorf("/demoville went to %s", p.URL)
	}

	resp, err := http.Get(e.URL + "/demoville/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}

	// A cross-site form post is refused.
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/demoville/compte/connexion", strings.NewReader("identifiant=angela.dubois&mot_de_passe=demoville"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	p = b.do(req)
	if p.Status != http.StatusForbidden {
		t.Errorf("cross-site post: %d", p.Status)
	}
	p.contains(t, "Demande refusée")
}

func TestNewChecksConfig(t *testing.T) {
	ok := demoville.Config{PublicURL: "http://localhost:8080", ClientID: "demoville", ClientSecret: "s"}
	if _, err := demoville.New(ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, tweak := range map[string]func(*demoville.Config){
		"no public URL":    func(c *demoville.Config) { c.PublicURL = "" },
		"bad back channel": func(c *demoville.Config) { c.BackChannelURL = "localhost:8080" },
		"no client":        func(c *demoville.Config) { c.ClientSecret = "" },
		"unordered brackets": func(c *demoville.Config) {
			c.Brackets = []demoville.Bracket{{"A", 700, 50}, {"B", 400, 100}, {"C", 0, 200}}
		},
		"capped last bracket": func(c *demoville.Config) { c.Brackets = []demoville.Bracket{{"A", 700, 50}} },
		"zone without code":   func(c *demoville.Config) { c.ParkingZone = []string{"Bègles"} },
		"bad SPI": func(c *demoville.Config) {
			c.Accounts = []demoville.LocalAccount{{Login: "a", Password: "b", SPI: "123"}}
		},
	} {
		cfg := ok
		tweak(&cfg)
		if _, err := demoville.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
