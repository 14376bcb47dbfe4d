package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bacasable/bacasable/fixtures"
)

// Defaults of `bacasable login`: the demo client FranceConnect publicly
// gave for localhost, and the demo gateway client and habilitation.
const (
	loginClientID     = fixtures.DemoClientID
	loginClientSecret = fixtures.DemoClientSecret
	loginRedirectURI  = "http://localhost:3000/callback"
	loginScope        = "openid identite_pivot email dgfip_rfr dgfip_nbpart dgfip_sitfam dgfip_annee_n_moins_2_si_indispo_n_moins_1"
)

// runLogin walks the whole chain against a running sandbox, as a vendor's
// service would, and prints each step: FranceConnect authorize (with the
// X-Bacasable-Persona shortcut), token, ID token, userinfo, then a gateway
// token and the API Impôt particulier call in FranceConnect mode. It is the
// README's walkthrough without anything to paste.
//
//	bacasable login [--url URL] [--scope S] [--client-id ID --client-secret S --redirect-uri U] PERSONA
func runLogin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bacasable login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://localhost:8080", "the sandbox's public URL")
	scope := fs.String("scope", loginScope, "the scopes to ask")
	clientID := fs.String("client-id", loginClientID, "the service provider's client_id")
	secret := fs.String("client-secret", loginClientSecret, "its client_secret")
	redirect := fs.String("redirect-uri", loginRedirectURI, "a redirect_uri registered for it (nothing needs to listen there)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bacasable login [flags] PERSONA   (a login such as test, or a 13-digit SPI)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("login: name one persona")
	}
	w := &walk{ctx: ctx, out: stdout, base: strings.TrimRight(*base, "/"),
		client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return w.run(fs.Arg(0), *scope, *clientID, *secret, *redirect)
}

// walk is one run of `bacasable login`.
type walk struct {
	ctx    context.Context
	out    io.Writer
	base   string
	client *http.Client
}

func (w *walk) step(n int, format string, args ...any) {
	fmt.Fprintf(w.out, "\n%d. %s\n", n, fmt.Sprintf(format, args...))
}

func (w *walk) run(persona, scope, clientID, secret, redirect string) error {
	issuer := w.base + "/api/v2"
	state, nonce := randomText(), randomText()
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {scope},
		"acr_values": {"eidas1"}, "state": {state}, "nonce": {nonce}}
	w.step(1, "Authorize as %s (X-Bacasable-Persona does login and consent at once)", persona)
	fmt.Fprintf(w.out, "   GET %s/authorize?%s\n", issuer, q.Encode())
	resp, err := w.do(http.MethodGet, issuer+"/authorize?"+q.Encode(), nil, map[string]string{"X-Bacasable-Persona": persona})
	if err != nil {
		return err
	}
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil {
		return fmt.Errorf("authorize answered %s, not a redirect to the service:\n%s", resp.Status, pageText(resp.body))
	}
	cb := loc.Query()
	if e := cb.Get("error"); e != "" {
		return fmt.Errorf("authorize sent the service error=%s (%s)", e, cb.Get("error_description"))
	}
	if cb.Get("state") != state {
		return fmt.Errorf("the callback's state is not the one sent")
	}
	fmt.Fprintf(w.out, "   → %s\n", loc)

	w.step(2, "Token (client_secret_post)")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {redirect},
		"client_id": {clientID}, "client_secret": {secret}}
	resp, err = w.do(http.MethodPost, issuer+"/token", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(resp.body, &tok) != nil {
		return fmt.Errorf("token answered %s: %s", resp.Status, resp.body)
	}
	fmt.Fprintf(w.out, "   access_token %s (valid %d s)\n   scope        %s\n   ID token:\n%s\n", tok.AccessToken, tok.ExpiresIn, tok.Scope, indent(jwtPayload(tok.IDToken)))

	w.step(3, "Userinfo (a signed JWT; its payload)")
	resp, err = w.do(http.MethodGet, issuer+"/userinfo", nil, map[string]string{"Authorization": "Bearer " + tok.AccessToken})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("userinfo answered %s: %s", resp.Status, resp.body)
	}
	fmt.Fprintln(w.out, indent(jwtPayload(string(resp.body))))

	if !strings.Contains(" "+tok.Scope+" ", " dgfip_") {
		return nil
	}
	w.step(4, "Gateway token of the DGFiP's API (client credentials of bacasable-demo)")
	gwForm := url.Values{"grant_type": {"client_credentials"}, "client_id": {"bacasable-demo"}, "client_secret": {"bacasable-demo-secret"},
		"scope": {"RessourceIR RessourceIRDerniere RessourceIRDerniere2"}}
	resp, err = w.do(http.MethodPost, w.base+"/token", strings.NewReader(gwForm.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if err != nil {
		return err
	}
	var gw struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(resp.body, &gw) != nil {
		return fmt.Errorf("gateway token answered %s: %s", resp.Status, resp.body)
	}
	fmt.Fprintf(w.out, "   access_token %s\n", gw.AccessToken)

	path := "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans"
	correlation := uuid.NewString()
	w.step(5, "API Impôt particulier, FranceConnect mode: the household of the FranceConnect user")
	fmt.Fprintf(w.out, "   GET %s%s\n   X-FranceConnect-OAuth: <the FranceConnect access token>\n   X-Correlation-ID: %s\n   ID_Teleservice: BACASABLE-DEMO\n", w.base, path, correlation)
	resp, err = w.do(http.MethodGet, w.base+path, nil, map[string]string{"Authorization": "Bearer " + gw.AccessToken,
		"X-FranceConnect-OAuth": tok.AccessToken, "X-Correlation-ID": correlation, "ID_Teleservice": "BACASABLE-DEMO"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w.out, "   → %s\n%s\n", resp.Status, indent(prettyJSON(resp.body)))
	return nil
}

type walkResponse struct {
	*http.Response
	body []byte
}

func (w *walk) do(method, u string, body io.Reader, header map[string]string) (walkResponse, error) {
	req, err := http.NewRequestWithContext(w.ctx, method, u, body)
	if err != nil {
		return walkResponse{}, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return walkResponse{}, fmt.Errorf("%s %s: %w (is the sandbox running? go run ./cmd/bacasable)", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return walkResponse{resp, b}, err
}

// jwtPayload decodes a JWS's payload (base64url, no padding) as indented
// JSON; the signature is not checked here (a relying party must).
func jwtPayload(jws string) string {
	parts := strings.Split(strings.TrimSpace(jws), ".")
	if len(parts) != 3 {
		return jws
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return jws
	}
	return prettyJSON(raw)
}

func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}

func indent(s string) string {
	return "   " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n   ")
}

// pageText keeps an HTML error page's words readable in a terminal.
func pageText(b []byte) string {
	var out strings.Builder
	in := false
	for _, r := range string(b) {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			out.WriteByte(' ')
		case !in:
			out.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(out.String()), " ")
}

func randomText() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
