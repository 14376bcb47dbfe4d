package franceconnect

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/bacasable/bacasable/simulator/journal"
)

// ErrorURI is the error_uri FranceConnect puts in its JSON errors: the
// partners' documentation page listing error codes.
const ErrorURI = "https://docs.partenaires.franceconnect.gouv.fr/fs/fs-technique/fs-technique-erreurs/"

// Error is one FranceConnect error. Code and Description are what the real
// platform sends (OAuth error and its English description); FCCode is the
// code its HTML error pages show (e.g. Y030007); Hint is the sandbox's own
// French sentence telling a developer what was wrong in the request.
type Error struct {
	Status      int
	Code        string
	Description string
	FCCode      string
	Hint        string
}

func (e *Error) Error() string {
	if e.Hint != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Description, e.Hint)
	}
	return e.Code + ": " + e.Description
}

// WithHint returns a copy of e carrying a French explanation.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// Errors of the authorization request shown as an HTML page (no trustworthy
// redirect_uri): the platform's codes.
func errUnknownClient() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_client", Description: "client is invalid", FCCode: "Y04EA6EF"}
}
func errRedirectURINotRegistered() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_redirect_uri", Description: "redirect_uri did not match any of the client's registered redirect_uris", FCCode: "Y04C013C"}
}
func errBadParameters() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "invalid request parameters", FCCode: "Y030007"}
}
func errInteractionNotFound() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "session_not_found", Description: "interaction session not found or expired", FCCode: "Y190001"}
}
func errUnknownPersona() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "unknown persona", FCCode: "BAC-PERSONA"}
}
func errLogout() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "invalid logout request", FCCode: "Y030118"}
}

// Errors of the authorization request sent back to the client's redirect_uri.
func errMissingResponseType() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_request", Description: "missing required parameter 'response_type'"}
}
func errUnsupportedResponseType() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "unsupported_response_type", Description: "unsupported response_type requested"}
}
func errScopeNotAllowed() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_scope", Description: "requested scope is not allowed"}
}
func errInvalidACR() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_acr", Description: "acr_value is not valid"}
}
func errInvalidIdpHint() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_idp_hint", Description: "idp_hint is not allowed"}
}
func errRedirectInvalidRequest(desc string) *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_request", Description: desc}
}
func errAccessDenied() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "access_denied", Description: "User auth aborted"}
}

// Errors of the back-channel endpoints, answered in JSON.
func errInvalidClient(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_client", Description: "client authentication failed (" + reason + ")"}
}
func errInvalidRequest(desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}
func errMissingParameter(name string) *Error {
	return errInvalidRequest(fmt.Sprintf("missing required parameter '%s' (undefined)", name))
}
func errInvalidGrant(reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_grant", Description: "grant request is invalid (" + reason + ")"}
}
func errUnsupportedGrantType(got string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: fmt.Sprintf("unsupported grant_type requested (%s)", got)}
}
func errInvalidToken(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "invalid token provided (" + reason + ")"}
}
func errNoToken() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "no access token provided"}
}
func errCheckTokenRequest() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "Required parameter missing or invalid."}
}
func errServer() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "oops! something went wrong"}
}

// writeJSONError answers a back-channel request with the OAuth error body.
func (p *Provider) writeJSONError(w http.ResponseWriter, r *http.Request, e *Error) {
	p.logError(r, e)
	body := map[string]string{"error": e.Code, "error_description": e.Description, "error_uri": ErrorURI}
	if e.Code == "invalid_token" {
		challenge := fmt.Sprintf(`Bearer realm=%q, error=%q, error_description=%q`, p.cfg.Issuer, e.Code, e.Description)
		if e.Description == errNoToken().Description {
			// RFC 6750 §3.1: no error code when no credentials were sent.
			challenge = fmt.Sprintf(`Bearer realm=%q`, p.cfg.Issuer)
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeErrorPage answers a browser with FranceConnect's error page.
func (p *Provider) writeErrorPage(w http.ResponseWriter, r *http.Request, e *Error) {
	p.logError(r, e)
	status := e.Status
	if status < 400 {
		status = http.StatusBadRequest
	}
	p.render(w, status, "error.html", map[string]any{"Title": "Erreur", "Error": e})
}

// redirectError sends the user back to the client with the error, as the
// platform does once client_id and redirect_uri are trusted.
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, req *authRequest, e *Error) {
	p.logError(r, e)
	params := url.Values{"error": {e.Code}, "error_description": {e.Description}, "iss": {p.cfg.Issuer}}
	if req.State != "" {
		params.Set("state", req.State)
	}
	p.respond(w, req, params)
}

func (p *Provider) logError(r *http.Request, e *Error) {
	journal.SetError(r.Context(), e.Code)
	if e.Hint != "" {
		journal.Why(r.Context(), e.Hint)
	}
	level := slog.LevelWarn
	if e.Status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"error", e.Code, "description", e.Description}
	if e.FCCode != "" {
		attrs = append(attrs, "fc_code", e.FCCode)
	}
	if e.Hint != "" {
		attrs = append(attrs, "hint", e.Hint)
	}
	p.log.Log(r.Context(), level, "franceconnect: "+strings.TrimPrefix(r.URL.Path, "/api/v2/"), attrs...)
}
