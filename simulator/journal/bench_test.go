package journal

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

// BenchmarkMiddleware measures what the journal adds to one request: a
// token request's form body and headers, an answer with a platform's dozen
// headers and a 1 KB body, three notes, in a full journal (each add
// evicts):
//
//	go test -run '^$' -bench Middleware -benchmem ./simulator/journal/
func BenchmarkMiddleware(b *testing.B) {
	j := New(clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)), 0)
	answer := []byte(`{"access_token":"` + strings.Repeat("a", 43) + `","id_token":"` + strings.Repeat("x", 900) + `"}`)
	h := j.Middleware(func(*http.Request) string { return "franceconnect" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		SetClient(r.Context(), r.PostForm.Get("client_id"))
		SetLogin(r.Context(), "login-0123456789")
		SetPersona(r.Context(), "test")
		hd := w.Header()
		for _, k := range []string{"Content-Security-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
			"Origin-Agent-Cluster", "Referrer-Policy", "X-Content-Type-Options", "X-Dns-Prefetch-Control", "X-Download-Options",
			"X-Frame-Options", "X-Permitted-Cross-Domain-Policies", "Cache-Control"} {
			hd[k] = []string{"same-origin"}
		}
		hd.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(answer)
	}))
	form := "grant_type=authorization_code&code=" + strings.Repeat("c", 43) + "&redirect_uri=http%3A%2F%2Flocalhost%3A4242%2Fcallback" +
		"&client_id=" + strings.Repeat("d", 64) + "&client_secret=" + strings.Repeat("e", 64)
	r := httptest.NewRequest(http.MethodPost, "/api/v2/token", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", "Go-http-client/1.1")
	r.Header.Set("Accept-Encoding", "gzip")
	r.ContentLength = int64(len(form))
	body := strings.NewReader(form)
	w := discard{http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		body.Reset(form)
		r.Body = io.NopCloser(body)
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return io.Discard.Write(b) }
func (d discard) WriteHeader(int)             {}
