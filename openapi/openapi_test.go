package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

const impotParticulier = "impot-particulier.yaml"

// load reads and validates one contract of FS(), examples included.
func load(t *testing.T, name string) *openapi3.T {
	t.Helper()
	data, err := fs.ReadFile(FS(), name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation(), openapi3.EnableMultiError()); err != nil {
		t.Fatalf("validate %s: %v", name, err)
	}
	return doc
}

func TestContractsAreValid(t *testing.T) {
	names, err := fs.Glob(FS(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no contract embedded")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) { load(t, name) })
	}
}

// hasParam reports whether the operation (or its path item) declares the
// header parameter name as required.
func hasParam(item *openapi3.PathItem, op *openapi3.Operation, in, name string) bool {
	p := param(item, op, in, name)
	return p != nil && p.Required
}

// param returns the operation's (or its path item's) parameter, or nil.
func param(item *openapi3.PathItem, op *openapi3.Operation, in, name string) *openapi3.Parameter {
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == in && p.Value.Name == name {
				return p.Value
			}
		}
	}
	return nil
}

// gatewayRefusals are the statuses whose body may be the WSO2 gateway's
// fault instead of the DGFiP envelope.
var gatewayRefusals = map[string]bool{"401": true, "403": true, "429": true}

// errorSchemaOK tells whether an error response's schema is the DGFiP
// envelope or, for a gateway refusal, one of it and the WSO2 fault.
func errorSchemaOK(code string, schema *openapi3.SchemaRef) bool {
	if schema == nil {
		return false
	}
	if schema.Ref == "#/components/schemas/Erreur" {
		return true
	}
	one := schema.Value.OneOf
	return gatewayRefusals[code] && len(one) == 2 &&
		one[0].Ref == "#/components/schemas/Erreur" && one[1].Ref == "#/components/schemas/FautePasserelle"
}

func isFranceConnectPath(p string) bool { return !strings.HasPrefix(p, "/spi/") }

var wantScopes = map[string]string{
	"/situations/ir/assiettes/annrev/{annrev}":                       "RessourceIR",
	"/dernieresituation/ir/assiettes/annrev/{annrev}":                "RessourceIRDerniere",
	"/dernieresituation/ir/assiettes/deuxans":                        "RessourceIRDerniere2",
	"/situations/ir/assiettes/multiple/annrev/{annrev}":              "RessourceIRMultiple",
	"/situations/ir/factures/annrev/{annrev}":                        "RessourceIRFacture",
	"/situations/ifiisf/assiettes/annrev/{annrev}":                   "RessourceIFI",
	"/lep/departement/{departement}/annrev/{annrev}/bareme/{bareme}": "RessourceLEP",
}

func TestImpotParticulierOperations(t *testing.T) {
	doc := load(t, impotParticulier)

	// 6 resources in both modes + the SPI-only LEP resource.
	if got := doc.Paths.Len(); got != 13 {
		t.Errorf("paths: got %d, want 13", got)
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		if isFranceConnectPath(p) {
			if strings.Contains(p, "/lep/") {
				t.Errorf("%s: LEP exists only in SPI mode", p)
			}
			if doc.Paths.Find("/spi/{spi}"+p) == nil {
				t.Errorf("%s: no SPI-mode twin", p)
			}
		}
	}

	errorCodes := []string{"400", "401", "403", "404", "410", "429", "500", "503"}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + p
			if op.OperationID == "" || op.Summary == "" || op.Summary == op.OperationID {
				t.Errorf("%s: needs an operationId and a real summary", where)
			}
			if !hasParam(item, op, openapi3.ParameterInHeader, "X-Correlation-ID") {
				t.Errorf("%s: missing required X-Correlation-ID header", where)
			}
			// Optional as in the published file (guide §5.4 asks for it).
			if p := param(item, op, openapi3.ParameterInHeader, "ID_Teleservice"); p == nil || p.Required {
				t.Errorf("%s: want an optional ID_Teleservice header", where)
			}
			fc := hasParam(item, op, openapi3.ParameterInHeader, "X-FranceConnect-OAuth")
			if isFranceConnectPath(p) && !fc {
				t.Errorf("%s: FranceConnect path without required X-FranceConnect-OAuth header", where)
			}
			if !isFranceConnectPath(p) && fc {
				t.Errorf("%s: SPI path must not require X-FranceConnect-OAuth", where)
			}

			// Security: the one gateway scheme, with the scope of the path family.
			resource := strings.TrimPrefix(p, "/spi/{spi}")
			want, ok := wantScopes[resource]
			if !ok {
				t.Errorf("%s: unexpected path", where)
			}
			if op.Security == nil || len(*op.Security) != 1 {
				t.Errorf("%s: want exactly one security requirement", where)
			} else {
				for scheme, scopes := range (*op.Security)[0] {
					if doc.Components.SecuritySchemes[scheme] == nil {
						t.Errorf("%s: unknown security scheme %q", where, scheme)
					}
					if len(scopes) != 1 || scopes[0] != want {
						t.Errorf("%s: scopes %v, want [%s]", where, scopes, want)
					}
				}
			}

			// Responses.
			if op.Responses.Default() != nil {
				t.Errorf("%s: no default response expected", where)
			}
			ok200 := op.Responses.Status(http.StatusOK)
			if ok200 == nil || ok200.Value == nil || len(ok200.Value.Content) != 1 {
				t.Errorf("%s: want a 200 with one vendor media type", where)
			} else {
				for mt, media := range ok200.Value.Content {
					if !strings.HasPrefix(mt, "application/prs.dgfip.") || !strings.HasSuffix(mt, "+json") {
						t.Errorf("%s: 200 media type %q", where, mt)
					}
					if media.Example == nil && len(media.Examples) == 0 {
						t.Errorf("%s: 200 has no example", where)
					}
				}
			}
			for _, code := range errorCodes {
				if op.Responses.Value(code) == nil {
					t.Errorf("%s: missing %s response", where, code)
				}
			}
			for code, resp := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					continue
				}
				if resp.Value == nil || len(resp.Value.Content) == 0 {
					t.Errorf("%s %s: error response without body", where, code)
					continue
				}
				for mt, media := range resp.Value.Content {
					if mt != "application/json" {
						t.Errorf("%s %s: error media type %q, want application/json", where, code, mt)
					}
					if !errorSchemaOK(code, media.Schema) {
						t.Errorf("%s %s: error body is neither #/components/schemas/Erreur nor, for a gateway refusal, oneOf Erreur and FautePasserelle", where, code)
					}
					if media.Example == nil && len(media.Examples) == 0 {
						t.Errorf("%s %s: error response has no example", where, code)
					}
				}
			}
		}
	}

	// annrev is the same int32 year on every path (LEP included).
	annrev := doc.Components.Parameters["annrev"]
	if annrev == nil || annrev.Value.Schema.Value.Format != "int32" || !annrev.Value.Schema.Value.Type.Is("integer") {
		t.Error("components/parameters/annrev must be an int32 integer")
	}
	for p, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, prm := range op.Parameters {
				if prm.Value.Name == "annrev" && prm.Ref != "#/components/parameters/annrev" {
					t.Errorf("%s: annrev must reference the shared parameter", p)
				}
			}
		}
	}
}

// routingDoc returns a copy of doc whose server URLs have their variables
// replaced by their defaults. gorillamux (kin-openapi v0.153.0) substitutes a
// server variable only when it is the whole URL or a port; otherwise the
// variable stays in the route template, and '{publicUrl}/impotparticulier/1.0'
// makes NewRouter fail with "mux: path must start with a slash". A server
// that resolves the URL itself (or serves under another public URL) should
// likewise route on a concrete server URL, or on the bare base path
// '/impotparticulier/1.0', which matches any host.
func routingDoc(doc *openapi3.T) *openapi3.T {
	cp := *doc
	cp.Servers = nil
	for _, s := range doc.Servers {
		u := s.URL
		for name, v := range s.Variables {
			u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
		}
		cp.Servers = append(cp.Servers, &openapi3.Server{URL: u, Description: s.Description})
	}
	return &cp
}

func TestImpotParticulierRouting(t *testing.T) {
	doc := load(t, impotParticulier)

	if len(doc.Servers) != 1 || doc.Servers[0].URL != "{publicUrl}/impotparticulier/1.0" ||
		doc.Servers[0].Variables["publicUrl"] == nil ||
		doc.Servers[0].Variables["publicUrl"].Default != "http://localhost:8080" {
		t.Fatalf("unexpected servers: %+v", doc.Servers)
	}
	// As written, the templated server cannot be routed (see routingDoc).
	if raw, err := gorillamux.NewRouter(doc); err != nil {
		t.Logf("gorillamux on the templated server, as expected: %v", err)
	} else {
		req := httptest.NewRequest(http.MethodGet, "http://localhost:8080/impotparticulier/1.0/spi/3999999887219/situations/ir/assiettes/annrev/2024", nil)
		if _, _, err := raw.FindRoute(req); err == nil {
			t.Log("kin-openapi now routes '{publicUrl}/…' servers itself; routingDoc may be unnecessary")
		}
	}

	router, err := gorillamux.NewRouter(routingDoc(doc))
	if err != nil {
		t.Fatalf("gorillamux: %v", err)
	}
	const base = "http://localhost:8080/impotparticulier/1.0"
	cases := []struct {
		path, operationID string
		params            map[string]string
	}{
		{"/spi/3999999887219/situations/ir/assiettes/annrev/2024", "SituationsIrAssiettesV1",
			map[string]string{"spi": "3999999887219", "annrev": "2024"}},
		{"/situations/ir/assiettes/annrev/2024", "SituationsIrAssiettesFCV1",
			map[string]string{"annrev": "2024"}},
		{"/spi/3999999887219/dernieresituation/ir/assiettes/deuxans", "situationsIrAssiettesDeuxDernierMillesimeV1",
			map[string]string{"spi": "3999999887219"}},
		{"/dernieresituation/ir/assiettes/annrev/2023", "derniereSituationsIrAssiettesFCV1",
			map[string]string{"annrev": "2023"}},
		{"/situations/ir/assiettes/multiple/annrev/2024", "SituationsIrAssiettesMultipleFCV1",
			map[string]string{"annrev": "2024"}},
		{"/spi/3999999887219/situations/ir/factures/annrev/2024", "SituationsIrFacturesV1",
			map[string]string{"spi": "3999999887219", "annrev": "2024"}},
		{"/situations/ifiisf/assiettes/annrev/2024", "SituationIfiIsfFCV1",
			map[string]string{"annrev": "2024"}},
		{"/spi/3999999887219/lep/departement/33/annrev/2024/bareme/2026", "Ouverturelep",
			map[string]string{"spi": "3999999887219", "departement": "33", "annrev": "2024", "bareme": "2026"}},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodGet, base+c.path, nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("GET %s: %v", c.path, err)
			continue
		}
		if route.Operation.OperationID != c.operationID {
			t.Errorf("GET %s: routed to %s, want %s", c.path, route.Operation.OperationID, c.operationID)
		}
		for k, v := range c.params {
			if params[k] != v {
				t.Errorf("GET %s: param %s = %q, want %q", c.path, k, params[k], v)
			}
		}
	}

	for _, p := range []string{"/lep/departement/33/annrev/2024/bareme/2026", "/situations/th/annrev/2024"} {
		req := httptest.NewRequest(http.MethodGet, base+p, nil)
		if _, _, err := router.FindRoute(req); err != routers.ErrPathNotFound {
			t.Errorf("GET %s: got %v, want path not found", p, err)
		}
	}
	// The bare base path routes whatever the public URL's host.
	bare := *doc
	bare.Servers = openapi3.Servers{{URL: "/impotparticulier/1.0"}}
	anyHost, err := gorillamux.NewRouter(&bare)
	if err != nil {
		t.Fatalf("gorillamux, bare base path: %v", err)
	}
	req := httptest.NewRequest(http.MethodGet, "https://bacasable.example.fr/impotparticulier/1.0/spi/3999999887219/situations/ir/assiettes/annrev/2024", nil)
	if route, _, err := anyHost.FindRoute(req); err != nil || route.Operation.OperationID != "SituationsIrAssiettesV1" {
		t.Errorf("bare base path: %v", err)
	}

	req = httptest.NewRequest(http.MethodPost, base+"/situations/ir/assiettes/annrev/2024", nil)
	if _, _, err := router.FindRoute(req); err != routers.ErrMethodNotAllowed {
		t.Errorf("POST: got %v, want method not allowed", err)
	}
}

// TestImpotParticulierRequestValidation checks that the contract can drive
// request validation (openapi3filter) as the sandbox will.
func TestImpotParticulierRequestValidation(t *testing.T) {
	doc := load(t, impotParticulier)
	router, err := gorillamux.NewRouter(routingDoc(doc))
	if err != nil {
		t.Fatal(err)
	}
	const base = "http://localhost:8080/impotparticulier/1.0"
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}

	newReq := func(p string, headers map[string]string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, base+p, nil)
		req.Header.Set("Authorization", "Bearer jeton")
		req.Header.Set("X-Correlation-ID", "3f1c9d2e-7b4a-4e8f-9a61-2d5b8c0e4f17")
		req.Header.Set("ID_Teleservice", "TEST")
		for k, v := range headers {
			if v == "" {
				req.Header.Del(k)
			} else {
				req.Header.Set(k, v)
			}
		}
		return req
	}
	validate := func(req *http.Request) error {
		route, params, err := router.FindRoute(req)
		if err != nil {
			return err
		}
		return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route, Options: opts,
		})
	}

	good := []*http.Request{
		newReq("/spi/3999999887219/situations/ir/assiettes/annrev/2024", nil),
		newReq("/situations/ir/assiettes/multiple/annrev/2024", map[string]string{"X-FranceConnect-OAuth": "jeton-fc"}),
		newReq("/spi/3999999887219/lep/departement/2A/annrev/2024/bareme/2026", nil),
		newReq("/spi/3999999887219/situations/ir/assiettes/annrev/2024", map[string]string{"ID_Teleservice": ""}),
	}
	for _, req := range good {
		if err := validate(req); err != nil {
			t.Errorf("GET %s: %v", req.URL.Path, err)
		}
	}
	bad := map[string]*http.Request{
		"short SPI":           newReq("/spi/399999988721/situations/ir/assiettes/annrev/2024", nil),
		"year as text":        newReq("/spi/3999999887219/situations/ir/assiettes/annrev/deux", nil),
		"year out of range":   newReq("/spi/3999999887219/situations/ir/assiettes/annrev/24", nil),
		"LEP year as text":    newReq("/spi/3999999887219/lep/departement/33/annrev/x/bareme/2026", nil),
		"no correlation id":   newReq("/spi/3999999887219/situations/ir/assiettes/annrev/2024", map[string]string{"X-Correlation-ID": ""}),
		"bad correlation id":  newReq("/spi/3999999887219/situations/ir/assiettes/annrev/2024", map[string]string{"X-Correlation-ID": "abc"}),
		"FC multiple, no FC":  newReq("/situations/ir/assiettes/multiple/annrev/2024", nil),
		"FC assiettes, no FC": newReq("/situations/ir/assiettes/annrev/2024", nil),
	}
	for name, req := range bad {
		if err := validate(req); err == nil {
			t.Errorf("%s (GET %s): accepted, want a validation error", name, req.URL.Path)
		}
	}
}

// TestImpotParticulierExamplesAsResponses replays every response example
// through openapi3filter.ValidateResponse, as the sandbox's own response
// checks would (the vendor "+json" media types use the JSON decoder).
func TestImpotParticulierExamplesAsResponses(t *testing.T) {
	doc := load(t, impotParticulier)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	n := 0
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			route := &routers.Route{Spec: doc, Path: p, PathItem: item, Method: method, Operation: op}
			for code, resp := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil {
					t.Fatalf("%s %s: status %q", method, p, code)
				}
				for mt, media := range resp.Value.Content {
					for name, ex := range media.Examples {
						body, err := json.Marshal(ex.Value.Value)
						if err != nil {
							t.Fatal(err)
						}
						header := http.Header{"Content-Type": {mt}}
						err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
							RequestValidationInput: &openapi3filter.RequestValidationInput{
								Request: httptest.NewRequest(method, "http://localhost:8080/impotparticulier/1.0", nil),
								Route:   route,
								Options: opts,
							},
							Status:  status,
							Header:  header,
							Body:    io.NopCloser(bytes.NewReader(body)),
							Options: opts,
						})
						if err != nil {
							t.Errorf("%s %s %s example %s: %v", method, p, code, name, err)
						}
						n++
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no example checked")
	}
}
