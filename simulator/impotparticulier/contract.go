package impotparticulier

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/journal"
)

// ContractFile is the contract's file name in the openapi directory.
const ContractFile = "impot-particulier.yaml"

// BasePath is where the API is served, as on the real gateway.
const BasePath = "/impotparticulier/1.0"

// contract is the loaded OpenAPI document, its router, and what each
// operation means to the emulator.
type contract struct {
	raw    []byte
	doc    *openapi3.T
	router routers.Router
	ops    map[string]operation // by operationId
}

// operation is what the emulator needs to know of one contract operation.
type operation struct {
	Resource  Resource
	FCMode    bool
	MediaType string
}

// operationResources maps the contract's operationIds to resources.
var operationResources = map[string]Resource{
	"SituationsIrAssiettesV1": Situations, "SituationsIrAssiettesFCV1": Situations,
	"derniereSituationsIrAssiettesV1": DerniereSituation, "derniereSituationsIrAssiettesFCV1": DerniereSituation,
	"situationsIrAssiettesDeuxDernierMillesimeV1": DeuxAns, "situationsIrAssiettesDeuxDernierMillesimeFCV1": DeuxAns,
	"SituationsIrAssiettesMultipleV1": Multiple, "SituationsIrAssiettesMultipleFCV1": Multiple,
	"SituationsIrFacturesV1": Factures, "SituationsIrFacturesFCV1": Factures,
	"SituationIfiIsfV1": IFI, "SituationIfiIsfFCV1": IFI,
	"Ouverturelep": LEP,
}

// loadContract reads and validates the contract, and routes it under
// BasePath whatever the host (the document's server URL is a template for
// vendors; the sandbox answers on any public URL).
func loadContract(fsys fs.FS, loaded *openapi.Contract) (*contract, error) {
	if loaded == nil {
		var err error
		if loaded, err = openapi.Load(fsys, ContractFile, BasePath); err != nil {
			return nil, err
		}
	}
	raw, doc, router := loaded.Raw, loaded.Doc, loaded.Router
	c := &contract{raw: raw, doc: doc, router: router, ops: map[string]operation{}}
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil {
			continue
		}
		res, ok := operationResources[op.OperationID]
		if !ok {
			return nil, fmt.Errorf("openapi/%s: operation %q (%s) is unknown to the emulator", ContractFile, op.OperationID, path)
		}
		o := operation{Resource: res, FCMode: !strings.HasPrefix(path, "/spi/")}
		if resp := op.Responses.Status(http.StatusOK); resp != nil && resp.Value != nil {
			for mt := range resp.Value.Content {
				o.MediaType = mt
			}
		}
		c.ops[op.OperationID] = o
	}
	for id := range operationResources {
		if _, ok := c.ops[id]; !ok {
			return nil, fmt.Errorf("openapi/%s: operation %q is missing", ContractFile, id)
		}
	}
	return c, nil
}

// validateRequest checks r against the route's operation and turns the
// first violation into the DGFiP error naming the parameter.
func (c *contract) validateRequest(r *http.Request, route *routers.Route, params map[string]string) *Erreur {
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
	if err == nil {
		return nil
	}
	journal.Violation(r.Context(), firstLine(err.Error()))
	re, ok := err.(*openapi3filter.RequestError)
	if !ok || re.Parameter == nil {
		return ErrRequete.With("requête non conforme au contrat : %v", err)
	}
	p := re.Parameter
	e := ErrRequete
	switch p.Name {
	case "spi":
		e = ErrFormatSPI
	case "annrev", "bareme":
		e = ErrFormatAnnee
	case "departement":
		e = ErrFormatDept
	}
	value := params[p.Name]
	if p.In == "header" {
		value = r.Header.Get(p.Name)
	}
	reason := re.Reason
	if re.Err != nil {
		reason = strings.TrimSpace(firstLine(re.Err.Error()))
	}
	if value == "" && p.Required && p.In == "header" {
		return e.With("en-tête %s obligatoire absent", p.Name)
	}
	return e.With("paramètre %s (%s) « %s » non conforme au contrat : %s", p.Name, p.In, truncate(value), reason)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// CheckResponse validates one answer of the API against the contract in
// strict mode (status declared, body matching the schema): what the tests
// run on every answer, and what a journal can report.
func (a *API) CheckResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := a.contract.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no route in the contract: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	return openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}
