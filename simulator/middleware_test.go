package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
	// A route with a variable before a route without: mux takes the
	// first, and so must the table of routes without variables.
	r.HandleFunc("/shadow/{x}", say("shadowing")).Methods(http.MethodGet)
	r.HandleFunc("/shadow/fixed", say("shadowed")).Methods(http.MethodGet)
	r.HandleFunc("/any", say("any method"))                             // no method: left to mux
	r.PathPrefix("/files/").HandlerFunc(say("file")).Methods("GET")     // a prefix: left to mux
	r.HandleFunc("/files/", say("files index")).Methods(http.MethodGet) // after the prefix: mux takes the prefix
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "404 custom", 404) })
	fast := matched(r, staticRoutes(r))

	// The table holds the routes without variables, for the methods they
	// name, and nothing that mux would answer otherwise.
	var keys []string
	for k := range staticRoutes(r) {
		keys = append(keys, k.method+" "+k.path)
	}
	slices.Sort(keys)
	if want := []string{"GET /api/v2/userinfo", "POST /token"}; !slices.Equal(keys, want) {
		t.Errorf("routes looked up in the table: %q, want %q", keys, want)
	}

	for _, tc := range []struct{ method, target string }{
		{"POST", "/token"}, {"GET", "/token"}, {"GET", "/items/42"}, {"GET", "/items/42/"}, {"GET", "/api/v2/userinfo"},
		{"POST", "/api/v2/userinfo"}, {"POST", "/api/v2/interaction/abc/login"}, {"GET", "/api/v2/interaction/abc/login"},
		{"GET", "/nowhere"}, {"GET", "//api/v2/userinfo"}, {"GET", "/api/v2/../v2/userinfo?x=1"}, {"GET", "/api/v2/userinfo/"},
		{"GET", "/a/./b"}, {"GET", "/"}, {"GET", "/shadow/fixed"}, {"GET", "/shadow/other"}, {"DELETE", "/any"},
		{"GET", "/files/"}, {"GET", "/files/a"}, {"HEAD", "/token"}, {"post", "/token"},
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

// TestSandboxRoutesStatic: the routes of a login, the gateway's token and
// the discovery are served from the table, not matched: a change of mux
// (the form of its expressions) would otherwise quietly empty it.
func TestSandboxRoutesStatic(t *testing.T) {
	sb, err := New(Config{PublicURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []routeKey{{"GET", "/api/v2/authorize"}, {"POST", "/api/v2/token"}, {"GET", "/api/v2/userinfo"},
		{"GET", "/api/v2/.well-known/openid-configuration"}, {"POST", "/token"}, {"GET", "/demoville/"}, {"GET", HealthPath}} {
		if _, ok := sb.static[k]; !ok {
			t.Errorf("%s %s is matched at every request, not looked up", k.method, k.path)
		}
	}
	for k := range sb.static {
		if strings.Contains(k.path, "{") {
			t.Errorf("%s %s has a variable", k.method, k.path)
		}
	}
}
