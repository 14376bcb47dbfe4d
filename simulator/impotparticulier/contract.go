package impotparticulier

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/internal/text"
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
	quick     quickCheck // nil: every request goes through openapi3filter
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
		o := operation{Resource: res, FCMode: !strings.HasPrefix(path, "/spi/"), quick: newQuickCheck(item, op)}
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
// first violation into the DGFiP error naming the parameter; the journal
// records that explanation as the request's violation.
func (c *contract) validateRequest(r *http.Request, route *routers.Route, params map[string]string) *Erreur {
	if c.ops[route.Operation.OperationID].quick.accepts(r, params) {
		return nil
	}
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
	if err == nil {
		return nil
	}
	e := requestError(r, params, err)
	journal.Violation(r.Context(), e.Detail)
	return e
}

// requestError is the DGFiP error of a request openapi3filter refused,
// its explanation naming the parameter, the value and the contract's
// reason.
func requestError(r *http.Request, params map[string]string, err error) *Erreur {
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
	return e.With("paramètre %s (%s) « %s » non conforme au contrat : %s", p.Name, p.In, text.Shorten(value, 60), reason)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// CheckResponse validates one answer of the API against the contract in
// strict mode (status declared, body matching the schema): what the tests
// run on every answer, and what a journal can report.
func (a *API) CheckResponse(req *http.Request, status int, header http.Header, body []byte) error {
	contract, err := a.loading()
	if err != nil {
		return err
	}
	route, params, err := contract.router.FindRoute(req)
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

// quickCheck accepts, without kin-openapi, the requests whose parameters
// are plainly valid: ASCII values matching their schema's pattern and
// lengths, integers of digits within bounds. Anything else — a value to
// decode, a parameter absent or empty, a body, a schema keyword it does
// not know — is left to openapi3filter, which accepts or writes the
// error: quickCheck only ever accepts what openapi3filter accepts
// (FuzzQuickCheck), and it costs a tenth of it on the API's hot path.
type quickCheck []quickParam

// quickParam checks one parameter.
type quickParam struct {
	in, name string // a header's name in canonical form
	required bool
	integer  bool
	pattern  interface{ MatchString(string) bool } // strings: a *classPattern or *regexp.Regexp
	min, max int64                                 // integers: bounds; strings: lengths (max < 0: none)
}

// newQuickCheck returns the check of op's parameters, or nil when one of
// them is beyond it.
func newQuickCheck(item *openapi3.PathItem, op *openapi3.Operation) quickCheck {
	var q quickCheck
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range params {
			p := ref.Value
			if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Content != nil || p.Explode != nil ||
				p.AllowEmptyValue || p.AllowReserved || p.Style != "" && p.Style != openapi3.SerializationSimple ||
				p.In != openapi3.ParameterInPath && p.In != openapi3.ParameterInHeader {
				return nil
			}
			qp, ok := quickParamOf(p.Schema.Value)
			if !ok {
				return nil
			}
			qp.in, qp.name, qp.required = p.In, p.Name, p.Required
			if p.In == openapi3.ParameterInHeader {
				qp.name = http.CanonicalHeaderKey(p.Name)
			}
			q = append(q, qp)
		}
	}
	if op.RequestBody != nil || len(item.Parameters) > 0 && len(op.Parameters) > 0 {
		return nil // a body to read, or overrides to resolve: openapi3filter's
	}
	return q
}

// quickParamOf reads a schema of type string (pattern, minLength,
// maxLength, a format kin-openapi does not check) or integer (minimum,
// maximum, format int32 or int64) with nothing else that validates.
func quickParamOf(s *openapi3.Schema) (quickParam, bool) {
	rest := *s
	rest.Description, rest.Example, rest.Title, rest.Extensions, rest.Origin = "", nil, "", nil, nil
	q := quickParam{max: -1}
	switch {
	case s.Type.Is(openapi3.TypeString):
		if _, checked := openapi3.SchemaStringFormats[s.Format]; checked || strings.Contains(s.Pattern, `\u`) {
			return q, false
		}
		if p, ok := newClassPattern(s.Pattern); ok {
			q.pattern = p
		} else if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				return q, false
			}
			q.pattern = re
		}
		q.min = int64(s.MinLength)
		if s.MaxLength != nil {
			q.max = int64(*s.MaxLength)
		}
		rest.Format, rest.Pattern, rest.MinLength, rest.MaxLength = "", "", 0, nil
	case s.Type.Is(openapi3.TypeInteger):
		if s.Format != "" && s.Format != "int32" && s.Format != "int64" || s.Min == nil || s.Max == nil ||
			*s.Min != math.Trunc(*s.Min) || *s.Max != math.Trunc(*s.Max) || *s.Min < 0 || *s.Max > 999999999 {
			return q, false
		}
		q.integer, q.min, q.max = true, int64(*s.Min), int64(*s.Max)
		rest.Format, rest.Min, rest.Max = "", nil, nil
	default:
		return q, false
	}
	rest.Type = nil
	return q, reflect.DeepEqual(rest, openapi3.Schema{})
}

// accepts tells whether the request is plainly valid; false says only
// that openapi3filter must look.
func (q quickCheck) accepts(r *http.Request, params map[string]string) bool {
	if q == nil || r.Body != nil && r.Body != http.NoBody {
		return false
	}
	for i := range q {
		p := &q[i]
		var value string
		if p.in == openapi3.ParameterInPath {
			value = params[p.name]
		} else {
			values := r.Header[p.name]
			if len(values) == 0 && !p.required {
				continue
			}
			if len(values) != 1 {
				return false
			}
			value = values[0]
		}
		if !p.accepts(value) {
			return false
		}
	}
	return true
}

func (p *quickParam) accepts(v string) bool {
	if v == "" || strings.IndexFunc(v, func(c rune) bool { return c < 0x21 || c > 0x7e || c == '%' }) >= 0 {
		return false
	}
	if p.integer {
		if len(v) > 9 || strings.TrimLeft(v, "0123456789") != "" || len(v) > 1 && v[0] == '0' {
			return false
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		return n >= p.min && n <= p.max
	}
	return int64(len(v)) >= p.min && (p.max < 0 || int64(len(v)) <= p.max) && (p.pattern == nil || p.pattern.MatchString(v))
}
