package impotparticulier

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/bacasable/bacasable/openapi"
)

// quickRoutes loads the contract and returns a route per operation.
func quickRoutes(t testing.TB) (*contract, []*routers.Route) {
	t.Helper()
	c, err := loadContract(openapi.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var routes []*routers.Route
	for path, item := range c.doc.Paths.Map() {
		routes = append(routes, &routers.Route{Spec: c.doc, Server: c.doc.Servers[0], Path: path, PathItem: item, Method: http.MethodGet, Operation: item.Get})
	}
	slices.SortFunc(routes, func(a, b *routers.Route) int { return strings.Compare(a.Path, b.Path) })
	return c, routes
}

// quickRequest is a request of route with these values for its path
// parameters and headers ("-" leaves a header out).
func quickRequest(route *routers.Route, spi, annrev, dept, bareme, correlation, fc, teleservice string) (*http.Request, map[string]string) {
	params := map[string]string{}
	for name, v := range map[string]string{"spi": spi, "annrev": annrev, "departement": dept, "bareme": bareme} {
		if strings.Contains(route.Path, "{"+name+"}") {
			params[name] = v
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for name, v := range map[string]string{"X-Correlation-ID": correlation, "X-FranceConnect-OAuth": fc, "ID_Teleservice": teleservice} {
		if v != "-" {
			r.Header.Set(name, v)
		}
	}
	return r, params
}

func validByKin(r *http.Request, route *routers.Route, params map[string]string) error {
	return openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
}

// TestQuickCheckTakesThePlainCalls: every operation has a quick check, and
// it accepts the calls a vendor sends; what it leaves to openapi3filter
// includes every invalid value.
func TestQuickCheckTakesThePlainCalls(t *testing.T) {
	c, routes := quickRoutes(t)
	for _, route := range routes {
		q := c.ops[route.Operation.OperationID].quick
		if q == nil {
			t.Errorf("%s: no quick check", route.Path)
			continue
		}
		r, params := quickRequest(route, "3999999887219", "2025", "75", "2026", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "jeton", "BACASABLE-COMPLET")
		if !q.accepts(r, params) {
			t.Errorf("%s: a plain call is not taken", route.Path)
		}
		if err := validByKin(r, route, params); err != nil {
			t.Errorf("%s: kin-openapi refuses the plain call: %v", route.Path, err)
		}
		for _, bad := range [][7]string{
			{"399999988721", "2025", "75", "2026", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "jeton", "X"},
			{"3999999887219", "1899", "75", "2026", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "jeton", "X"},
			{"3999999887219", "2025", "7", "1000", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "jeton", "X"},
			{"3999999887219", "2025", "75", "2026", "-", "jeton", "X"},
			{"3999999887219", "2025", "75", "2026", "3f2b6a1e", "jeton", "X"},
		} {
			r, params := quickRequest(route, bad[0], bad[1], bad[2], bad[3], bad[4], bad[5], bad[6])
			if validByKin(r, route, params) != nil && q.accepts(r, params) {
				t.Errorf("%s: %v taken though kin-openapi refuses it", route.Path, bad)
			}
		}
	}
}

// FuzzQuickCheck: whatever the values, a call the quick check accepts is
// one openapi3filter accepts.
func FuzzQuickCheck(f *testing.F) {
	f.Add(uint8(0), "3999999887219", "2025", "75", "2026", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "jeton", "BACASABLE-COMPLET")
	f.Add(uint8(3), "0000000000000", "02025", "2A", "2999", "3F2B6A1E-8C4D-4E5F-9A0B-1C2D3E4F5A6B", "-", "-")
	f.Add(uint8(12), "39999998872190", "+2025", "2b", "3000", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b\n", "", "")
	f.Add(uint8(7), "%33999999887219", "2025.0", "975", "1e3", "{3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b}", " ", "é")
	c, routes := quickRoutes(f)
	f.Fuzz(func(t *testing.T, op uint8, spi, annrev, dept, bareme, correlation, fc, teleservice string) {
		route := routes[int(op)%len(routes)]
		r, params := quickRequest(route, spi, annrev, dept, bareme, correlation, fc, teleservice)
		if c.ops[route.Operation.OperationID].quick.accepts(r, params) {
			if err := validByKin(r, route, params); err != nil {
				t.Errorf("%s: taken by the quick check, refused by kin-openapi: %v", route.Path, err)
			}
		}
	})
}
