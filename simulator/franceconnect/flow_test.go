package franceconnect

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/bacasable/bacasable/fixtures"
)

// TestRelyingPartyFlow runs the code flow with state and nonce as a real
// relying party does (go-oidc + x/oauth2), for an ES256 and an RS256
// client, and verifies the ID token and the userinfo JWT through the JWKS.
// FranceConnect refuses PKCE; the last case turns Config.PKCE on.
func TestRelyingPartyFlow(t *testing.T) {
	for _, tc := range []struct {
		name, clientID, secret string
		alg                    string
		pkce                   bool
	}{
		{"ES256", demoClientID, demoClientSecret, "ES256", false},
		{"RS256", "bacasable-rs256", "bacasable-rs256-secret", "RS256", false},
		{"ES256 with --pkce", demoClientID, demoClientSecret, "ES256", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, func(c *Config) { c.PKCE = tc.pkce })
			ctx := oidc.ClientContext(context.Background(), env.Server.Client())
			ctx = oidc.InsecureIssuerURLContext(ctx, env.Issuer)
			provider, err := oidc.NewProvider(ctx, env.Issuer)
			if err != nil {
				t.Fatal(err)
			}
			conf := oauth2.Config{
				ClientID: tc.clientID, ClientSecret: tc.secret, RedirectURL: "http://localhost:3000/callback",
				Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "birth", "email", "idp_birthdate", "dgfip_rfr"},
			}
			conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
			verifier := oauth2.GenerateVerifier()
			opts := []oauth2.AuthCodeOption{oidc.Nonce(testNonce), oauth2.SetAuthURLParam("acr_values", "eidas1"),
				oauth2.SetAuthURLParam("claims", `{"id_token":{"amr":{"essential":true}}}`)}
			var exchangeOpts []oauth2.AuthCodeOption
			if tc.pkce {
				opts = append(opts, oauth2.S256ChallengeOption(verifier))
				exchangeOpts = append(exchangeOpts, oauth2.VerifierOption(verifier))
			}
			authURL := conf.AuthCodeURL(testState, opts...)

			cb := loginThroughPages(t, authURL, "test", "123")
			if cb.Get("state") != testState || cb.Get("iss") != env.Issuer {
				t.Fatalf("callback = %v", cb)
			}
			tok, err := conf.Exchange(ctx, cb.Get("code"), exchangeOpts...)
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "Bearer" || tok.Expiry.IsZero() {
				t.Fatalf("token = %+v", tok)
			}
			rawID, _ := tok.Extra("id_token").(string)
			idv := provider.Verifier(&oidc.Config{ClientID: tc.clientID, SupportedSigningAlgs: []string{tc.alg}, Now: env.Clock.Now})
			idt, err := idv.Verify(ctx, rawID)
			if err != nil {
				t.Fatal(err)
			}
			if idt.Nonce != testNonce {
				t.Fatalf("nonce = %q", idt.Nonce)
			}
			if len(idt.Subject) != 66 || !strings.HasSuffix(idt.Subject, "v1") {
				t.Fatalf("sub %q is not 64 hex + v1", idt.Subject)
			}
			var idClaims map[string]any
			if err := idt.Claims(&idClaims); err != nil {
				t.Fatal(err)
			}
			if got := sortedKeys(idClaims); !reflect.DeepEqual(got, []string{"acr", "amr", "aud", "auth_time", "exp", "iat", "iss", "nonce", "sub"}) {
				t.Fatalf("ID token claims = %v", got)
			}
			if idClaims["acr"] != "eidas1" || fmt.Sprint(idClaims["amr"]) != "[pwd]" {
				t.Fatalf("acr/amr = %v %v", idClaims["acr"], idClaims["amr"])
			}
			assertHeader(t, rawID, tc.alg, env.P.Keys())

			// Userinfo is a JWT: fetch it by hand and verify it through the JWKS.
			req, _ := http.NewRequest(http.MethodGet, env.Issuer+"/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/jwt") {
				t.Fatalf("userinfo: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			keySet := oidc.NewRemoteKeySet(ctx, env.Issuer+"/jwks")
			payload, err := keySet.VerifySignature(ctx, body)
			if err != nil {
				t.Fatalf("userinfo signature: %v", err)
			}
			var ui map[string]any
			if err := json.Unmarshal(payload, &ui); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"sub": idt.Subject, "given_name": "Angela Claire Louise", "given_name_array": []any{"Angela", "Claire", "Louise"},
				"family_name": "DUBOIS", "preferred_username": "", "birthdate": "1962-08-24", "idp_birthdate": "1962-08-24",
				"gender": "female", "birthplace": "75107", "birthcountry": "99100", "aud": tc.clientID, "iss": env.Issuer,
			}
			for k, v := range want {
				if !reflect.DeepEqual(ui[k], v) {
					t.Errorf("userinfo %s = %#v, want %#v", k, ui[k], v)
				}
			}
			if email, _ := ui["email"].(string); !strings.Contains(email, "@") {
				t.Errorf("userinfo email = %v", ui["email"])
			}
			if _, ok := ui["dgfip_rfr"]; ok {
				t.Errorf("userinfo leaks a data-provider scope: %v", ui)
			}
			for _, k := range []string{"iat", "exp"} {
				if _, ok := ui[k].(float64); !ok {
					t.Errorf("userinfo %s missing", k)
				}
			}
		})
	}
}

// loginThroughPages follows authorize to the pages, logs in with the
// Démonstration provider, accepts consent and returns the callback query.
func loginThroughPages(t *testing.T, authURL, login, password string) url.Values {
	t.Helper()
	return loginThroughPagesWith(t, noRedirect(), authURL, login, password)
}

// loginThroughPagesWith logs in with client, a browser with its cookies.
func loginThroughPagesWith(t *testing.T, client *http.Client, authURL, login, password string) url.Values {
	t.Helper()
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	interaction, _ := resp.Location()
	form := url.Values{"idp": {"demo"}, "login": {login}, "password": {password}}
	resp, err = client.PostForm(interaction.String()+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d", resp.StatusCode)
	}
	consentURL, _ := resp.Location()
	page, err := client.Get(consentURL.String())
	if err != nil {
		t.Fatal(err)
	}
	html := readBody(t, page)
	page.Body.Close()
	if !strings.Contains(html, "Angela Claire Louise") && login == "test" {
		t.Fatalf("consent page does not show the identity: %s", html)
	}
	resp, err = client.PostForm(consentURL.String(), url.Values{"action": {"accept"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("consent: status %d, no redirect", resp.StatusCode)
	}
	return loc.Query()
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// assertHeader checks a JWS header holds exactly alg and kid.
func assertHeader(t *testing.T, token, alg string, keys *Keys) {
	t.Helper()
	var header map[string]any
	raw, _ := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	h := raw.Signatures[0].Protected
	if h.Algorithm != alg {
		t.Fatalf("alg = %s, want %s", h.Algorithm, alg)
	}
	wantKid := keys.ES256.KeyID
	if alg == "RS256" {
		wantKid = keys.RS256.KeyID
	}
	if h.KeyID != wantKid {
		t.Fatalf("kid = %q, want %q", h.KeyID, wantKid)
	}
	seg := strings.Split(token, ".")[0]
	b, _ := base64.RawURLEncoding.DecodeString(seg)
	if err := json.Unmarshal(b, &header); err != nil {
		t.Fatal(err)
	}
	if got := sortedKeys(header); !reflect.DeepEqual(got, []string{"alg", "kid"}) {
		t.Fatalf("JWS header = %v, want only alg and kid", header)
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	env := newTestEnv(t, nil)
	var doc map[string]any
	getJSON(t, env.Issuer+"/.well-known/openid-configuration", &doc)
	for k, want := range map[string]any{
		"issuer": env.Issuer, "jwks_uri": env.Issuer + "/jwks", "acr_values_supported": []any{"eidas1"},
		"subject_types_supported": []any{"pairwise"}, "response_types_supported": []any{"code"},
		"code_challenge_methods_supported":      []any{"S256"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_post", "private_key_jwt"},
		"claims_parameter_supported":            true, "request_parameter_supported": true, "request_uri_parameter_supported": false,
		"id_token_signing_alg_values_supported": []any{"HS256", "ES256", "RS256"}, "claim_types_supported": []any{"normal"},
		"authorization_response_iss_parameter_supported": true,
	} {
		if !reflect.DeepEqual(doc[k], want) {
			t.Errorf("discovery %s = %v, want %v", k, doc[k], want)
		}
	}
	if claims := fmt.Sprint(doc["claims_supported"]); !strings.Contains(claims, "dgfip_rfr") || !strings.Contains(claims, "idp_birthdate") {
		t.Errorf("claims_supported = %s", claims)
	}
	var set jose.JSONWebKeySet
	getJSON(t, env.Issuer+"/jwks", &set)
	if len(set.Keys) != 2 {
		t.Fatalf("jwks has %d keys", len(set.Keys))
	}
	algs := map[string]bool{}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.KeyID == "" || k.Use != "sig" {
			t.Errorf("key %+v must be public, with kid and use sig", k)
		}
		algs[k.Algorithm] = true
	}
	if !algs["ES256"] || !algs["RS256"] {
		t.Errorf("jwks algorithms = %v", algs)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestPairwiseSub: stable per person and client, different across clients
// and for the data provider.
func TestPairwiseSub(t *testing.T) {
	env := newTestEnv(t, nil)
	sub := func(clientID, secret, persona string) string {
		params := validAuthorize()
		params.Set("client_id", clientID)
		cb := env.loginWithHeader(params, persona)
		form := tokenForm(cb.Get("code"))
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
		resp := env.exchange(form)
		var tr tokenResponse
		if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
			t.Fatal(err)
		}
		payload, err := env.P.Keys().verify(tr.IDToken)
		if err != nil {
			t.Fatal(err)
		}
		var c idTokenClaims
		_ = json.Unmarshal(payload, &c)
		return c.Sub
	}
	a1 := sub(demoClientID, demoClientSecret, "test")
	a2 := sub(demoClientID, demoClientSecret, "test")
	b := sub("bacasable-rs256", "bacasable-rs256-secret", "test")
	other := sub(demoClientID, demoClientSecret, "julien.roux")
	if a1 != a2 {
		t.Errorf("sub changes between logins: %s %s", a1, a2)
	}
	if a1 == b || a1 == other {
		t.Errorf("sub not pairwise: %s %s %s", a1, b, other)
	}
	// The SPI (impots.gouv.fr provider) reaches the same person, same sub.
	if viaSPI := sub(demoClientID, demoClientSecret, "3999999887219"); viaSPI != a1 {
		t.Errorf("sub via SPI %s != via login %s", viaSPI, a1)
	}
}

// TestCheckToken decodes checktoken's JWS and compares it with the
// reference's shape.
func TestCheckToken(t *testing.T) {
	env := newTestEnv(t, nil)
	params := validAuthorize()
	params.Set("scope", "openid profile dgfip_rfr dgfip_nbpart email")
	cb := env.loginWithHeader(params, "test")
	var tr tokenResponse
	_ = json.NewDecoder(env.exchange(tokenForm(cb.Get("code"))).Body).Decode(&tr)

	body, ctype := postCheckToken(t, env, tr.AccessToken, "dgfip", "bacasable-dgfip-checktoken-secret")
	if ctype != "application/token-introspection+jwt" {
		t.Fatalf("Content-Type = %q", ctype)
	}
	jws, err := jose.ParseSigned(decryptCheckToken(t, env, body), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if len(jws.Signatures[0].Protected.ExtraHeaders) != 0 {
		t.Errorf("JWS header = %v, want alg and kid only", jws.Signatures[0].Protected.ExtraHeaders)
	}
	payload, err := jws.Verify(env.P.Keys().ES256.Public())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(payload, &got)
	if keys := sortedKeys(got); !reflect.DeepEqual(keys, []string{"aud", "iat", "iss", "token_introspection"}) {
		t.Fatalf("payload keys = %v", keys)
	}
	if got["aud"] != "dgfip" || got["iss"] != env.Issuer {
		t.Errorf("aud/iss = %v %v", got["aud"], got["iss"])
	}
	ti := got["token_introspection"].(map[string]any)
	wantKeys := []string{"acr", "active", "aud", "birthcountry", "birthdate", "birthplace", "exp", "family_name", "gender",
		"given_name", "given_name_array", "iat", "jti", "scope", "sub"}
	if keys := sortedKeys(ti); !reflect.DeepEqual(keys, wantKeys) {
		t.Fatalf("token_introspection keys = %v\nwant %v", keys, wantKeys)
	}
	want := map[string]any{
		"active": true, "aud": demoClientID, "acr": "eidas1", "scope": "dgfip_nbpart dgfip_rfr",
		"family_name": "DUBOIS", "given_name": "Angela Claire Louise", "birthdate": "1962-08-24", "gender": "female",
		"birthplace": "75107", "birthcountry": "99100", "exp": float64(testStart.Add(60 * time.Second).Unix()),
	}
	for k, v := range want {
		if !reflect.DeepEqual(ti[k], v) {
			t.Errorf("token_introspection.%s = %#v, want %#v", k, ti[k], v)
		}
	}
	persona, _ := env.Pop.ByLogin("test")
	if ti["sub"] != pairwiseSub("dgfip", persona, "bacasable") {
		t.Errorf("sub is not the data provider's pairwise sub")
	}

	// Asked again, the answer kept with the token is the one made afresh.
	again, err := env.P.Introspect(tr.AccessToken, "dgfip")
	at, _ := env.P.store.accessToken(tr.AccessToken)
	dp, _ := env.P.cfg.Clients.DataProvider("dgfip")
	if fresh := env.P.newIntrospection(at, dp); err != nil || !again.Active || !reflect.DeepEqual(again, fresh) {
		t.Errorf("introspected again: %+v (%v), made afresh: %+v", again, err, fresh)
	}

	// Expired: active false, nothing else.
	env.Clock.Advance(61 * time.Second)
	body, _ = postCheckToken(t, env, tr.AccessToken, "dgfip", "bacasable-dgfip-checktoken-secret")
	jws, _ = jose.ParseSigned(decryptCheckToken(t, env, body), []jose.SignatureAlgorithm{jose.ES256})
	payload, _ = jws.Verify(env.P.Keys().ES256.Public())
	var expired struct {
		TI map[string]any `json:"token_introspection"`
	}
	_ = json.Unmarshal(payload, &expired)
	if !reflect.DeepEqual(expired.TI, map[string]any{"active": false}) {
		t.Errorf("expired token_introspection = %v", expired.TI)
	}
}

// decryptCheckToken opens checktoken's JWE with the key the sandbox holds
// for data providers that registered none, as the DGFiP would with its own.
func decryptCheckToken(t *testing.T, env *testEnv, body string) string {
	t.Helper()
	jwe, err := jose.ParseEncryptedCompact(body, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatalf("checktoken's answer is not an ECDH-ES JWE: %v", err)
	}
	inner, err := jwe.Decrypt(env.P.Keys().DataProviderEnc.Key)
	if err != nil {
		t.Fatal(err)
	}
	return string(inner)
}

func postCheckToken(t *testing.T, env *testEnv, token, id, secret string) (string, string) {
	t.Helper()
	resp, err := http.PostForm(env.Issuer+"/checktoken", url.Values{"token": {token}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("checktoken: %d %s", resp.StatusCode, b)
	}
	return string(b), resp.Header.Get("Content-Type")
}

// TestCheckTokenEncrypted: a data provider registered with an encryption
// key gets a JWE (ECDH-ES, A256GCM) wrapping the JWS.
func TestCheckTokenEncrypted(t *testing.T) {
	dpKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub := jose.JSONWebKey{Key: &dpKey.PublicKey, KeyID: "dp-enc", Use: "enc", Algorithm: "ECDH-ES"}
	pubJSON, _ := json.Marshal(pub)
	clients := string(mustRead(t, "clients.yaml")) + fmt.Sprintf(`
  - client_id: encrypted-dp
    client_secret: enc-secret
    name: "Fournisseur chiffré"
    checktoken_encrypted_response_alg: ECDH-ES
    checktoken_encrypted_response_enc: A256GCM
    jwks: {"keys": [%s]}
    scopes:
      test_scope: "Donnée de test"
`, pubJSON)
	// The new data provider must come before service_providers: rebuild the file.
	head, tail, _ := strings.Cut(clients, "\nservice_providers:")
	dpBlock := clients[strings.LastIndex(clients, "\n  - client_id: encrypted-dp"):]
	clients = head + dpBlock + "\nservice_providers:" + strings.TrimSuffix(tail, dpBlock)
	reg, err := LoadClients(fstest.MapFS{"clients.yaml": {Data: []byte(clients)}})
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, func(c *Config) { c.Clients = reg })
	cb := env.loginWithHeader(validAuthorize(), "test")
	var tr tokenResponse
	_ = json.NewDecoder(env.exchange(tokenForm(cb.Get("code"))).Body).Decode(&tr)
	body, _ := postCheckToken(t, env, tr.AccessToken, "encrypted-dp", "enc-secret")
	jwe, err := jose.ParseEncrypted(body, []jose.KeyAlgorithm{jose.ECDH_ES}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatalf("not a JWE: %v", err)
	}
	if jwe.Header.KeyID != "" {
		t.Errorf("JWE kid = %q, want none (the platform's header is alg, enc, epk)", jwe.Header.KeyID)
	}
	inner, err := jwe.Decrypt(dpKey)
	if err != nil {
		t.Fatal(err)
	}
	nested, err := jwt.ParseSigned(string(inner), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		TI Introspection `json:"token_introspection"`
	}
	if err := nested.Claims(env.P.Keys().ES256.Public().Key, &out); err != nil {
		t.Fatal(err)
	}
	if !out.TI.Active || out.TI.Scope != "" {
		t.Errorf("introspection = %+v", out.TI)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fixturesRead(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixturesRead(name string) ([]byte, error) {
	f, err := fixtures.FS().Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// TestPrivateKeyJWT authenticates a client with a signed assertion.
func TestPrivateKeyJWT(t *testing.T) {
	clientKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := json.Marshal(jose.JSONWebKey{Key: &clientKey.PublicKey, KeyID: "rp-1", Algorithm: "ES256", Use: "sig"})
	clients := strings.Replace(string(mustRead(t, "clients.yaml")), "service_providers:\n", fmt.Sprintf(`service_providers:
  - client_id: jwt-client
    client_secret: unused-secret
    name: "Client private_key_jwt"
    any_localhost: true
    redirect_uris: [http://localhost:4242/callback]
    scopes: [openid, profile]
    jwks: {"keys": [%s]}
`, pub), 1)
	reg, err := LoadClients(fstest.MapFS{"clients.yaml": {Data: []byte(clients)}})
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, func(c *Config) { c.Clients = reg })
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: clientKey}, nil)
	assertion := func(jti string, exp time.Time) string {
		s, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: "jwt-client", Subject: "jwt-client", Audience: jwt.Audience{env.Issuer + "/token"},
			ID: jti, Expiry: jwt.NewNumericDate(exp)}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	redeem := func(a string) *http.Response {
		params := validAuthorize()
		params.Set("client_id", "jwt-client")
		params.Set("scope", "openid profile")
		cb := env.loginWithHeader(params, "test")
		return env.exchange(url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {demoRedirect},
			"client_id": {"jwt-client"}, "client_assertion_type": {clientAssertionType}, "client_assertion": {a}})
	}
	if resp := redeem(assertion("jti-1", testStart.Add(time.Minute))); resp.StatusCode != 200 {
		t.Fatalf("valid assertion: %d %s", resp.StatusCode, readBody(t, resp))
	}
	if resp := redeem(assertion("jti-1", testStart.Add(time.Minute))); resp.StatusCode != 401 {
		t.Errorf("replayed jti: %d", resp.StatusCode)
	}
	if resp := redeem(assertion("jti-2", testStart.Add(-time.Minute))); resp.StatusCode != 401 {
		t.Errorf("expired assertion: %d", resp.StatusCode)
	}
	// Bounded in time (issue 9): an exp in year 3000, or an iat or nbf an
	// hour ahead, is refused; its jti would otherwise be kept for ever.
	if resp := redeem(assertion("jti-4", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))); resp.StatusCode != 401 {
		t.Errorf("assertion expiring in year 3000: %d", resp.StatusCode)
	}
	for i, c := range []jwt.Claims{{IssuedAt: jwt.NewNumericDate(testStart.Add(time.Hour))}, {NotBefore: jwt.NewNumericDate(testStart.Add(time.Hour))}} {
		c.Issuer, c.Subject, c.Audience = "jwt-client", "jwt-client", jwt.Audience{env.Issuer + "/token"}
		c.ID, c.Expiry = fmt.Sprintf("jti-future-%d", i), jwt.NewNumericDate(testStart.Add(5*time.Minute))
		a, _ := jwt.Signed(signer).Claims(c).Serialize()
		if resp := redeem(a); resp.StatusCode != 401 {
			t.Errorf("assertion with iat or nbf an hour ahead: %d", resp.StatusCode)
		}
	}
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ = jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: otherKey}, nil)
	if resp := redeem(assertion("jti-3", testStart.Add(time.Minute))); resp.StatusCode != 401 {
		t.Errorf("assertion signed by another key: %d", resp.StatusCode)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
