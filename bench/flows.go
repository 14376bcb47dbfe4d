package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/bacasable/bacasable/fixtures"
)

// This file holds the requests a vendor's CI makes to the sandbox, as the
// README describes them.

// The demo service provider of fixtures/clients.yaml: FranceConnect's public
// localhost credentials, accepting any http://localhost:* redirect URI.
const (
	demoClientID     = fixtures.DemoClientID
	demoClientSecret = fixtures.DemoClientSecret
	// demoRedirectURI is never followed: the code is read from Location.
	demoRedirectURI = "http://localhost:3000/callback"
	// loginScope is the README's: identity, and two DGFiP data.
	loginScope = "openid profile birth email dgfip_rfr dgfip_nbpart"
	// loginPersona is the well-known test/123 account (SPI 3999999887219).
	loginPersona = "test"
)

// sandbox sends requests to a running sandbox.
type sandbox struct {
	base string // http://127.0.0.1:port
	http *http.Client
}

// authorizeURL is an authorize request of the demo client with a fresh
// state and nonce, and extra parameters.
func (s *sandbox) authorizeURL(extra url.Values) string {
	q := url.Values{
		"client_id": {demoClientID}, "redirect_uri": {demoRedirectURI}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {loginScope}, "nonce": {randomString(32)}, "state": {randomString(32)},
	}
	for k, v := range extra {
		q[k] = v
	}
	return s.base + "/api/v2/authorize?" + q.Encode()
}

// login logs persona in through the X-Bacasable-Persona header (authorize,
// then token) and returns the FranceConnect access token (valid 60 s).
func (s *sandbox) login(ctx context.Context, persona string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.authorizeURL(nil), nil)
	req.Header.Set("X-Bacasable-Persona", persona)
	resp, _, err := send(s.http, req)
	if err != nil {
		return "", err
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	code := ""
	if err == nil {
		code = loc.Query().Get("code")
	}
	if resp.StatusCode != http.StatusSeeOther || code == "" {
		return "", fmt.Errorf("authorize: %d, Location %q: no code", resp.StatusCode, truncate(resp.Header.Get("Location"), 100))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = s.postForm(ctx, "/api/v2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {demoRedirectURI}, "client_id": {demoClientID}, "client_secret": {demoClientSecret}}, &tok)
	if err == nil && tok.AccessToken == "" {
		err = fmt.Errorf("token: no access_token")
	}
	return tok.AccessToken, err
}

// fullLogin is a whole login of the test persona: authorize with the
// persona header, token, userinfo.
func (s *sandbox) fullLogin(ctx context.Context) error {
	at, err := s.login(ctx, loginPersona)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	_, body, err := send(s.http, req)
	if err == nil && strings.Count(string(body), ".") != 2 {
		err = fmt.Errorf("userinfo: not a JWT: %q", truncate(string(body), 60))
	}
	return err
}

// gatewayToken is a client-credentials token of the API's gateway.
func (s *sandbox) gatewayToken(ctx context.Context, clientID, secret, scope string) (string, error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err := s.postForm(ctx, "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_secret": {secret}, "scope": {scope}}, &tok)
	if err == nil && tok.AccessToken == "" {
		err = fmt.Errorf("gateway token: no access_token")
	}
	return tok.AccessToken, err
}

func (s *sandbox) postForm(ctx context.Context, path string, form url.Values, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, body, err := send(s.http, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	return nil
}

// control calls the control API with an optional JSON body and decodes the
// answer into out, when not nil.
func (s *sandbox) control(ctx context.Context, method, path string, in, out any) error {
	var body *bytes.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	} else {
		body = bytes.NewReader(nil)
	}
	req, _ := http.NewRequestWithContext(ctx, method, s.base+"/_bacasable/api"+path, body)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	_, b, err := send(s.http, req)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// latestYear is the latest revenue year the API serves on the sandbox's
// clock.
func (s *sandbox) latestYear(ctx context.Context) (int, error) {
	var clk struct {
		Year int `json:"latest_available_revenue_year"`
	}
	err := s.control(ctx, http.MethodGet, "/clock", nil, &clk)
	return clk.Year, err
}

// apiCall is a GET of the API Impôt particulier with the headers the
// contract asks for, a fresh X-Correlation-ID each time.
func (s *sandbox) apiCall(ctx context.Context, path, gatewayToken, teleservice string, header http.Header) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/impotparticulier/1.0"+path, nil)
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Authorization", "Bearer "+gatewayToken)
	req.Header.Set("X-Correlation-ID", uuid.NewString())
	req.Header.Set("ID_Teleservice", teleservice)
	_, _, err := send(s.http, req)
	return err
}

// randomString is n random URL-safe characters.
func randomString(n int) string {
	b := make([]byte, (n*3+3)/4)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
