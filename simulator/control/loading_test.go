package control_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestContractLoadingInBackground: a control API given its contract still
// loading (the sandbox's embedded one) answers once it is loaded; one
// whose contract cannot load, or lacks an operation, answers every call
// with its internal error, never a panic.
func TestContractLoadingInBackground(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	api, err := fs.ReadFile(openapi.FS(), impotparticulier.ContractFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		contract fs.FS
		status   int
		body     string
	}{
		{"loads", openapi.FS(), http.StatusOK, `"frozen"`},
		{"cannot load", fstest.MapFS{}, http.StatusInternalServerError, `internal_error`},
		{"lacks its operations", fstest.MapFS{control.ContractFile: {Data: api}}, http.StatusInternalServerError, `internal_error`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := control.New(control.Config{Contracts: tc.contract,
				Loading:    openapi.LoadInBackground(tc.contract, control.ContractFile, control.BasePath),
				Population: s.SB.Population, Scenarios: s.SB.Scenarios, Clock: s.SB.Clock, Logins: s.SB.FranceConnect,
				ServiceProviders: s.SB.Clients, Reset: func() {}, Journal: s.SB.Journal, PublicURL: s.URL})
			if err != nil {
				t.Fatalf("New with a contract loading: %v", err)
			}
			for range 2 { // the first call waits for the contract, the next finds it
				req := httptest.NewRequest(http.MethodGet, control.BasePath+"/clock", nil)
				req.Host, req.RemoteAddr = strings.TrimPrefix(s.URL, "http://"), "127.0.0.1:40000"
				rec := httptest.NewRecorder()
				c.ServeHTTP(rec, req)
				if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
					t.Fatalf("GET /clock: %d %s, want %d with %s", rec.Code, rec.Body, tc.status, tc.body)
				}
			}
		})
	}
	// Loaded now (a contract of an --openapi directory): its faults stop New.
	if _, err := control.New(control.Config{Contracts: fstest.MapFS{control.ContractFile: {Data: api}},
		Population: s.SB.Population, Scenarios: s.SB.Scenarios, Clock: s.SB.Clock, Logins: s.SB.FranceConnect,
		ServiceProviders: s.SB.Clients, Reset: func() {}, Journal: s.SB.Journal}); err == nil || !strings.Contains(err.Error(), "has no handler") {
		t.Errorf("New with a contract lacking the operations = %v, want its error", err)
	}
}
