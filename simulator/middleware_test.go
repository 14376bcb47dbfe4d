package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"
)

// TestMatchedServesAsMux: matched answers every request as the router
// itself does: plain routes, routes with variables, a subrouter with its
// own 405 and middleware, the 404, paths mux cleans (redirects).
func TestMatchedServesAsMux(t *testing.T) {
	r := mux.NewRouter()
	say := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) {
			fmt.Fprintf(w, "%s %v route=%v", name, mux.Vars(req), mux.CurrentRoute(req) != nil)
		}
	}
	r.HandleFunc("/token", say("token")).Methods(http.MethodPost)
	r.HandleFunc("/items/{id}", say("item")).Methods(http.MethodGet)
	sub := r.PathPrefix("/api/v2").Subrouter()
	sub.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("X-Sub", "1")
			next.ServeHTTP(w, req)
		})
	})
	sub.HandleFunc("/userinfo", say("userinfo")).Methods(http.MethodGet)
	sub.HandleFunc("/interaction/{uid}/login", say("login")).Methods(http.MethodPost)
	sub.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "405 sub", 405) })
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "404 custom", 404) })
	fast := matched(r)

	for _, tc := range []struct{ method, target string }{
		{"POST", "/token"}, {"GET", "/token"}, {"GET", "/items/42"}, {"GET", "/items/42/"}, {"GET", "/api/v2/userinfo"},
		{"POST", "/api/v2/userinfo"}, {"POST", "/api/v2/interaction/abc/login"}, {"GET", "/api/v2/interaction/abc/login"},
		{"GET", "/nowhere"}, {"GET", "//api/v2/userinfo"}, {"GET", "/api/v2/../v2/userinfo?x=1"}, {"GET", "/api/v2/userinfo/"},
		{"GET", "/a/./b"}, {"GET", "/"},
	} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		r.ServeHTTP(want, httptest.NewRequest(tc.method, tc.target, nil))
		fast.ServeHTTP(got, httptest.NewRequest(tc.method, tc.target, nil))
		// The route is the one thing matched leaves out of the request.
		wantBody := want.Body.String()
		if n := len(wantBody); n > 10 && wantBody[n-10:] == "route=true" {
			wantBody = wantBody[:n-4] + "false"
		}
		if got.Code != want.Code || got.Body.String() != wantBody || got.Header().Get("Location") != want.Header().Get("Location") ||
			got.Header().Get("X-Sub") != want.Header().Get("X-Sub") {
			t.Errorf("%s %s: %d %q (Location %q, X-Sub %q); mux: %d %q (Location %q, X-Sub %q)", tc.method, tc.target,
				got.Code, got.Body, got.Header().Get("Location"), got.Header().Get("X-Sub"),
				want.Code, wantBody, want.Header().Get("Location"), want.Header().Get("X-Sub"))
		}
	}
}
