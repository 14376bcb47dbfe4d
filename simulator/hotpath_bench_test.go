package simulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// BenchmarkHotPaths measures, in process and through the whole sandbox
// handler (journal, contract validation, routing), the requests the bench
// command drives over HTTP: an API call in SPI and FranceConnect mode, a
// gateway token, a whole login (authorize with the persona header, token,
// userinfo) and a control API read. Allocations are reported:
//
//	go test -run '^$' -bench HotPaths -benchmem ./simulator/
func BenchmarkHotPaths(b *testing.B) {
	s := sandboxtest.New(b, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.Fixtures = sandboxtest.UnlimitedQuota(b) })
	h := s.SB.Handler()
	host := strings.TrimPrefix(s.URL, "http://")
	serve := func(b *testing.B, req *http.Request, want int) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d, want %d: %.300s", req.Method, req.URL, rec.Code, want, rec.Body)
		}
		return rec
	}
	apiCall := func(path, fc string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, "/impotparticulier/1.0"+path, nil)
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+s.CompletToken())
		if fc != "" {
			req.Header.Set("X-FranceConnect-OAuth", fc)
		}
		req.Header.Set("X-Correlation-ID", sandboxtest.CorrelationID)
		req.Header.Set("ID_Teleservice", "BACASABLE-COMPLET")
		return req
	}
	spi, ok := s.SB.Population.ByLogin("test")
	if !ok {
		b.Fatal("no persona test")
	}
	b.Run("api-spi", func(b *testing.B) {
		req := apiCall("/spi/"+spi.SPI+"/situations/ir/assiettes/annrev/2025", "")
		serve(b, req, 200) // the contract, loaded on the API's first call, is not timed
		b.ReportAllocs()
		for b.Loop() {
			serve(b, req, 200)
		}
	})
	b.Run("api-franceconnect", func(b *testing.B) {
		req := apiCall("/situations/ir/assiettes/annrev/2025", s.FCToken("test", "openid dgfip_rfr dgfip_nbpart"))
		b.ReportAllocs()
		for b.Loop() {
			serve(b, req, 200)
		}
	})
	b.Run("gateway-token", func(b *testing.B) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"bacasable-complet"},
			"client_secret": {"bacasable-complet-secret"}, "scope": {sandboxtest.AllIR}}.Encode()
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form))
			req.Host = host
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			serve(b, req, 200)
		}
	})
	b.Run("login", func(b *testing.B) {
		login := loginer(b, h, host)
		b.ReportAllocs()
		defer startCPU().report(b)
		for b.Loop() {
			login()
		}
	})
	b.Run("control-read", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/_bacasable/api/clock", nil)
		req.RemoteAddr = "127.0.0.1:40000"
		req.Host = host
		serve(b, req, 200) // the contract, loaded on the control API's first call, is not timed
		b.ReportAllocs()
		for b.Loop() {
			serve(b, req, 200)
		}
	})
}

// BenchmarkGatewayTokenLive: the cost of a gateway token with 1 000 and
// 90 000 tokens alive; the target is a flat cost (expiry queue, no scans).
func BenchmarkGatewayTokenLive(b *testing.B) {
	for _, live := range []int{1_000, 90_000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			s := sandboxtest.New(b, sandboxtest.AfterTaxation, nil)
			h := s.SB.Handler()
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"bacasable-demo"},
				"client_secret": {"bacasable-demo-secret"}, "scope": {"RessourceIR"}}.Encode()
			issue := func() {
				req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("token: %d %s", rec.Code, rec.Body)
				}
			}
			for range live {
				issue()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				issue()
			}
		})
	}
}

// loginer returns a whole login through h, as the bench command drives it:
// authorize with the persona header, token, userinfo.
func loginer(b *testing.B, h http.Handler, host string) func() {
	q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid identite_pivot dgfip_rfr"}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	authorize := "/api/v2/authorize?" + q.Encode()
	serve := func(req *http.Request, want int) *httptest.ResponseRecorder {
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d, want %d: %.300s", req.Method, req.URL, rec.Code, want, rec.Body)
		}
		return rec
	}
	return func() {
		req := httptest.NewRequest(http.MethodGet, authorize, nil)
		req.Header.Set(franceconnect.PersonaHeader, "test")
		loc, err := url.Parse(serve(req, http.StatusSeeOther).Header().Get("Location"))
		if err != nil {
			b.Fatal(err)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {sandboxtest.Callback},
			"client_id": {sandboxtest.DemoClientID}, "client_secret": {sandboxtest.DemoClientSecret}}.Encode()
		req = httptest.NewRequest(http.MethodPost, "/api/v2/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		body := serve(req, 200).Body.String()
		at, _, _ := strings.Cut(strings.SplitN(body, `"access_token":"`, 2)[1], `"`)
		req = httptest.NewRequest(http.MethodGet, "/api/v2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		serve(req, 200)
	}
}

// BenchmarkLoginRetained measures what each login leaves in memory until
// it expires (its code, its access token, what they carry), in bytes and
// in objects of the heap: what a burst of logins adds to the heap the
// garbage collector marks, and to the memory the process must touch. The
// journal is filled first, so that its entries (bounded) weigh nothing
// per login:
//
//	go test -run '^$' -bench LoginRetained -benchtime 10000x ./simulator/
func BenchmarkLoginRetained(b *testing.B) {
	s := sandboxtest.New(b, sandboxtest.AfterTaxation, nil)
	login := loginer(b, s.SB.Handler(), strings.TrimPrefix(s.URL, "http://"))
	for range 2000 { // 6 000 entries: the journal (5 000) is full
		login()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		login()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/login")
	b.ReportMetric(float64(int64(after.HeapObjects)-int64(before.HeapObjects))/float64(b.N), "retained-objects/login")
}
