package franceconnect

import (
	"fmt"
	"net/http"
	"net/url"
)

// discovery serves the OpenID configuration, shaped like the real
// sandbox's (reference: "Discovery document").
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
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                           iss,
		"authorization_endpoint":           iss + "/authorize",
		"token_endpoint":                   iss + "/token",
		"userinfo_endpoint":                iss + "/userinfo",
		"jwks_uri":                         iss + "/jwks",
		"end_session_endpoint":             iss + "/session/end",
		"revocation_endpoint":              iss + "/token/revocation",
		"acr_values_supported":             []string{"eidas1"},
		"claims_parameter_supported":       true,
		"claims_supported":                 claims,
		"scopes_supported":                 scopes,
		"code_challenge_methods_supported": []string{"S256"},
		"grant_types_supported":            []string{"authorization_code"},
		"authorization_response_iss_parameter_supported":   true,
		"response_modes_supported":                         []string{"form_post", "fragment", "query"},
		"response_types_supported":                         []string{"code"},
		"subject_types_supported":                          []string{"pairwise"},
		"token_endpoint_auth_methods_supported":            []string{"client_secret_post", "private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"ES256", "RS256"},
		"id_token_signing_alg_values_supported":            algs,
		"userinfo_signing_alg_values_supported":            algs,
		"request_parameter_supported":                      false,
		"request_uri_parameter_supported":                  true,
		"require_request_uri_registration":                 true,
	})
}

// pathOf returns the path of the issuer URL, where routes are mounted.
func pathOf(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil || !u.IsAbs() || u.Path == "" || u.RawQuery != "" {
		return "", fmt.Errorf("franceconnect: issuer %q must be an absolute URL with a path, like http://localhost:8080/api/v2", issuer)
	}
	return u.Path, nil
}
