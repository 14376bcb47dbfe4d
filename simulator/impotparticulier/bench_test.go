package impotparticulier_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// BenchmarkAPICallFranceConnectMode measures one API call end to end in
// process: gateway token check, contract validation, habilitation and
// quota, FranceConnect token introspection, identity matching, household
// lookup, answer building and filtering. Run:
//
//	go test -bench APICall -benchmem ./simulator/impotparticulier/
func BenchmarkAPICallFranceConnectMode(b *testing.B) {
	s := sandboxtest.New(b, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.Fixtures = sandboxtest.UnlimitedQuota(b) })
	gw := s.CompletToken()
	fc := s.FCToken("test", allDGFiPScopes)
	h := s.SB.Handler()
	req := httptest.NewRequest(http.MethodGet, "/impotparticulier/1.0/situations/ir/assiettes/annrev/2025", nil)
	req.Header.Set("Authorization", "Bearer "+gw)
	req.Header.Set("X-FranceConnect-OAuth", fc)
	req.Header.Set("X-Correlation-ID", sandboxtest.CorrelationID)
	req.Header.Set("ID_Teleservice", "BACASABLE-COMPLET")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
