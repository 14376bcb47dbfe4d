package franceconnect

// The platform's own API scenarios as the yardstick: each test below mirrors
// one feature of quality/fcp/cypress/integration/api/ in
// france-connect/sources (fcp-low scenarios), one subtest per scenario,
// named after it. The requests are the sandbox's equivalents of the
// features' fixtures (its own clients and URLs); the expectations are the
// features'. Scenarios the sandbox departs from on purpose are rows of
// docs/fidelity.md, named there.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-jose/go-jose/v4"
)

// cypressErrorPage is « page erreur technique FranceConnect » with « le
// code d'erreur FranceConnect est … » and, when given, « le message
// d'erreur FranceConnect est … », checked through the data-testid hooks
// the features use; no back link (the API tests carry no session).
func cypressErrorPage(status int, code, message string) errtCheck {
	return func(t *testing.T, env *testEnv, r errtResponse) {
		t.Helper()
		errtWantPage(status, code)(t, env, r)
		for _, hook := range []string{`data-testid="error-section"`, `data-testid="error-code">Erreur <span class="code" id="code-erreur">` + code} {
			if !strings.Contains(r.Body, hook) {
				t.Errorf("the page lacks %s", hook)
			}
		}
		if message != "" && !strings.Contains(r.Body, `<p data-testid="error-message">`+htmlEscape(message)+`</p>`) {
			t.Errorf("error-message is not %q", message)
		}
		if strings.Contains(r.Body, `data-testid="back-to-sp-link"`) {
			t.Error("the page shows a back link")
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// cypressIdPSelection is « la page de sélection du FI est affichée »: the
// authorize answer leads to the provider choice page.
func cypressIdPSelection(t *testing.T, env *testEnv, r errtResponse) {
	t.Helper()
	errtWantInteraction("")(t, env, r)
	page := errtGet(t, env.Server.URL+r.Header.Get("Location"), nil)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `data-testid="main-providers"`) {
		t.Errorf("provider choice page: %d, without data-testid=main-providers", page.Status)
	}
}

// TestAPIAuthorizeFeature mirrors api-authorize.feature.
func TestAPIAuthorizeFeature(t *testing.T) {
	const (
		reconnect = "Une erreur technique est survenue, fermez l’onglet de votre navigateur et reconnectez-vous."
		spComm    = "Une erreur de communication avec le fournisseur de service est survenue. Veuillez réessayer ultérieurement."
	)
	// The feature's base request asks amr through claims: the demo client
	// is habilitated for it.
	base := func() url.Values {
		v := validAuthorize()
		v.Set("scope", "openid profile")
		v.Set("claims", `{"id_token":{"amr":{"essential":true}}}`)
		v.Set("prompt", "login consent")
		return v
	}
	type row struct {
		name   string
		modify func(url.Values)
		want   errtCheck
	}
	var rows []row
	for _, p := range []string{"login", "consent", "login consent", "consent login"} {
		rows = append(rows, row{"Cas nominal prompt=" + p, errtSet("prompt", p), cypressIdPSelection})
	}
	rows = append(rows, row{"Cas nominal sans prompt", errtDel("prompt"), cypressIdPSelection})
	for _, p := range []string{"acr_values", "client_id", "nonce", "redirect_uri", "response_type", "scope", "state"} {
		rows = append(rows, row{"erreur Y030007 " + p + " manquant", errtDel(p), cypressErrorPage(400, "Y030007", reconnect)})
	}
	for _, p := range []string{"", "none", "select_account"} {
		rows = append(rows, row{"erreur Y030007 prompt=" + p, errtSet("prompt", p), cypressErrorPage(400, "Y030007", reconnect)})
	}
	for _, n := range []string{"nonceatleastthirtytwocharacterss", "nonceatleastsixtyfourcharacterss@#&nonceatleastsixtyfourcharacterss"} {
		rows = append(rows, row{"Cas nominal nonce=" + n, errtSet("nonce", n), cypressIdPSelection})
	}
	for _, n := range []string{"", "nonce_trop_court"} {
		rows = append(rows, row{"erreur Y030007 nonce=" + n, errtSet("nonce", n), cypressErrorPage(400, "Y030007", reconnect)})
	}
	rows = append(rows,
		row{"Erreur invalid_request avec response_type=", errtSet("response_type", ""),
			errtWantRedirectError(demoRedirect, "invalid_request", "missing required parameter 'response_type'")},
		row{"Erreur unsupported_response_type avec response_type=inconnu", errtSet("response_type", "inconnu"),
			errtWantRedirectError(demoRedirect, "unsupported_response_type", "unsupported response_type requested")})
	for _, rt := range []string{"id_token", "id_token token", "code id_token", "code token"} {
		rows = append(rows, row{"Erreur unsupported_response_type avec redirection contenant un fragment response_type=" + rt, errtSet("response_type", rt),
			errtWantFragmentError(demoRedirect, "unsupported_response_type", "unsupported response_type requested")})
	}
	rows = append(rows,
		row{"erreur Y030007 client_id=", errtSet("client_id", ""), cypressErrorPage(400, "Y030007", reconnect)},
		row{"erreur Y04EA6EF client_id=inconnu", errtSet("client_id", "inconnu"), cypressErrorPage(400, "Y04EA6EF", spComm)})
	for _, s := range []string{"", "profile"} {
		rows = append(rows, row{"erreur invalid_request scope=" + s, errtSet("scope", s),
			errtWantRedirectError(demoRedirect, "invalid_request", "openid scope must be requested when using the acr_values parameter")})
	}
	rows = append(rows,
		row{"erreur Y030007 redirect_uri=", errtSet("redirect_uri", ""), cypressErrorPage(400, "Y030007", reconnect)},
		row{"erreur Y04C013C redirect_uri=https://my-malicious-url.fr/callback", errtSet("redirect_uri", "https://my-malicious-url.fr/callback"),
			cypressErrorPage(400, "Y04C013C", spComm)},
		row{"erreur Y030007 redirect_uri=example.com", errtSet("redirect_uri", "example.com"), cypressErrorPage(400, "Y030007", reconnect)},
		row{"erreur de paramètres : erreur scope et erreur redirect_uri", func(v url.Values) {
			errtStrictWith("scope", "email", "redirect_uri", errtStrictRedirect+"/wrong-url")(v)
			v.Del("claims")
		}, cypressErrorPage(400, "Y040001", "Une erreur s'est produite, veuillez réessayer ultérieurement")},
		row{"Paramètre ui_locales autorisé mais non utilisé", errtSet("ui_locales", "fr-FR"), cypressIdPSelection},
	)
	for _, rw := range rows {
		t.Run(rw.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			params := base()
			rw.modify(params)
			rw.want(t, env, errtAuthorize(t, env, http.MethodGet, params, nil))
		})
	}
}

// TestAPIAuthorizeLocalhostFeature mirrors api-authorize-localhost.feature:
// the sandbox is the integration platform, where fcp-low accepts a
// localhost redirect_uri (« localhost autorisé en integ pour FC »).
func TestAPIAuthorizeLocalhostFeature(t *testing.T) {
	t.Run("localhost autorisé en integ pour FC", func(t *testing.T) {
		env := newTestEnv(t, nil)
		params := validAuthorize()
		params.Set("redirect_uri", "http://localhost/login-callback")
		cypressIdPSelection(t, env, errtAuthorize(t, env, http.MethodGet, params, nil))
	})
}

// TestAPICoreFeature mirrors api-core.feature (the root of the sandbox is
// its own home page, not FranceConnect's: see docs/fidelity.md).
func TestAPICoreFeature(t *testing.T) {
	env := newTestEnv(t, nil)
	t.Run("redirection vers le site usager", func(t *testing.T) {
		r := errtGet(t, env.Issuer, nil)
		errtMediaType(t, r, "text/plain")
		if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "https://franceconnect.gouv.fr" {
			t.Errorf("GET /api/v2: %d to %q", r.Status, r.Header.Get("Location"))
		}
	})
	t.Run("Page inconnue dans le dossier /api/v2", func(t *testing.T) {
		r := errtGet(t, env.Issuer+"/wrong-url", http.Header{"Accept": {"text/html"}})
		errtWantPage(http.StatusNotFound, "Y000404", "Page non trouvée")(t, env, r)
	})
}

// TestAPIRedirectToSPFeature mirrors api-redirect-to-sp.feature.
func TestAPIRedirectToSPFeature(t *testing.T) {
	env := newTestEnv(t, nil)
	const state = "37098dd31af91b8d4e2684f7dfcd7f3a0b68f3615db783cada58463cdbb93449"
	base := func() url.Values {
		return url.Values{"error": {"access_denied"}, "error_description": {"user+authentication+aborted"}, "state": {state}, "redirect_uri": {demoRedirect}}
	}
	send := func(t *testing.T, q url.Values) errtResponse {
		req, _ := http.NewRequest(http.MethodGet, env.Issuer+"/redirect-to-sp-with-error?"+q.Encode(), nil)
		resp, err := errtHTTP.Do(req) // a 500 is expected here
		if err != nil {
			t.Fatal(err)
		}
		return errtResponse{Status: resp.StatusCode, Header: resp.Header, Body: readBody(t, resp)}
	}
	redirected := func(t *testing.T, r errtResponse, wantState string) {
		t.Helper()
		errtMediaType(t, r, "text/plain")
		loc, err := url.Parse(r.Header.Get("Location"))
		if r.Status != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), demoRedirect+"?") {
			t.Fatalf("%d to %q, want 302 to the service's callback", r.Status, r.Header.Get("Location"))
		}
		var keys []string
		for _, part := range strings.Split(loc.RawQuery, "&") {
			k, _, _ := strings.Cut(part, "=")
			keys = append(keys, k)
		}
		q := loc.Query()
		if strings.Join(keys, ",") != "error,error_description,state,iss" || q.Get("error") != "access_denied" ||
			q.Get("error_description") != "user+authentication+aborted" || q.Get("state") != wantState || q.Get("iss") != env.Issuer {
			t.Errorf("callback %s", loc)
		}
	}
	t.Run("Redirect with error", func(t *testing.T) { redirected(t, send(t, base()), state) })
	t.Run("Redirect with error sans state", func(t *testing.T) {
		q := base()
		q.Del("state")
		redirected(t, send(t, q), "undefined")
	})
	t.Run("Redirect with error sans redirect_uri", func(t *testing.T) {
		q := base()
		q.Del("redirect_uri")
		cypressErrorPage(http.StatusInternalServerError, "Y030030", "")(t, env, send(t, q))
	})
	t.Run("Redirect with error avec redirect_uri invalide", func(t *testing.T) {
		q := base()
		q.Set("redirect_uri", "https://me-redirect-uri.fr/non-valid")
		cypressErrorPage(http.StatusInternalServerError, "Y030030", "")(t, env, send(t, q))
	})
}

// jwsParts decodes a compact JWS's header and payload without verifying.
func jwsParts(t *testing.T, token string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWS", token)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, dst) != nil {
			t.Fatalf("part %d of %q is not base64url JSON", i, token)
		}
	}
	return header, payload
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestAPITokenFeature mirrors api-token.feature.
func TestAPITokenFeature(t *testing.T) {
	t.Run("API token - cas nominal", func(t *testing.T) {
		env := newTestEnv(t, nil)
		code := env.loginWithHeader(validAuthorize(), "test").Get("code")
		r := errtPost(t, env.Issuer+"/token", tokenForm(code), nil)
		errtMediaType(t, r, "application/json")
		var body map[string]any
		_ = json.Unmarshal([]byte(r.Body), &body)
		if r.Status != 200 || r.Header.Get("Set-Cookie") != "" || body["expires_in"] != float64(60) || body["token_type"] != "Bearer" ||
			!slices.Equal(keysOf(body), []string{"access_token", "expires_in", "id_token", "scope", "token_type"}) {
			t.Errorf("%d %v", r.Status, body)
		}
	})
	for _, tc := range []struct {
		name, alg string
		client    errtSP
		amr       bool
		keys      []string
	}{
		{"FCP Low - id_token avec signature ES256", "ES256", errtDemo, true,
			[]string{"acr", "amr", "aud", "auth_time", "exp", "iat", "iss", "nonce", "sub"}},
		{"FCP Low - id_token avec signature RS256", "RS256", errtRS256, false,
			[]string{"acr", "aud", "auth_time", "exp", "iat", "iss", "nonce", "sub"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			params := tc.client.authorize()
			if tc.amr {
				params.Set("claims", `{"id_token":{"amr":{"essential":true}}}`)
			}
			code := env.loginWithHeader(params, "test").Get("code")
			r := errtPost(t, env.Issuer+"/token", tc.client.tokenForm(code), nil)
			var tr tokenResponse
			_ = json.Unmarshal([]byte(r.Body), &tr)
			header, payload := jwsParts(t, tr.IDToken)
			if header["alg"] != tc.alg || header["kid"] == nil || len(header) != 2 {
				t.Errorf("header %v, want exactly alg %s and kid", header, tc.alg)
			}
			if !slices.Equal(keysOf(payload), tc.keys) || payload["acr"] != "eidas1" || payload["iss"] != env.Issuer {
				t.Errorf("payload %v, want exactly %v", payload, tc.keys)
			}
		})
	}
	t.Run("erreur mauvais client_secret", func(t *testing.T) {
		env := newTestEnv(t, nil)
		code := env.loginWithHeader(validAuthorize(), "test").Get("code")
		form := tokenForm(code)
		form.Set("client_secret", "wrong-client-secret")
		errtWantJSONErrorCode(401, "invalid_client", "client authentication failed (invalid secret provided)", "Y0434A7B")(
			t, env, errtPost(t, env.Issuer+"/token", form, nil))
	})
	t.Run("erreur code manquant", func(t *testing.T) {
		env := newTestEnv(t, nil)
		errtWantJSONErrorCode(400, "invalid_request", "missing required parameter 'code' (undefined)", "Y048017B")(
			t, env, errtPost(t, env.Issuer+"/token", tokenForm(""), nil))
	})
	t.Run("erreur code expiré ou non trouvé", func(t *testing.T) {
		env := newTestEnv(t, nil)
		errtWantJSONErrorCode(400, "invalid_grant", "grant request is invalid (authorization code not found)", "Y049E20B")(
			t, env, errtPost(t, env.Issuer+"/token", tokenForm("codeinconnu"), nil))
	})
}

// TestAPIUserinfoFeature mirrors api-userinfo.feature.
func TestAPIUserinfoFeature(t *testing.T) {
	for _, tc := range []struct {
		name, alg string
		client    errtSP
	}{
		{"FCP Low - userinfo avec signature ES256", "ES256", errtDemo},
		{"FCP Low - userinfo avec signature RS256", "RS256", errtRS256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, nil)
			c := tc.client
			c.scope = "openid profile birth email idp_birthdate"
			at, _ := errtTokens(t, env, c)
			r := errtGet(t, env.Issuer+"/userinfo", http.Header{"Authorization": {"Bearer " + at}})
			errtMediaType(t, r, "application/jwt")
			header, payload := jwsParts(t, r.Body)
			want := []string{"aud", "birthcountry", "birthdate", "birthplace", "email", "exp", "family_name", "gender", "given_name",
				"given_name_array", "iat", "idp_birthdate", "iss", "preferred_username", "sub"}
			if r.Status != 200 || r.Header.Get("Set-Cookie") != "" || header["alg"] != tc.alg || len(header) != 2 {
				t.Errorf("%d, header %v", r.Status, header)
			}
			if !slices.Equal(keysOf(payload), want) || payload["iss"] != env.Issuer {
				t.Errorf("payload keys %v, want exactly %v", keysOf(payload), want)
			}
		})
	}
	t.Run("erreur token expiré ou non trouvé", func(t *testing.T) {
		env := newTestEnv(t, nil)
		errtWantJSONErrorCode(401, "invalid_token", "invalid token provided (access token not found)", "Y040001")(
			t, env, errtGet(t, env.Issuer+"/userinfo", http.Header{"Authorization": {"Bearer tokeninconnu"}}))
	})
	t.Run("erreur access_token manquant", func(t *testing.T) {
		env := newTestEnv(t, nil)
		errtWantJSONErrorCode(401, "invalid_token", "no access token provided (no access token provided)", "Y04146A2")(
			t, env, errtGet(t, env.Issuer+"/userinfo", nil))
	})
}

// TestAPICheckTokenFeature mirrors api-checktoken.feature, with two data
// providers shaped like the feature's DPP2 (RSA-OAEP-256 + ES256) and DPP1
// (ECDH-ES + RS256).
func TestAPICheckTokenFeature(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub := func(k any, alg string) string {
		b, _ := json.Marshal(jose.JSONWebKey{Key: k, Use: "enc", Algorithm: alg, KeyID: "dpp-enc:" + alg})
		return string(b)
	}
	extra := fmt.Sprintf(`
  - client_id: dpp2
    client_secret: dpp2-secret
    name: "DPP2"
    checktoken_signed_response_alg: ES256
    checktoken_encrypted_response_alg: RSA-OAEP-256
    checktoken_encrypted_response_enc: A256GCM
    jwks: {"keys": [%s]}
    scopes: {dpp2_scope: "Donnée DPP2"}
  - client_id: dpp1
    client_secret: dpp1-secret
    name: "DPP1"
    checktoken_signed_response_alg: RS256
    checktoken_encrypted_response_alg: ECDH-ES
    checktoken_encrypted_response_enc: A256GCM
    jwks: {"keys": [%s]}
    scopes: {dpp1_scope: "Donnée DPP1"}
`, pub(&rsaKey.PublicKey, "RSA-OAEP-256"), pub(&ecKey.PublicKey, "ECDH-ES"))
	clients, err := fixturesRead("clients.yaml")
	if err != nil {
		t.Fatal(err)
	}
	head, tail, _ := strings.Cut(string(clients), "\nservice_providers:")
	reg, err := LoadClients(fstest.MapFS{"clients.yaml": {Data: []byte(head + extra + "\nservice_providers:" + tail)}})
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, func(c *Config) { c.Clients = reg })
	check := func(id, secret string) errtResponse {
		return errtPost(t, env.Issuer+"/checktoken", url.Values{"token": {"tototototo"}, "client_id": {id}, "client_secret": {secret}}, nil)
	}
	for _, tc := range []struct {
		name, id, secret string
		keyAlg           jose.KeyAlgorithm
		key              any
		jweProps         int
		sigAlg           string
		verify           jose.JSONWebKey
	}{
		{"FCP Low - RSA-OAEP-256 + ES256", "dpp2", "dpp2-secret", jose.RSA_OAEP_256, rsaKey, 2, "ES256", env.P.Keys().ES256.Public()},
		{"FCP Low - ECDH-ES + RS256", "dpp1", "dpp1-secret", jose.ECDH_ES, ecKey, 3, "RS256", env.P.Keys().RS256.Public()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(tc.id, tc.secret)
			if r.Status != 200 || r.Header.Get("Content-Type") != "application/token-introspection+jwt" || r.Header.Get("Set-Cookie") != "" {
				t.Fatalf("%d %q", r.Status, r.Header.Get("Content-Type"))
			}
			raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(r.Body, ".")[0])
			var jweHeader map[string]any
			_ = json.Unmarshal(raw, &jweHeader)
			if len(jweHeader) != tc.jweProps || jweHeader["alg"] != string(tc.keyAlg) || jweHeader["enc"] != "A256GCM" {
				t.Errorf("JWE header %v, want exactly %d properties", jweHeader, tc.jweProps)
			}
			jwe, err := jose.ParseEncryptedCompact(r.Body, []jose.KeyAlgorithm{tc.keyAlg}, []jose.ContentEncryption{jose.A256GCM})
			if err != nil {
				t.Fatal(err)
			}
			inner, err := jwe.Decrypt(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			header, payload := jwsParts(t, string(inner))
			if header["alg"] != tc.sigAlg || len(header) != 2 {
				t.Errorf("JWS header %v", header)
			}
			jws, _ := jose.ParseSigned(string(inner), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tc.sigAlg)})
			if _, err := jws.Verify(tc.verify); err != nil {
				t.Errorf("signature: %v", err)
			}
			if !slices.Equal(keysOf(payload), []string{"aud", "iat", "iss", "token_introspection"}) || payload["iss"] != env.Issuer {
				t.Errorf("payload %v", payload)
			}
		})
	}
	missing := errtWantBareError(400, "invalid_request", "Required parameter missing or invalid.")
	for _, p := range []string{"client_id", "client_secret", "token"} {
		t.Run(p+" manquant", func(t *testing.T) {
			f := url.Values{"token": {"tototototo"}, "client_id": {"dpp2"}, "client_secret": {"dpp2-secret"}}
			f.Del(p)
			missing(t, env, errtPost(t, env.Issuer+"/checktoken", f, nil))
		})
	}
	t.Run("client_secret invalide", func(t *testing.T) {
		errtWantBareError(401, "invalid_client", "Client authentication failed.")(t, env, check("dpp2", "invalidclientsecret"))
	})
	t.Run("client_id invalide", func(t *testing.T) {
		errtWantBareError(401, "invalid_client", "Client authentication failed.")(t, env, check("invalidclientid", "dpp2-secret"))
	})
}

// TestAPIDiscoveryFeature mirrors api-discovery.feature and the
// GetDiscoveryDto it validates the document against (whitelist,
// forbidNonWhitelisted: no field more, none required missing).
func TestAPIDiscoveryFeature(t *testing.T) {
	env := newTestEnv(t, nil)
	r := errtGet(t, env.Issuer+"/.well-known/openid-configuration", nil)
	errtMediaType(t, r, "application/json")
	if r.Status != 200 || r.Header.Get("Set-Cookie") != "" || r.Header.Get("Cache-Control") != "public, max-age=600" {
		t.Fatalf("%d, Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	dto := []string{"acr_values_supported", "authorization_endpoint", "claims_parameter_supported", "claims_supported",
		"code_challenge_methods_supported", "end_session_endpoint", "grant_types_supported", "id_token_signing_alg_values_supported",
		"issuer", "jwks_uri", "authorization_response_iss_parameter_supported", "response_modes_supported", "response_types_supported",
		"scopes_supported", "subject_types_supported", "token_endpoint_auth_methods_supported",
		"token_endpoint_auth_signing_alg_values_supported", "token_endpoint", "request_object_signing_alg_values_supported",
		"request_parameter_supported", "request_uri_parameter_supported", "userinfo_endpoint", "userinfo_signing_alg_values_supported",
		"revocation_endpoint", "claim_types_supported"}
	optional := []string{"require_request_uri_registration", "dpop_signing_alg_values_supported"}
	for _, k := range dto {
		if _, ok := doc[k]; !ok {
			t.Errorf("GetDiscoveryDto requires %s", k)
		}
	}
	for k := range doc {
		if !slices.Contains(dto, k) && !slices.Contains(optional, k) {
			t.Errorf("%s is not a field of GetDiscoveryDto", k)
		}
	}
	list := func(k string) []string {
		var out []string
		for _, v := range doc[k].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	t.Run("acr_values_supported contient uniquement eidas1", func(t *testing.T) {
		if got := list("acr_values_supported"); !slices.Equal(got, []string{"eidas1"}) {
			t.Error(got)
		}
	})
	t.Run("scopes_supported", func(t *testing.T) {
		got := list("scopes_supported")
		for _, s := range []string{"openid", "profile", "preferred_username", "idp_birthdate"} {
			if !slices.Contains(got, s) {
				t.Errorf("lacks %s", s)
			}
		}
		for _, s := range []string{"offline_access", "address"} {
			if slices.Contains(got, s) {
				t.Errorf("has %s", s)
			}
		}
	})
	t.Run("claims_supported", func(t *testing.T) {
		got := list("claims_supported")
		for _, c := range []string{"sub", "given_name", "given_name_array", "amr", "acr"} {
			if !slices.Contains(got, c) {
				t.Errorf("lacks %s", c)
			}
		}
	})
	t.Run("algorithmes de signature", func(t *testing.T) {
		for _, k := range []string{"id_token_signing_alg_values_supported", "userinfo_signing_alg_values_supported"} {
			if got := list(k); !slices.Equal(got, []string{"HS256", "ES256", "RS256"}) {
				t.Errorf("%s = %v", k, got)
			}
		}
	})
	t.Run("pas de chiffrement ni de backchannel logout", func(t *testing.T) {
		for _, k := range []string{"id_token_encryption_alg_values_supported", "id_token_encryption_enc_values_supported",
			"userinfo_encryption_alg_values_supported", "userinfo_encryption_enc_values_supported",
			"backchannel_logout_supported", "backchannel_logout_session_supported"} {
			if _, ok := doc[k]; ok {
				t.Errorf("has %s", k)
			}
		}
	})
	t.Run("JWKS", func(t *testing.T) {
		r := errtGet(t, env.Issuer+"/jwks", nil)
		errtMediaType(t, r, "application/jwk-set+json")
		if r.Header.Get("Cache-Control") != "public, max-age=600" {
			t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
	})
}
