package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/bacasable/bacasable/cmd/bacasable/internal/initgc"
	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/scenarios"
)

// The demo service provider of fixtures/clients.yaml and the persona `test`
// of fixtures/personas.yaml.
const (
	demoClientID     = "211286433e39cce01db448d80181bdfd005554b19cd51b3fe7943f6b3b86ab6e"
	demoClientSecret = "2791a731e6a59f56b6b4dd0d08c9b1f593b5f3658b9fd731cb24248e2669af4b"
	demoRedirectURI  = "http://localhost:3000/callback"
	demoPostLogout   = "http://localhost:3000/"
	callbackHost     = "localhost:3000" // nothing listens there
)

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

// The binary is built once per test binary, on first use.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	// The collector is off since this binary's packages initialized
	// (initgc): the tests call run many times, and only the first would
	// turn it back on.
	initgc.Resume()
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// goCommand finds the go tool: PATH first, then the toolchain that built
// this test.
func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	p := filepath.Join(runtime.GOROOT(), "bin", exe)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no go command in PATH nor at %s", p)
	}
	return p, nil
}

// buildBinary builds ./cmd/bacasable (the package under test) once.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts the bacasable binary; skipped with -short")
	}
	buildOnce.Do(func() {
		gobin, err := goCommand()
		if err != nil {
			buildErr = err
			return
		}
		if binDir, err = os.MkdirTemp("", "bacasable-e2e-"); err != nil {
			buildErr = err
			return
		}
		name := "bacasable"
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		binPath = filepath.Join(binDir, name)
		cmd := exec.Command(gobin, "build", "-o", binPath, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build -o %s .: %v\n%s", binPath, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// syncBuffer is a bytes.Buffer safe for writer goroutines and a reader;
// it counts the writes it is given.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

func (b *syncBuffer) Writes() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.writes
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// banner is what the start-up banner tells.
type banner struct {
	listen string // host:port actually listened on
	issuer string // FranceConnect issuer
}

// Whole lines only: a line is parsed once its newline has been written.
var (
	listenLine = regexp.MustCompile(`(?m)^[ \t]*listening on[ \t]+(\S+)[ \t]*\n`)
	issuerLine = regexp.MustCompile(`(?m)^[ \t]*issuer[ \t]+(\S+)[ \t]*\n`)
)

// waitBanner polls out until the banner's issuer line appears. done is
// closed when the sandbox stopped; why explains that stop.
func waitBanner(t *testing.T, out *syncBuffer, done <-chan struct{}, why func() string) banner {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s := out.String()
		if m := issuerLine.FindStringSubmatch(s); m != nil {
			b := banner{issuer: m[1]}
			if l := listenLine.FindStringSubmatch(s); l != nil {
				b.listen = l[1]
			}
			if b.listen == "" {
				t.Fatalf("the banner has an issuer line but no 'listening on' line:\n%s", s)
			}
			return b
		}
		select {
		case <-done:
			t.Fatalf("the sandbox stopped before printing its banner: %s\nstdout:\n%s", why(), out.String())
		case <-deadline:
			t.Fatalf("no issuer line in the banner after 30 s; stdout so far:\n%s", out.String())
		case <-tick.C:
		}
	}
}

// sandboxProcess is the built binary, running.
type sandboxProcess struct {
	banner
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	waitErr        error // valid once done is closed
}

// startBinary runs the binary on a free port with args; it is killed when
// the test ends, and its output logged if the test failed.
func startBinary(t *testing.T, args ...string) *sandboxProcess {
	t.Helper()
	bin := buildBinary(t)
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = environWithoutBacasable()
	sp := &sandboxProcess{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = sp.stdout, sp.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		sp.waitErr = cmd.Wait()
		close(sp.done)
	}()
	t.Cleanup(func() {
		select {
		case <-sp.done:
		default:
			_ = cmd.Process.Kill()
			<-sp.done
		}
		if t.Failed() {
			t.Logf("bacasable stdout:\n%s", sp.stdout.String())
			t.Logf("bacasable stderr:\n%s", sp.stderr.String())
		}
	})
	sp.banner = waitBanner(t, sp.stdout, sp.done, func() string {
		return fmt.Sprintf("%v\nstderr:\n%s", sp.waitErr, sp.stderr.String())
	})
	return sp
}

// environWithoutBacasable is the test's environment without BACASABLE_*
// variables, so the developer's settings do not leak into the tests.
func environWithoutBacasable() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BACASABLE_") {
			env = append(env, kv)
		}
	}
	return env
}

// runningSandbox is run() in a goroutine.
type runningSandbox struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan struct{}
	err            error // valid once done is closed
}

// startRun calls run(args) with the environment env in a goroutine.
func startRun(t *testing.T, args []string, env map[string]string) *runningSandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rs := &runningSandbox{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		rs.err = run(ctx, args, mapEnv(env), rs.stdout, rs.stderr)
		close(rs.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-rs.done:
		case <-time.After(10 * time.Second):
			t.Error("run did not return 10 s after its context was cancelled")
		}
		if t.Failed() {
			t.Logf("run stdout:\n%s", rs.stdout.String())
			t.Logf("run stderr:\n%s", rs.stderr.String())
		}
	})
	return rs
}

// waitBanner waits until run printed its banner.
func (rs *runningSandbox) waitBanner(t *testing.T) banner {
	t.Helper()
	return waitBanner(t, rs.stdout, rs.done, func() string { return fmt.Sprintf("run returned %v", rs.err) })
}

// stop cancels run's context and returns what run returned.
func (rs *runningSandbox) stop(t *testing.T) error {
	t.Helper()
	rs.cancel()
	select {
	case <-rs.done:
		return rs.err
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return 10 s after its context was cancelled")
		return nil
	}
}

// failure waits for run to return an error without serving.
func (rs *runningSandbox) failure(t *testing.T) error {
	t.Helper()
	select {
	case <-rs.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not fail; stdout:\n%s", rs.stdout.String())
	}
	if rs.err == nil {
		t.Fatalf("run returned nil, want an error; stdout:\n%s", rs.stdout.String())
	}
	return rs.err
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// randomString is 32 random bytes in base64url: 43 characters.
func randomString(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// noRedirect stops at the first response, whatever its status.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// hasAll checks that the page at u contains every want.
func hasAll(t *testing.T, u *url.URL, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: the page lacks %q\n%s", u, w, body)
		}
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", resp.Request.URL, err)
	}
	return string(b)
}

func getJSON(t *testing.T, client *http.Client, u string, v any) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v\n%s", u, err, body)
	}
}

// ---------------------------------------------------------------------------
// End to end, against the built binary
// ---------------------------------------------------------------------------

// TestEndToEndPersonaHeader runs a whole FranceConnect login as a CI would,
// with X-Bacasable-Persona, go-oidc and x/oauth2, over HTTP only.
func TestEndToEndPersonaHeader(t *testing.T) {
	t.Parallel()
	sp := startBinary(t)
	issuer := sp.issuer
	port := sp.listen[strings.LastIndex(sp.listen, ":")+1:]
	if want := "http://localhost:" + port + "/api/v2"; issuer != want {
		t.Fatalf("banner issuer = %q, want %q (listening on %s)", issuer, want, sp.listen)
	}

	httpClient := &http.Client{Timeout: 10 * time.Second}
	stopClient := &http.Client{Timeout: 10 * time.Second, CheckRedirect: noRedirect}
	ctx := oidc.ClientContext(t.Context(), httpClient)

	// Discovery, raw.
	var disco map[string]any
	getJSON(t, httpClient, issuer+"/.well-known/openid-configuration", &disco)
	for k, want := range map[string]string{
		"issuer": issuer, "authorization_endpoint": issuer + "/authorize", "token_endpoint": issuer + "/token",
		"userinfo_endpoint": issuer + "/userinfo", "jwks_uri": issuer + "/jwks", "end_session_endpoint": issuer + "/session/end",
	} {
		if disco[k] != want {
			t.Errorf("discovery %s = %v, want %s", k, disco[k], want)
		}
	}

	// Discovery, through go-oidc (which checks the issuer matches).
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("oidc.NewProvider(%s): %v", issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInParams
	conf := &oauth2.Config{
		ClientID: demoClientID, ClientSecret: demoClientSecret, Endpoint: endpoint,
		RedirectURL: demoRedirectURI, Scopes: []string{oidc.ScopeOpenID, "profile", "birth", "email"},
	}

	// Authorize with the persona header: straight back to the callback.
	state, nonce := randomString(t), randomString(t)
	authURL := conf.AuthCodeURL(state, oauth2.SetAuthURLParam("nonce", nonce), oauth2.SetAuthURLParam("acr_values", "eidas1"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Bacasable-Persona", "test")
	resp, err := stopClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: %s, want 303\n%s", resp.Status, body)
	}
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != demoRedirectURI {
		t.Fatalf("authorize redirected to %s, want %s", cb, demoRedirectURI)
	}
	q := cb.Query()
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code in %s", cb)
	}
	if q.Get("state") != state {
		t.Errorf("callback state = %q, want %q", q.Get("state"), state)
	}
	if q.Get("iss") != issuer {
		t.Errorf("callback iss = %q, want %q", q.Get("iss"), issuer)
	}

	// Token exchange (client_secret_post, PKCE).
	tok, err := conf.Exchange(ctx, code)
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "Bearer") {
		t.Errorf("token: access_token %q, token_type %q", tok.AccessToken, tok.TokenType)
	}
	rawIDToken, _ := tok.Extra("id_token").(string)
	if rawIDToken == "" {
		t.Fatal("no id_token in the token response")
	}

	// ID token.
	verifierOIDC := provider.Verifier(&oidc.Config{ClientID: demoClientID, SupportedSigningAlgs: []string{oidc.ES256}})
	idToken, err := verifierOIDC.Verify(ctx, rawIDToken)
	if err != nil {
		t.Fatalf("verifying the ID token: %v", err)
	}
	if idToken.Nonce != nonce {
		t.Errorf("ID token nonce = %q, want %q", idToken.Nonce, nonce)
	}
	if len(idToken.Subject) != 66 || !strings.HasSuffix(idToken.Subject, "v1") {
		t.Errorf("ID token sub = %q, want 64 hex characters + v1", idToken.Subject)
	}
	var idClaims struct {
		ACR string `json:"acr"`
	}
	if err := idToken.Claims(&idClaims); err != nil {
		t.Fatal(err)
	}
	if idClaims.ACR != "eidas1" {
		t.Errorf("ID token acr = %q, want eidas1", idClaims.ACR)
	}

	// Userinfo: a JWT signed with the JWKS's ES256 key.
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("userinfo: %s\n%s", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/jwt") {
		t.Errorf("userinfo Content-Type = %q, want application/jwt", ct)
	}
	var jwks jose.JSONWebKeySet
	getJSON(t, httpClient, issuer+"/jwks", &jwks)
	jws, err := jose.ParseSigned(strings.TrimSpace(body), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("userinfo is not an ES256 JWS: %v\n%s", err, body)
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := jwks.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("userinfo kid %q: %d keys in the JWKS, want 1", kid, len(keys))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("userinfo signature: %v", err)
	}
	var info map[string]any
	if err := json.Unmarshal(payload, &info); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"sub": idToken.Subject, "given_name": "Angela Claire Louise", "family_name": "DUBOIS",
		"birthdate": "1962-08-24", "gender": "female", "birthplace": "75107", "birthcountry": "99100",
		"email": "angela.dubois@bacasable.example", "given_name_array": []any{"Angela", "Claire", "Louise"},
		"aud": demoClientID, "iss": issuer,
	} {
		if !reflect.DeepEqual(info[k], want) {
			t.Errorf("userinfo %s = %#v, want %#v", k, info[k], want)
		}
	}

	// Replaying the code fails and revokes the access token it gave.
	if _, err := conf.Exchange(ctx, code); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("second exchange of the same code: err = %v, want invalid_grant", err)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err = httpClient.Do(req); err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "invalid_token") {
		t.Errorf("userinfo after a code replay: %s, want 401 invalid_token\n%s", resp.Status, body)
	}

	// Logout.
	logoutState := randomString(t)
	logout := issuer + "/session/end?" + url.Values{
		"id_token_hint": {rawIDToken}, "post_logout_redirect_uri": {demoPostLogout}, "state": {logoutState},
	}.Encode()
	resp, err = stopClient.Get(logout)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session/end: %s, want 303\n%s", resp.Status, body)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != demoPostLogout || back.Query().Get("state") != logoutState {
		t.Errorf("session/end redirected to %s, want %s?state=%s", back, demoPostLogout, logoutState)
	}

	// SIGINT stops the process cleanly.
	if runtime.GOOS == "windows" {
		return
	}
	if err := sp.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sp.done:
		if sp.waitErr != nil {
			t.Errorf("after SIGINT the process exited with %v, want status 0", sp.waitErr)
		}
	case <-time.After(10 * time.Second):
		t.Error("the process still runs 10 s after SIGINT")
	}
}

// TestEndToEndInteractionPages walks the French pages as a form-posting tool
// with a cookie jar would: authorize, choose, log in, consent.
func TestEndToEndInteractionPages(t *testing.T) {
	t.Parallel()
	sp := startBinary(t)
	issuer := sp.issuer
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second, Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host == callbackHost {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		}}
	// page fetches a French page of the sandbox and checks its common parts.
	page := func(resp *http.Response, err error) (string, *url.URL) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %s\n%s", resp.Request.Method, resp.Request.URL, resp.Status, body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", resp.Request.URL, ct)
		}
		hasAll(t, resp.Request.URL, body, `<html lang="fr">`, "Bac à sable")
		return body, resp.Request.URL
	}

	state, nonce := randomString(t), randomString(t)
	authURL := issuer + "/authorize?" + url.Values{
		"client_id": {demoClientID}, "redirect_uri": {demoRedirectURI}, "response_type": {"code"},
		"scope": {"openid profile birth email"}, "acr_values": {"eidas1"}, "nonce": {nonce}, "state": {state},
	}.Encode()

	// authorize → 303 → the interaction (provider choice) page.
	_, interaction := page(client.Get(authURL))
	if !regexp.MustCompile(`/api/v2/interaction/[^/]+$`).MatchString(interaction.Path) {
		t.Fatalf("authorize led to %s, want …/api/v2/interaction/{uid}", interaction)
	}
	base := interaction.String()
	choose, u := page(client.Get(base))
	hasAll(t, u, choose, "Je choisis un compte", interaction.Path+"/idp/demo", "Se connecter avec Démonstration")
	login, u := page(client.Get(base + "/idp/demo"))
	hasAll(t, u, login, "Connexion avec Démonstration", "Mot de passe", `name="login"`, `name="password"`)

	// Wrong password: the login page again, with the problem, in French.
	resp, err := client.PostForm(base+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"456"}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Identifiant ou mot de passe incorrect") {
		t.Errorf("wrong password: %s, want 401 with « Identifiant ou mot de passe incorrect »", resp.Status)
	}

	// login → 303 → the consent page.
	consent, consentURL := page(client.PostForm(base+"/login", url.Values{"idp": {"demo"}, "login": {"test"}, "password": {"123"}}))
	hasAll(t, consentURL, consent, "demande à accéder à vos données", "Angela Claire Louise", "DUBOIS", "Continuer sur")
	if consentURL.String() != base+"/consent" {
		t.Errorf("login led to %s, want %s/consent", consentURL, base)
	}

	// consent → 303 to the callback, which the client does not follow.
	resp, err = client.PostForm(base+"/consent", url.Values{"action": {"accept"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %s, want 303\n%s", resp.Status, body)
	}
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != demoRedirectURI {
		t.Fatalf("consent redirected to %s, want %s", cb, demoRedirectURI)
	}
	if cb.Query().Get("code") == "" || cb.Query().Get("state") != state || cb.Query().Get("iss") != issuer {
		t.Errorf("callback %s: want a code, state %s and iss %s", cb, state, issuer)
	}

	// The interaction is over: its pages now answer the French error page.
	resp, err = client.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode < 400 || !strings.Contains(body, "Une erreur s’est produite") || !strings.Contains(body, "Y190001") || !strings.Contains(body, "Bac à sable") {
		t.Errorf("finished interaction: %s, want the error page\n%s", resp.Status, body)
	}
}

// ---------------------------------------------------------------------------
// parseFlags and run, in process
// ---------------------------------------------------------------------------

// flagEnv is every flag and its environment variable.
var flagEnv = []struct{ flag, env string }{
	{"pkce", "BACASABLE_PKCE"},
	{"listen", "BACASABLE_LISTEN"},
	{"public-url", "BACASABLE_PUBLIC_URL"},
	{"fixtures", "BACASABLE_FIXTURES"},
	{"keys", "BACASABLE_KEYS"},
	{"log-level", "BACASABLE_LOG_LEVEL"},
	{"log-format", "BACASABLE_LOG_FORMAT"},
	{"nonce-min-length", "BACASABLE_NONCE_MIN_LENGTH"},
	{"taxation-date", "BACASABLE_TAXATION_DATE"},
	{"bare-errors", "BACASABLE_BARE_ERRORS"},
	{"clock", "BACASABLE_CLOCK"},
	{"scenarios", "BACASABLE_SCENARIOS"},
	{"openapi", "BACASABLE_OPENAPI"},
	{"clock-frozen", "BACASABLE_CLOCK_FROZEN"},
	{"control-token", "BACASABLE_CONTROL_TOKEN"},
	{"population", "BACASABLE_POPULATION"},
	{"seed", "BACASABLE_SEED"},
}

func TestHelpListsEveryFlagWithItsEnvVariable(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), []string{arg}, mapEnv(nil), &stdout, &stderr)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("run(%s) = %v, want flag.ErrHelp", arg, err)
			}
			if stdout.Len() != 0 {
				t.Errorf("run(%s) wrote to stdout:\n%s", arg, stdout.String())
			}
			usage := stderr.String()
			if !strings.HasPrefix(usage, "Usage: bacasable") {
				t.Errorf("usage starts with %q", usage[:min(len(usage), 40)])
			}
			// Each flag's entry of PrintDefaults runs to the next "  -".
			entries := map[string]string{}
			for _, e := range strings.Split(usage, "\n  -")[1:] {
				name, _, _ := strings.Cut(e, " ")
				name, _, _ = strings.Cut(name, "\n")
				entries[name] = e
			}
			for _, fe := range flagEnv {
				e, ok := entries[fe.flag]
				if !ok {
					t.Errorf("--help does not list -%s:\n%s", fe.flag, usage)
					continue
				}
				if !strings.Contains(e, "(env "+fe.env+")") {
					t.Errorf("--help entry of -%s does not name %s:\n  -%s", fe.flag, fe.env, e)
				}
			}
			if len(entries) != len(flagEnv) {
				t.Errorf("--help lists %d flags, the test knows %d: update flagEnv", len(entries), len(flagEnv))
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	env := map[string]string{
		"BACASABLE_LISTEN": "0.0.0.0:9999", "BACASABLE_PUBLIC_URL": "http://sandbox.test:9000",
		"BACASABLE_FIXTURES": "/srv/fixtures", "BACASABLE_KEYS": "/srv/keys.json", "BACASABLE_LOG_LEVEL": "debug",
		"BACASABLE_LOG_FORMAT": "json", "BACASABLE_NONCE_MIN_LENGTH": "32",
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want options
	}{
		{"defaults", nil, nil, options{listen: "127.0.0.1:8080", logLevel: "info", logFormat: "text", nonceMinLength: 22, taxationDate: "07-22", seed: 1}},
		{"environment", nil, env, options{listen: "0.0.0.0:9999", publicURL: "http://sandbox.test:9000", fixtures: "/srv/fixtures",
			keys: "/srv/keys.json", logLevel: "debug", logFormat: "json", nonceMinLength: 32, taxationDate: "07-22", seed: 1}},
		{"flags win over the environment", []string{"--listen", "127.0.0.1:0", "--public-url", "https://fc.example",
			"--fixtures", "dir", "--keys", "k.json", "--log-level", "warn", "--log-format", "text", "--nonce-min-length", "40"}, env,
			options{listen: "127.0.0.1:0", publicURL: "https://fc.example", fixtures: "dir", keys: "k.json", logLevel: "warn",
				logFormat: "text", nonceMinLength: 40, taxationDate: "07-22", seed: 1}},
		{"single dash and =", []string{"-listen=127.0.0.1:1234"}, nil,
			options{listen: "127.0.0.1:1234", logLevel: "info", logFormat: "text", nonceMinLength: 22, taxationDate: "07-22", seed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			o, err := parseFlags(tt.args, mapEnv(tt.env), &stderr)
			if err != nil {
				t.Fatalf("parseFlags: %v\n%s", err, stderr.String())
			}
			if *o != tt.want {
				t.Errorf("parseFlags = %+v, want %+v", *o, tt.want)
			}
		})
	}
}

func TestParseFlagsRejects(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"nonce env not a number", nil, map[string]string{"BACASABLE_NONCE_MIN_LENGTH": "abc"}, "BACASABLE_NONCE_MIN_LENGTH"},
		{"nonce env with trailing garbage", nil, map[string]string{"BACASABLE_NONCE_MIN_LENGTH": "22abc"}, "BACASABLE_NONCE_MIN_LENGTH"},
		{"nonce flag zero", []string{"--nonce-min-length", "0"}, nil, "at least 1"},
		{"nonce env zero", nil, map[string]string{"BACASABLE_NONCE_MIN_LENGTH": "0"}, "at least 1"},
		{"nonce flag not a number", []string{"--nonce-min-length", "x"}, nil, "invalid value"},
		{"unknown flag", []string{"--port", "8080"}, nil, "not defined"},
		{"positional argument", []string{"serve"}, nil, `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, mapEnv(tt.env), io.Discard)
			if err == nil {
				t.Fatalf("parseFlags(%q, %v) = %+v, want an error containing %q", tt.args, tt.env, *o, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseFlags error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestRunRejectsBadLogSettings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env     map[string]string
		wantErr string
	}{
		{map[string]string{"BACASABLE_LOG_LEVEL": "verbose"}, "--log-level"},
		{map[string]string{"BACASABLE_LOG_FORMAT": "xml"}, "--log-format"},
	} {
		rs := startRun(t, []string{"--listen", "127.0.0.1:0"}, tt.env)
		if err := rs.failure(t); !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("run with %v: %v, want an error naming %s", tt.env, err, tt.wantErr)
		}
	}
}

// TestRunReadsEnvironment starts run with its settings in the environment
// only, serves a few requests, then cancels: run must shut down gracefully.
func TestRunReadsEnvironment(t *testing.T) {
	t.Parallel()
	rs := startRun(t, nil, map[string]string{
		"BACASABLE_LISTEN":           "127.0.0.1:0",
		"BACASABLE_PUBLIC_URL":       "http://sandbox.test:9000",
		"BACASABLE_LOG_LEVEL":        "debug",
		"BACASABLE_LOG_FORMAT":       "json",
		"BACASABLE_NONCE_MIN_LENGTH": "40",
	})
	b := rs.waitBanner(t)
	const issuer = "http://sandbox.test:9000/api/v2"
	if b.issuer != issuer {
		t.Errorf("banner issuer = %q, want %q", b.issuer, issuer)
	}
	if !strings.HasPrefix(b.listen, "127.0.0.1:") || strings.HasSuffix(b.listen, ":0") {
		t.Errorf("banner listen = %q, want 127.0.0.1:<real port>", b.listen)
	}
	banner := rs.stdout.String()
	for _, w := range []string{"discovery      " + issuer + "/.well-known/openid-configuration", demoClientID, demoClientSecret, "test / 123 (Angela"} {
		if !strings.Contains(banner, w) {
			t.Errorf("the banner lacks %q:\n%s", w, banner)
		}
	}

	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: noRedirect}
	base := "http://" + b.listen
	var disco struct {
		Issuer string `json:"issuer"`
		Token  string `json:"token_endpoint"`
	}
	getJSON(t, client, base+"/api/v2/.well-known/openid-configuration", &disco)
	if disco.Issuer != issuer || disco.Token != issuer+"/token" {
		t.Errorf("discovery issuer %q, token_endpoint %q; want the public URL's", disco.Issuer, disco.Token)
	}

	// BACASABLE_NONCE_MIN_LENGTH reaches FranceConnect.
	resp, err := client.Get(base + "/api/v2/authorize?" + url.Values{
		"client_id": {demoClientID}, "redirect_uri": {demoRedirectURI}, "response_type": {"code"}, "scope": {"openid"},
		"acr_values": {"eidas1"}, "nonce": {strings.Repeat("n", 30)}, "state": {randomString(t)},
	}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nonce trop court : 30 caractères, 40 minimum") {
		t.Errorf("30-character nonce with BACASABLE_NONCE_MIN_LENGTH=40: %s\n%s", resp.Status, body)
	}

	if err := rs.stop(t); err != nil {
		t.Errorf("run after cancel = %v, want nil (graceful shutdown)", err)
	}
	// BACASABLE_LOG_FORMAT=json: one JSON object per line on stderr.
	logs := strings.TrimSpace(rs.stderr.String())
	sawRequest := false
	for _, line := range strings.Split(logs, "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON (BACASABLE_LOG_FORMAT=json): %q", line)
			continue
		}
		sawRequest = sawRequest || rec["msg"] == "request"
	}
	if !sawRequest || !strings.Contains(logs, "shutting down") {
		t.Errorf("stderr lacks the request log or the shutdown message:\n%s", logs)
	}
	// The port is released.
	if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(base + "/"); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after run returned", base)
	}
}

// The banner must print the issuer FranceConnect really uses, also when the
// public URL ends with a slash.
func TestRunBannerIssuerWithTrailingSlash(t *testing.T) {
	t.Parallel()
	rs := startRun(t, []string{"--listen", "127.0.0.1:0", "--public-url", "http://sandbox.test:9000/"}, nil)
	b := rs.waitBanner(t)
	var disco struct {
		Issuer string `json:"issuer"`
	}
	getJSON(t, &http.Client{Timeout: 10 * time.Second}, "http://"+b.listen+"/api/v2/.well-known/openid-configuration", &disco)
	if disco.Issuer != "http://sandbox.test:9000/api/v2" {
		t.Errorf("discovery issuer = %q", disco.Issuer)
	}
	if b.issuer != disco.Issuer {
		t.Errorf("banner issuer %q differs from discovery's %q", b.issuer, disco.Issuer)
	}
}

func TestRunFixturesNotADirectory(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nonexistent")
	file := filepath.Join(t.TempDir(), "personas.yaml")
	if err := os.WriteFile(file, []byte("personas: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{missing, file} {
		rs := startRun(t, []string{"--listen", "127.0.0.1:0", "--fixtures", dir}, nil)
		err := rs.failure(t)
		if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("run --fixtures %s: %v, want an error naming the path", dir, err)
		}
		if out := rs.stdout.String(); out != "" {
			t.Errorf("run --fixtures %s printed a banner:\n%s", dir, out)
		}
	}
	// Through the environment too.
	rs := startRun(t, []string{"--listen", "127.0.0.1:0"}, map[string]string{"BACASABLE_FIXTURES": missing})
	if err := rs.failure(t); !strings.Contains(err.Error(), missing) {
		t.Errorf("BACASABLE_FIXTURES=%s: %v, want an error naming the path", missing, err)
	}
}

// copyFixtures copies the embedded fixtures into a new directory.
func copyFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, fixtures.FS()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"personas.yaml", "clients.yaml"} {
		if _, err := fs.Stat(os.DirFS(dir), f); err != nil {
			t.Fatalf("the copy of the fixtures lacks %s: %v", f, err)
		}
	}
	return dir
}

func TestRunBrokenPersonas(t *testing.T) {
	t.Parallel()
	dir := copyFixtures(t)

	// The intact copy loads.
	rs := startRun(t, []string{"--listen", "127.0.0.1:0", "--fixtures", dir}, nil)
	rs.waitBanner(t)
	if err := rs.stop(t); err != nil {
		t.Fatalf("run on an intact copy of the fixtures: %v", err)
	}

	// Angela DUBOIS (login test) is born in Paris 7e; 99999 is no commune.
	path := filepath.Join(dir, "personas.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == "- id: angela-dubois" })
	if start < 0 {
		t.Fatal("personas.yaml has no persona angela-dubois")
	}
	bad := 0
	for i := start + 1; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "- id:"); i++ {
		if strings.TrimSpace(lines[i]) == `birthplace: "75107"` {
			lines[i] = strings.Replace(lines[i], "75107", "99999", 1)
			bad = i + 1
			break
		}
	}
	if bad == 0 {
		t.Fatal(`angela-dubois has no line birthplace: "75107"`)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}

	rs = startRun(t, []string{"--listen", "127.0.0.1:0", "--fixtures", dir}, nil)
	err = rs.failure(t)
	msg := err.Error()
	for _, w := range []string{
		fmt.Sprintf("personas.yaml:%d:", bad), `"angela-dubois"`, `birthplace "99999" is not an Insee commune code`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("run error lacks %q:\n%s", w, msg)
		}
	}
	if out := rs.stdout.String(); out != "" {
		t.Errorf("run with broken fixtures printed a banner:\n%s", out)
	}
}

// jwksKids reads the published key ids.
func jwksKids(t *testing.T, listen string) []string {
	t.Helper()
	var set jose.JSONWebKeySet
	getJSON(t, &http.Client{Timeout: 10 * time.Second}, "http://"+listen+"/api/v2/jwks", &set)
	var kids []string
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Errorf("the published JWKS holds the private key %s", k.KeyID)
		}
		kids = append(kids, k.KeyID+"/"+k.Algorithm)
	}
	slices.Sort(kids)
	return kids
}

func TestRunKeysFile(t *testing.T) {
	t.Parallel()
	keysFile := filepath.Join(t.TempDir(), "keys.json")

	start := func(args ...string) []string {
		t.Helper()
		rs := startRun(t, append([]string{"--listen", "127.0.0.1:0"}, args...), nil)
		b := rs.waitBanner(t)
		kids := jwksKids(t, b.listen)
		if err := rs.stop(t); err != nil {
			t.Fatalf("run: %v", err)
		}
		return kids
	}

	first := start("--keys", keysFile)
	if len(first) != 2 {
		t.Fatalf("JWKS kids %v, want one ES256 and one RS256 key", first)
	}
	st, err := os.Stat(keysFile)
	if err != nil {
		t.Fatalf("--keys %s: the file was not created: %v", keysFile, err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("the keys file has mode %v, want 0600", st.Mode().Perm())
	}
	data, err := os.ReadFile(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil || len(set.Keys) != 3 || set.Keys[0].IsPublic() || set.Keys[1].IsPublic() ||
		set.Keys[2].IsPublic() || set.Keys[2].Use != "enc" {
		t.Errorf("the keys file is not a JWKS of two private signing keys and the data providers' encryption key (err %v):\n%s", err, data)
	}

	if second := start("--keys", keysFile); !slices.Equal(first, second) {
		t.Errorf("second start with the same --keys: kids %v, want %v", second, first)
	}
	if viaEnv := func() []string {
		rs := startRun(t, []string{"--listen", "127.0.0.1:0"}, map[string]string{"BACASABLE_KEYS": keysFile})
		b := rs.waitBanner(t)
		defer rs.stop(t)
		return jwksKids(t, b.listen)
	}(); !slices.Equal(first, viaEnv) {
		t.Errorf("BACASABLE_KEYS: kids %v, want %v", viaEnv, first)
	}
	if fresh := start(); slices.Equal(first, fresh) {
		t.Errorf("without --keys the kids %v are those of the keys file", fresh)
	}

	// A broken keys file is an error naming it, and is left alone.
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte(`{"keys": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := startRun(t, []string{"--listen", "127.0.0.1:0", "--keys", broken}, nil)
	if err := rs.failure(t); !strings.Contains(err.Error(), broken) {
		t.Errorf("run --keys %s: %v, want an error naming the file", broken, err)
	}
	if data, _ := os.ReadFile(broken); string(data) != `{"keys": [` {
		t.Errorf("the broken keys file was rewritten:\n%s", data)
	}
}

func TestClockFlags(t *testing.T) {
	c := startClock("2026-03-01", true)
	want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	if !c.Frozen() || !c.Now().Equal(want) {
		t.Errorf("--clock 2026-03-01 --clock-frozen: frozen=%v now=%v", c.Frozen(), c.Now())
	}
	running := startClock("2030-07-22T10:00:00+02:00", false)
	if running.Frozen() || running.Now().Year() != 2030 {
		t.Errorf("--clock 2030-07-22T10:00:00+02:00: frozen=%v now=%v", running.Frozen(), running.Now())
	}
	if real := startClock("", false); real.Frozen() || time.Since(real.Now()).Abs() > time.Minute {
		t.Errorf("default clock: %v", real.Now())
	}
	if _, err := parseFlags([]string{"--clock", "mars 2026"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("--clock 'mars 2026' accepted")
	}
}

// TestRunScenariosDirectory: --scenarios loads a directory of scenario
// files instead of the embedded ones; a broken file stops the start with
// its file and line.
func TestRunScenariosDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, scenarios.FS()); err != nil {
		t.Fatal(err)
	}
	rs := startRun(t, []string{"--listen", "127.0.0.1:0", "--scenarios", dir}, nil)
	rs.waitBanner(t)
	if err := rs.stop(t); err != nil {
		t.Fatalf("run on a copy of the scenarios: %v", err)
	}
	broken := "nom: dgfip-lent\ntitre: Lent\ndescription: Trop lent\neffets:\n  - service: impotparticulier\n    latence: bientôt\n"
	if err := os.WriteFile(filepath.Join(dir, "dgfip-lent.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	rs = startRun(t, []string{"--listen", "127.0.0.1:0", "--scenarios", dir}, nil)
	if msg := rs.failure(t).Error(); !strings.Contains(msg, "dgfip-lent.yaml:6") {
		t.Errorf("run error lacks the file and line:\n%s", msg)
	}
	rs = startRun(t, []string{"--listen", "127.0.0.1:0", "--scenarios", filepath.Join(dir, "nowhere")}, nil)
	if msg := rs.failure(t).Error(); !strings.Contains(msg, "--scenarios") {
		t.Errorf("a missing directory: %s", msg)
	}
	// --fixtures DIR reads DIR/scenarios/ too, as `check DIR` does.
	fix := t.TempDir()
	if err := os.CopyFS(filepath.Join(fix, "scenarios"), scenarios.FS()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fix, "scenarios", "dgfip-lent.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	rs = startRun(t, []string{"--listen", "127.0.0.1:0", "--fixtures", fix}, nil)
	if msg := rs.failure(t).Error(); !strings.Contains(msg, "dgfip-lent.yaml:6") {
		t.Errorf("--fixtures did not read its scenarios/: %s", msg)
	}
}

// TestShutdownEndsStreams: with a console following the journal live,
// stopping the sandbox ends the stream and returns cleanly — Shutdown
// used to wait for the stream until its deadline and fail with « context
// deadline exceeded ».
func TestShutdownEndsStreams(t *testing.T) {
	t.Parallel()
	rs := startRun(t, []string{"--listen", "127.0.0.1:0"}, nil)
	b := rs.waitBanner(t)
	resp, err := http.Get("http://" + b.listen + "/_bacasable/api/journal/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	first, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(first, ":") {
		t.Fatalf("the stream's first line: %q, %v", first, err)
	}
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, resp.Body)
		ended <- err
	}()
	if err := rs.stop(t); err != nil {
		t.Errorf("run returned %v after its context was cancelled with a stream open, want nil", err)
	}
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("the stream ended with %v, want its end", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the stream is still open 10 s after the sandbox stopped")
	}
	if out := rs.stderr.String(); strings.Contains(out, "deadline exceeded") {
		t.Errorf("the sandbox's log mentions a deadline:\n%s", out)
	}
}
