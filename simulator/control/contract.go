package control

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/bacasable/bacasable/openapi"
)

// ContractFile is the contract's file name in the openapi directory.
const ContractFile = "control.yaml"

// contract is the loaded control.yaml and its router.
type contract struct {
	raw    []byte
	doc    *openapi3.T
	router routers.Router
	// readOnly lists, per operationId, the read-only top-level properties
	// of its request body: accepted and dropped (a GET's answer can be
	// sent back).
	readOnly map[string][]string
}

// loadContract reads and validates the contract, routes it under BasePath
// whatever the host, and checks that its operations are exactly ops.
func loadContract(fsys fs.FS, loaded *openapi.Contract, ops map[string]handler) (*contract, error) {
	if loaded == nil {
		var err error
		if loaded, err = openapi.Load(fsys, ContractFile, BasePath); err != nil {
			return nil, err
		}
	}
	raw, doc, router := loaded.Raw, loaded.Doc, loaded.Router
	c := &contract{raw: raw, doc: doc, router: router, readOnly: map[string][]string{}}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, ok := ops[op.OperationID]; !ok {
				return nil, fmt.Errorf("openapi/%s: operation %q (%s %s) has no handler", ContractFile, op.OperationID, method, path)
			}
			seen[op.OperationID] = true
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
				for name, prop := range mt.Schema.Value.Properties {
					if prop.Value != nil && prop.Value.ReadOnly {
						c.readOnly[op.OperationID] = append(c.readOnly[op.OperationID], name)
					}
				}
				slices.Sort(c.readOnly[op.OperationID])
			}
		}
	}
	for id := range ops {
		if !seen[id] {
			return nil, fmt.Errorf("openapi/%s: operation %q is missing", ContractFile, id)
		}
	}
	return c, nil
}

// routeError is the answer to a request the contract does not route.
func (c *contract) routeError(r *http.Request, err error) *Error {
	if !errors.Is(err, routers.ErrMethodNotAllowed) {
		return notFound("no operation at %s: the operations are listed in %s/openapi.yaml", r.URL.Path, BasePath)
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, _, err := c.router.FindRoute(probe); err == nil {
			allowed = append(allowed, m)
		}
	}
	e := newError(CodeMethodNotAllowed, "%s does not take %s (it takes %s)", r.URL.Path, r.Method, strings.Join(allowed, ", "))
	e.header = map[string]string{"Allow": strings.Join(allowed, ", ")}
	return e
}

func (c *contract) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:         openapi3filter.NoopAuthenticationFunc, // checkAccess did it
		ExcludeReadOnlyValidations: true,
		MultiError:                 true,
	}
}

// validateRequest checks r against its operation; the error lists every
// violation with the parameter or body field it concerns.
func (c *contract) validateRequest(r *http.Request, route *routers.Route, params map[string]string) *Error {
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route, Options: c.options(),
	})
	if err == nil {
		return nil
	}
	e := invalidRequest("the request does not match the contract (%s/openapi.yaml, operation %s)", BasePath, route.Operation.OperationID)
	e.Details = violations(err, "")
	if len(e.Details) == 1 {
		d := e.Details[0]
		e.Message = "the request does not match the contract: " + d.Message
		if d.Field != "" {
			e.Message = fmt.Sprintf("the request does not match the contract: %s: %s", d.Field, d.Message)
		}
	}
	return e
}

// violations flattens kin-openapi's validation errors into details: a
// parameter by its name, a body field by its JSON pointer.
func violations(err error, field string) []Detail {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []Detail
		for _, one := range e {
			out = append(out, violations(one, field)...)
		}
		return out
	case *openapi3filter.RequestError:
		if e.Parameter != nil {
			field = e.Parameter.Name
		}
		switch e.Err.(type) {
		case nil:
			return []Detail{{Field: field, Message: e.Reason}}
		case openapi3.MultiError, *openapi3.SchemaError:
			return violations(e.Err, field)
		}
		msg := firstLine(e.Err.Error())
		if e.Reason != "" && !strings.Contains(msg, e.Reason) {
			msg = e.Reason + ": " + msg
		}
		if e.RequestBody != nil && !strings.Contains(msg, "body") {
			msg = "request body: " + msg
		}
		return []Detail{{Field: field, Message: msg}}
	case *openapi3.SchemaError:
		if !isParameter(field) {
			ptr := e.JSONPointer()
			// An unsupported property is reported on its object: point at it.
			if e.SchemaField == "properties" {
				if name, ok := quotedName(e.Reason); ok {
					ptr = append(ptr, name)
				}
			}
			if len(ptr) > 0 {
				field = "/" + strings.Join(ptr, "/")
			}
		}
		msg := e.Reason
		if msg == "" {
			msg = firstLine(e.Error())
		}
		return []Detail{{Field: field, Message: msg}}
	}
	return []Detail{{Field: field, Message: firstLine(err.Error())}}
}

// quotedName returns the first quoted name of a kin-openapi reason, such
// as `property "birth_date" is unsupported`.
func quotedName(reason string) (string, bool) {
	_, rest, ok := strings.Cut(reason, `"`)
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, `"`)
	return name, ok && name != ""
}

// isParameter tells a parameter's name from a body's JSON pointer.
func isParameter(field string) bool { return field != "" && !strings.HasPrefix(field, "/") }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// checkResponse validates one answer against the contract in strict mode
// (status declared, body matching its schema), for tests.
func (c *contract) checkResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no route in the contract: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: c.options()}
	return openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}
