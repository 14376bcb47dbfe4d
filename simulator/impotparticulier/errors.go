package impotparticulier

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/journal"
)

// Erreur is one DGFiP error: the HTTP status, the numeric code and the
// message of the {"erreur":{…}} envelope. Detail is the sandbox's own
// explanation for a developer, logged and sent in the message after the
// DGFiP's wording (the real API has no such detail).
type Erreur struct {
	Status  int
	Code    int
	Message string
	Detail  string
	// RetryAfter, when set, is sent as a Retry-After header (429, 503).
	RetryAfter time.Duration
}

func (e *Erreur) Error() string {
	return fmt.Sprintf("%d/%d %s (%s)", e.Status, e.Code, e.Message, e.Detail)
}

// With returns a copy of e with a developer's explanation.
func (e Erreur) With(format string, args ...any) *Erreur {
	e.Detail = fmt.Sprintf(format, args...)
	return &e
}

// The catalogue. Codes marked "assumed" are the sandbox's choice where the
// DGFiP documents nothing (see the contract's description and the README).
var (
	ErrRequete         = Erreur{Status: 400, Code: 4000, Message: "Un des paramètres en entrée est non conforme aux valeurs possibles"}
	ErrFormatSPI       = Erreur{Status: 400, Code: 4001, Message: "Le format du SPI est incorrect"}
	ErrFormatAnnee     = Erreur{Status: 400, Code: 4002, Message: "Le format de l'année est incorrect"}
	ErrFormatDept      = Erreur{Status: 400, Code: 4007, Message: "Le format du département est incorrect"}
	ErrJetonPasserelle = Erreur{Status: 401, Code: 4010, Message: "Jeton d'accès absent, invalide ou expiré"} // assumed
	ErrAccesRefuse     = Erreur{Status: 403, Code: 4031, Message: "L'utilisateur n'a pas accès à la ressource"}
	ErrJetonFC         = Erreur{Status: 403, Code: 4033, Message: "Jeton FranceConnect invalide, expiré ou sans consentement pour ces données"} // assumed
	ErrUsagerInconnu   = Erreur{Status: 404, Code: 4040, Message: "Aucun usager déclarant ne correspond à cette identité"}                      // assumed
	ErrAucunResultat   = Erreur{Status: 410, Code: 4101, Message: "Aucun résultat"}
	ErrSPIInconnu      = Erreur{Status: 410, Code: 4102, Message: "Le spi envoyé ne correspond à aucun usager"}
	ErrQuota           = Erreur{Status: 429, Code: 4290, Message: "Quota d'appels par minute dépassé pour cet ID_Teleservice"} // assumed
	ErrTechnique       = Erreur{Status: 500, Code: 5000, Message: "Internal Server Error «Erreur de traitement – demande à renouveler»"}
	ErrIndisponible    = Erreur{Status: 503, Code: 5030, Message: "Service temporairement indisponible, demande à renouveler"} // assumed
)

// horodatageLayout is the envelope's timestamp: local time without offset,
// as in the only published DGFiP error body.
const horodatageLayout = "2006-01-02T15:04:05"

// writeErreur answers e in the DGFiP envelope. It is the only place the
// API writes an error.
func (a *API) writeErreur(w http.ResponseWriter, r *http.Request, e *Erreur) {
	level := slog.LevelWarn
	if e.Status >= 500 {
		level = slog.LevelError
	}
	journal.SetError(r.Context(), strconv.Itoa(e.Code))
	if e.Detail != "" {
		journal.Why(r.Context(), e.Detail)
	}
	a.log.Log(r.Context(), level, "impotparticulier: error", "status", e.Status, "code", e.Code, "detail", e.Detail, "path", r.URL.Path)
	msg := e.Message
	if e.Detail != "" && a.cfg.ExplainErrors {
		msg += " — " + e.Detail
	}
	body := map[string]any{"erreur": map[string]any{
		"code": e.Code, "message": msg, "horodatage": a.cfg.Clock.Now().In(clock.Paris()).Format(horodatageLayout),
	}}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	w.Header().Set("Content-Type", "application/json")
	a.writeJSON(w, r, e.Status, body) // strings and ints: never fails to encode
}

// oauthError is the gateway's /token error (RFC 6749 §5.2).
type oauthError struct {
	Status      int
	Code        string
	Description string
}

func (a *API) writeOAuthError(w http.ResponseWriter, r *http.Request, e oauthError) {
	a.log.WarnContext(r.Context(), "gateway: token error", "error", e.Code, "description", e.Description)
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="bacasable gateway"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": e.Code, "error_description": e.Description})
}

// Errors of the gateway's routing, outside the DGFiP catalogue (assumed).
var (
	ErrRessourceInconnue = Erreur{Status: 404, Code: 4040, Message: "La ressource demandée n'existe pas"}
	ErrMethode           = Erreur{Status: 405, Code: 4050, Message: "Méthode non autorisée"}
)

// Fault is a refusal of the gateway in its own body, as a WSO2 API Manager
// writes it: {"fault":{"code":900800,"message":"…","description":"…"}}.
// The DGFiP's published contract points to WSO2 (x-scopes-bindings); which
// body its gateway really sends is not documented, so the sandbox answers
// the DGFiP envelope by default and this body only in scenarios with
// format wso2, for clients to read both.
type Fault struct {
	Status      int
	Code        int
	Message     string
	Description string
	// RetryAfter, when set, is sent as a Retry-After header (429).
	RetryAfter time.Duration
}

// The WSO2 API Manager codes a scenario may name without a message
// (apim.docs.wso2.com, Troubleshooting › Error handling).
var wso2Faults = []Fault{
	{Status: 401, Code: 900901, Message: "Invalid Credentials", Description: "Invalid Credentials. Make sure you have provided the correct security credentials"},
	{Status: 401, Code: 900902, Message: "Missing Credentials", Description: "Required OAuth credentials not provided. Make sure your API invocation call has a header: \"Authorization: Bearer ACCESS_TOKEN\""},
	{Status: 403, Code: 900910, Message: "The access token does not allow you to access the requested resource", Description: "User is NOT authorized to access the Resource. Scope validation failed."},
	{Status: 429, Code: 900800, Message: "Message throttled out", Description: "You have exceeded your quota"},
}

// writeFault answers f in the WSO2 gateway's body. It is the only place
// the API writes one.
func (a *API) writeFault(w http.ResponseWriter, r *http.Request, f Fault, why string) {
	journal.SetError(r.Context(), strconv.Itoa(f.Code))
	journal.Why(r.Context(), why)
	a.log.WarnContext(r.Context(), "impotparticulier: gateway fault", "status", f.Status, "code", f.Code, "why", why, "path", r.URL.Path)
	fault := map[string]any{"code": f.Code, "message": f.Message}
	if f.Description != "" {
		fault["description"] = f.Description
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Seconds())))
	}
	w.Header().Set("Content-Type", "application/json")
	a.writeJSON(w, r, f.Status, map[string]any{"fault": fault})
}
