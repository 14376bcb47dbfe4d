package franceconnect

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/bacasable/bacasable/simulator/internal/text"
	"github.com/bacasable/bacasable/simulator/journal"
)

// ErrorURI is the error_uri FranceConnect puts in its JSON errors: the
// partners' documentation page listing error codes.
const ErrorURI = "https://docs.partenaires.franceconnect.gouv.fr/fs/fs-technique/fs-technique-erreurs/"

// Error is one FranceConnect error. Code and Description are what the real
// platform sends (OAuth error and its English description, detail included
// in parentheses as the platform writes it); FCCode is the platform's own
// code (e.g. Y030007), shown on its error pages and in error_uri; Message is
// the French text its page shows under « Que faire ? »; Hint is the
// sandbox's own French sentence telling a developer what was wrong.
type Error struct {
	Status      int
	Code        string
	Description string
	FCCode      string
	Message     string
	Hint        string
	// scope is the scope named by an invalid_scope redirect.
	scope string
	// bare errors are written {"error","error_description"} only, as
	// checktoken's filter does (no error_uri).
	bare bool
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

// The messages of the platform's error pages (back/apps/core-fcp/src/i18n,
// back/libs/*/src/i18n in france-connect/sources). The apostrophes are the
// platform's: typographic in some, straight in others.
const (
	msgReconnect     = "Une erreur technique est survenue, fermez l’onglet de votre navigateur et reconnectez-vous."
	msgReconnectBare = "Une erreur technique est survenue, fermez l’onglet de votre navigateur et reconnectez-vous"
	msgSPComm        = "Une erreur de communication avec le fournisseur de service est survenue. Veuillez réessayer ultérieurement."
	msgDefault       = "Une erreur s'est produite, veuillez réessayer ultérieurement"
	msgSession       = "Votre session a expiré ou est invalide, fermez l’onglet de votre navigateur et reconnectez-vous."
	msgNotFound      = "Page non trouvée"
	msgTechnical     = "Une erreur technique est survenue. Si le problème persiste, veuillez nous contacter."
	msgRNIPPContact  = "Un problème lié à vos données d'identité empêche la connexion d'aboutir. Nous vous invitons à nous contacter pour corriger le problème."
	msgRNIPPHelp     = "Merci de consulter notre page d’aide FranceConnect."
	msgRNIPPDeceased = "Les identifiants utilisés correspondent à une identité qui ne permet plus la connexion."
)

// Errors of the authorization request shown as an HTML page (no trustworthy
// redirect_uri): the platform's codes.
func errUnknownClient() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_client", Description: "client is invalid (client not found)", FCCode: "Y04EA6EF", Message: msgSPComm}
}
func errRedirectURINotRegistered() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_redirect_uri", Description: "redirect_uri did not match any of the client's registered redirect_uris", FCCode: "Y04C013C", Message: msgSPComm}
}

// errBadParameters is OidcProviderAuthorizeParamsException: the authorize
// DTO refused a parameter.
func errBadParameters() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "invalid parameter", FCCode: "Y030007", Message: msgReconnect}
}

// errNoWrapper is a node-oidc-provider error FranceConnect has no code for
// (OidcProviderNoWrapperException), e.g. a bad scope with a bad redirect_uri.
func errNoWrapper(code, desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Description: desc, FCCode: "Y040001", Message: msgDefault}
}
func errAMRNotAllowed() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "server_error", Description: "authentication aborted due to a technical error on the authorization server", FCCode: "Y100009", Message: msgReconnectBare}
}
func errInteractionNotFound() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "session_not_found", Description: "interaction session not found or expired", FCCode: "Y190001", Message: msgSession}
}
func errUnknownPersona() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "unknown persona", FCCode: "BAC-PERSONA", Message: "Le bac à sable ne connaît pas cette personne."}
}
func errHTTP400() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "Bad Request", FCCode: "Y000400", Message: msgDefault}
}
func errPageNotFound() *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Description: "Not Found", FCCode: "Y000404", Message: msgNotFound}
}
func errRedirectToSP() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "access_denied", Description: "user authentication aborted", FCCode: "Y030030", Message: msgReconnect}
}
func errLogout(fcCode, desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc, FCCode: fcCode, Message: msgReconnect}
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
func errInvalidACR(got string) *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_acr", Description: "acr_value is not valid, should be equal one of these values, expected eidas1, got " + got}
}
func errInvalidIdpHint() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_idp_hint", Description: "An idp_hint was provided but is not allowed"}
}
func errRedirectInvalidRequest(desc string) *Error {
	return &Error{Status: http.StatusSeeOther, Code: "invalid_request", Description: desc}
}
func errAccessDenied() *Error {
	return &Error{Status: http.StatusSeeOther, Code: "access_denied", Description: "User auth aborted"}
}

// Errors of the back-channel endpoints, answered in JSON. The codes are the
// ones the platform puts in error_uri (api-token.feature,
// api-userinfo.feature); Y040001 where the platform has no wrapper.
func errInvalidClient(reason, fcCode string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_client", Description: "client authentication failed (" + reason + ")", FCCode: fcCode}
}
func errInvalidRequest(desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc, FCCode: "Y040001"}
}
func errMissingParameter(name string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: fmt.Sprintf("missing required parameter '%s' (undefined)", name), FCCode: "Y048017B"}
}
func errInvalidGrant(reason, fcCode string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_grant", Description: "grant request is invalid (" + reason + ")", FCCode: fcCode}
}
func errUnsupportedGrantType() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: "unsupported grant_type requested (undefined)", FCCode: "Y04C2044"}
}
func errInvalidToken(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "invalid token provided (" + reason + ")", FCCode: "Y040001"}
}
func errNoToken() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "no access token provided (no access token provided)", FCCode: "Y04146A2"}
}
func errCheckTokenRequest() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "Required parameter missing or invalid.", bare: true}
}
func errCheckTokenClient() *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "invalid_client", Description: "Client authentication failed.", bare: true}
}
func errServer() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "authentication aborted due to a technical error on the authorization server", FCCode: "Y000000", Message: msgDefault}
}

// writeJSONError answers a back-channel request with the OAuth error body,
// as the platform's JSON filter writes it: error_uri carries the error's
// code and a fresh id (a UUID the platform logs with the error).
func (p *Provider) writeJSONError(w http.ResponseWriter, r *http.Request, e *Error) {
	p.logError(r, e)
	body := map[string]string{"error": e.Code, "error_description": e.Description}
	if !e.bare {
		code := e.FCCode
		if code == "" {
			code = "Y040001"
		}
		body["error_uri"] = ErrorURI + "?code=" + code + "&id=" + uuid.NewString()
	}
	if e.Code == "invalid_token" {
		challenge := fmt.Sprintf(`Bearer realm=%q, error=%q, error_description=%q`, p.cfg.Issuer, e.Code, "invalid token provided")
		if e.FCCode == errNoToken().FCCode {
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
	p.writeErrorPageBack(w, r, e, nil)
}

// backToSP is the « Revenir sur … » link of an error page: the platform
// shows it when the login in progress names the service, and it goes
// through /redirect-to-sp-with-error to the service's redirect_uri.
type backToSP struct {
	Name string
	URL  string
}

// backLink builds the link back to req's service with error e.
func (p *Provider) backLink(req *authRequest, e *Error) *backToSP {
	q := url.Values{"error": {e.Code}, "error_description": {e.Description}, "redirect_uri": {req.RedirectURI}}
	if req.State != "" {
		q.Set("state", req.State)
	}
	return &backToSP{Name: req.Client.Name, URL: p.basePath + "/redirect-to-sp-with-error?" + q.Encode()}
}

// writeErrorPageBack is writeErrorPage with a link back to the service.
func (p *Provider) writeErrorPageBack(w http.ResponseWriter, r *http.Request, e *Error, back *backToSP) {
	p.logError(r, e)
	status := e.Status
	if status < 400 {
		status = http.StatusBadRequest
	}
	p.render(w, status, "error.html", map[string]any{"Title": "Erreur de connexion", "Error": e, "Back": back,
		"Support": supportedCodes[e.FCCode], "Sandbox": p.sandboxURL})
}

// supportedCodes are the codes whose page offers « Contactez-nous »
// (back/instances/core-fcp-low/src/config/exceptions-fcp.ts).
var supportedCodes = map[string]bool{"Y030007": true, "Y100009": true, "Y010004": true, "Y010006": true, "Y010007": true,
	"Y010008": true, "Y010011": true, "Y010012": true, "Y010013": true, "Y010015": true}

// redirectError sends the user back to the client with the error, as the
// platform does once client_id and redirect_uri are trusted: 303, the
// parameters in node-oidc-provider's order (error, error_description,
// scope, state, iss), in the fragment when the response_type asked for a
// token.
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, req *authRequest, e *Error) {
	p.logError(r, e)
	params := [][2]string{{"error", e.Code}, {"error_description", e.Description}}
	if e.scope != "" {
		params = append(params, [2]string{"scope", e.scope})
	}
	if req.State != "" {
		params = append(params, [2]string{"state", req.State})
	}
	params = append(params, [2]string{"iss", p.cfg.Issuer})
	w.Header().Set("Location", callbackURL(req.RedirectURI, req.fragment, params))
	w.WriteHeader(http.StatusSeeOther)
}

// callbackURL adds params, in order, to a client's redirect_uri: to its
// query (replacing a parameter of the same name, as URLSearchParams.set
// does), or as its fragment.
func callbackURL(redirectURI string, fragment bool, params [][2]string) string {
	var b strings.Builder
	if fragment {
		b.WriteString(redirectURI)
		b.WriteByte('#')
		writeParams(&b, params, false)
		return b.String()
	}
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	for part := range strings.SplitSeq(u.RawQuery, "&") {
		k, _, _ := strings.Cut(part, "=")
		name, _ := url.QueryUnescape(k)
		if part != "" && !slices.ContainsFunc(params, func(kv [2]string) bool { return kv[0] == name }) {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(part)
		}
	}
	writeParams(&b, params, b.Len() > 0)
	u.RawQuery = b.String()
	return u.String()
}

// writeParams writes params query-escaped, joined by & (and preceded by
// one when more is true).
func writeParams(b *strings.Builder, params [][2]string, more bool) {
	n := 0
	for _, kv := range params {
		n += len(kv[0]) + len(kv[1]) + 2
	}
	b.Grow(n + n/4) // room for a few escapes
	for _, kv := range params {
		if more {
			b.WriteByte('&')
		}
		more = true
		writeQueryEscaped(b, kv[0])
		b.WriteByte('=')
		writeQueryEscaped(b, kv[1])
	}
}

// writeQueryEscaped writes s as url.QueryEscape returns it: the
// unreserved characters as they are, a space as +, any other byte as %XX.
func writeQueryEscaped(b *strings.Builder, s string) {
	const upperhex = "0123456789ABCDEF"
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			continue
		case c == ' ':
			b.WriteString(s[start:i])
			b.WriteByte('+')
		default:
			b.WriteString(s[start:i])
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
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

// echoed keeps a client's input quoted in a hint short: 80 runes.
func echoed(s string) string { return text.Shorten(s, 80) }
