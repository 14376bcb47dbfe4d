package franceconnect

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// discoveryDoc is fcp-low's OpenID configuration: exactly the fields of
// the platform's GetDiscoveryDto (quality/fcp/cypress/support/api/dto), in
// node-oidc-provider's order, with the values its configuration gives.
// code_challenge_methods_supported is advertised although authorize refuses
// PKCE: the real document has it, and vendors must meet that trap here.
type discoveryDoc struct {
	ACRValuesSupported                         []string `json:"acr_values_supported"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	ClaimsParameterSupported                   bool     `json:"claims_parameter_supported"`
	ClaimsSupported                            []string `json:"claims_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	EndSessionEndpoint                         string   `json:"end_session_endpoint"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	Issuer                                     string   `json:"issuer"`
	JWKSURI                                    string   `json:"jwks_uri"`
	AuthorizationResponseISSParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ScopesSupported                            []string `json:"scopes_supported"`
	SubjectTypesSupported                      []string `json:"subject_types_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported"`
	RequestURIParameterSupported               bool     `json:"request_uri_parameter_supported"`
	RequestParameterSupported                  bool     `json:"request_parameter_supported"`
	RequestObjectSigningAlgValuesSupported     []string `json:"request_object_signing_alg_values_supported"`
	UserinfoEndpoint                           string   `json:"userinfo_endpoint"`
	UserinfoSigningAlgValuesSupported          []string `json:"userinfo_signing_alg_values_supported"`
	DPoPSigningAlgValuesSupported              []string `json:"dpop_signing_alg_values_supported"`
	RevocationEndpoint                         string   `json:"revocation_endpoint"`
	ClaimTypesSupported                        []string `json:"claim_types_supported"`
}

// discovery serves the OpenID configuration with the platform's
// Cache-Control.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := p.cfg.Issuer
	claims := []string{"sub", "given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username",
		"birthplace", "birthcountry", "email", "idp_birthdate", "amr", "idp_id"}
	scopes := append([]string{}, identityScopes...)
	for _, dp := range p.cfg.Clients.DataProviders() {
		claims = append(claims, dp.ScopeNames()...)
		scopes = append(scopes, dp.ScopeNames()...)
	}
	claims = append(claims, "acr", "sid", "auth_time", "iss")
	algs := []string{"HS256", "ES256", "RS256"}
	doc := discoveryDoc{
		ACRValuesSupported:            []string{"eidas1"},
		AuthorizationEndpoint:         iss + "/authorize",
		ClaimsParameterSupported:      true,
		ClaimsSupported:               claims,
		CodeChallengeMethodsSupported: []string{"S256"},
		EndSessionEndpoint:            iss + "/session/end",
		GrantTypesSupported:           []string{"authorization_code"},
		Issuer:                        iss,
		JWKSURI:                       iss + "/jwks",
		AuthorizationResponseISSParameterSupported: true,
		ResponseModesSupported:                     []string{"form_post", "fragment", "query"},
		ResponseTypesSupported:                     []string{"code"},
		ScopesSupported:                            scopes,
		SubjectTypesSupported:                      []string{"pairwise"},
		TokenEndpointAuthMethodsSupported:          []string{"client_secret_post", "private_key_jwt"},
		TokenEndpointAuthSigningAlgValuesSupported: []string{"ES256", "RS256"},
		TokenEndpoint:                              iss + "/token",
		IDTokenSigningAlgValuesSupported:           algs,
		RequestURIParameterSupported:               false,
		RequestParameterSupported:                  true,
		RequestObjectSigningAlgValuesSupported:     []string{"ES256", "RS256", "HS256"},
		UserinfoEndpoint:                           iss + "/userinfo",
		UserinfoSigningAlgValuesSupported:          algs,
		DPoPSigningAlgValuesSupported:              []string{"ES256", "RS256"},
		RevocationEndpoint:                         iss + "/token/revocation",
		ClaimTypesSupported:                        []string{"normal"},
	}
	body, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=600")
	_, _ = w.Write(body)
}

// pathOf returns the path of the issuer URL, where routes are mounted.
func pathOf(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil || !u.IsAbs() || u.Path == "" || u.RawQuery != "" {
		return "", fmt.Errorf("franceconnect: issuer %q must be an absolute URL with a path, like http://localhost:8080/api/v2", issuer)
	}
	return u.Path, nil
}
