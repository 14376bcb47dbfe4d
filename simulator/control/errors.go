package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// The error codes of the control API, each with one status (statusOf).
const (
	// CodeInvalidRequest: the request does not match the contract, or
	// names something unknown (a scenario, a client, a persona).
	CodeInvalidRequest = "invalid_request"
	// CodeInvalidPopulation: a persona or foyer breaks a fixture rule.
	CodeInvalidPopulation = "invalid_population"
	// CodeUnauthorized: a control token is configured and the request
	// lacks it or carries another.
	CodeUnauthorized = "unauthorized"
	// CodeForbidden: a non-loopback caller without a configured token, or
	// a cross-origin browser request.
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeInternal         = "internal_error"
	// CodeUnavailable: a bounded resource is full (the journal's live
	// streams); try again later.
	CodeUnavailable = "unavailable"
)

var statusOf = map[string]int{
	CodeInvalidRequest:    http.StatusBadRequest,
	CodeInvalidPopulation: http.StatusBadRequest,
	CodeUnauthorized:      http.StatusUnauthorized,
	CodeForbidden:         http.StatusForbidden,
	CodeNotFound:          http.StatusNotFound,
	CodeMethodNotAllowed:  http.StatusMethodNotAllowed,
	CodeInternal:          http.StatusInternalServerError,
	CodeUnavailable:       http.StatusServiceUnavailable,
}

// Error is an answer of the control API that is not a success.
type Error struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`

	header map[string]string // extra answer headers (Allow, WWW-Authenticate)
}

// Detail is one problem of an error: where it is and what it is.
type Detail struct {
	// File is a fixture file, or the request that sent an item
	// ("PUT /personas/jeanne-martin"); Line counts that body's lines.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Field is a JSON pointer into the request body, or a parameter name.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Status is the HTTP status of e.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidRequest(format string, args ...any) *Error {
	return newError(CodeInvalidRequest, format, args...)
}

func notFound(format string, args ...any) *Error { return newError(CodeNotFound, format, args...) }

// invalidField is an invalid_request about one field of the body.
func invalidField(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: CodeInvalidRequest, Message: msg, Details: []Detail{{Field: field, Message: msg}}}
}

// populationError turns what Population.Apply refused into the answer
// listing every broken rule with its file and line; anything else is
// internal.
func populationError(err error) error {
	var list fixture.Errors
	var one *fixture.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = fixture.Errors{one}
	default:
		return err
	}
	e := &Error{Code: CodeInvalidPopulation}
	for _, fe := range list {
		e.Details = append(e.Details, Detail{File: fe.File, Line: fe.Line, Message: fe.Msg})
	}
	rules := "rules"
	if len(list) == 1 {
		rules = "rule"
	}
	e.Message = fmt.Sprintf("the change breaks %d fixture %s: nothing was changed", len(list), rules)
	return e
}

// writeError answers err in the envelope {"error": {…}}; it is the only
// place the control API writes an error. Client errors are logged at Warn,
// internal ones at Error, without their detail reaching the client.
func (c *Control) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		c.log.ErrorContext(r.Context(), "control: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = newError(CodeInternal, "internal error of the sandbox (see its log)")
	} else {
		level := slog.LevelWarn
		if e.Status() >= 500 {
			level = slog.LevelError
		}
		c.log.Log(r.Context(), level, "control: request refused", "method", r.Method, "path", r.URL.Path,
			"code", e.Code, "message", e.Message)
	}
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	writeJSON(w, e.Status(), struct {
		Error *Error `json:"error"`
	}{e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
