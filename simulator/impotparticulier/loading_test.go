package impotparticulier

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/population"
)

// TestContractLoadingInBackground: an API given a contract still loading
// answers once it is loaded; one whose contract cannot load answers every
// call with the DGFiP's 5000, never a panic.
func TestContractLoadingInBackground(t *testing.T) {
	habs, err := LoadHabilitations(fixtures.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		contract *openapi.Loading
		status   int    // of an API call without a token
		body     string // in its answer
		raw      int    // of GET openapi.yaml
	}{
		{"loads", openapi.LoadInBackground(openapi.FS(), ContractFile, BasePath), http.StatusUnauthorized, `"code":4010`, http.StatusOK},
		{"cannot load", openapi.LoadInBackground(fstest.MapFS{}, ContractFile, BasePath), http.StatusInternalServerError, `"code":5000`,
			http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(Config{Contract: openapi.FS(), Loading: tc.contract, Habilitations: habs,
				Households: &population.Population{}, Introspector: &franceconnect.Provider{}})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			a.serveAPI(rec, httptest.NewRequest(http.MethodGet, BasePath+"/spi/3999999887219/situations/ir/assiettes/annrev/2025", nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("API call: %d %s, want %d with %s", rec.Code, rec.Body, tc.status, tc.body)
			}
			rec = httptest.NewRecorder()
			a.serveContract(rec, httptest.NewRequest(http.MethodGet, BasePath+"/openapi.yaml", nil))
			if rec.Code != tc.raw {
				t.Errorf("GET openapi.yaml: %d, want %d", rec.Code, tc.raw)
			}
		})
	}
}
