package simulator

import (
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/simulator/clock"
)

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests writes one log line per request. Latency is measured on the
// machine's clock: it is the real cost, whatever the virtual time says.
func logRequests(log *slog.Logger, c clock.Clock, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		h := log.Handler()
		if !h.Enabled(r.Context(), level) { // --log-level warn: nothing to format
			return
		}
		// The record goes to the handler itself: Logger.Log would walk the
		// stack for a call site the sandbox's log does not show (about a
		// fifth of what a line cost). A Config.Logger with AddSource gets
		// no source for this line.
		line := slog.NewRecord(time.Now(), level, "request", 0)
		line.AddAttrs(slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes), slog.Duration("duration", time.Since(start).Round(time.Microsecond)),
			slog.String("at", c.Now().Format(time.RFC3339)))
		_ = h.Handle(r.Context(), line)
	})
}

// recoverer turns a panic into a plain 500 without a stack trace for the
// client; the stack goes to the log.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", v)
				http.Error(w, "erreur interne du bac à sable", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// matched serves a request as the router r does, with one copy of the
// request less, or two for a route without variables: mux copies each
// request to carry its route (no handler asks for it) and its variables.
// A path that mux would clean (a redirect) and a request no route takes
// go to r itself. The routes without variables are looked up in a table
// made once (staticRoutes) rather than matched: mux tries every route in
// order, a regular expression each, and wraps the handler in its
// subrouter's middleware again at every request. static is
// staticRoutes(r), once r has all its routes.
func matched(r *mux.Router, static map[routeKey]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if h, ok := static[routeKey{req.Method, req.URL.Path}]; ok {
			h.ServeHTTP(w, req)
			return
		}
		var m mux.RouteMatch
		if p := req.URL.Path; muxClean(p) != p || !r.Match(req, &m) || m.Handler == nil {
			r.ServeHTTP(w, req)
			return
		}
		if len(m.Vars) > 0 {
			req = mux.SetURLVars(req, m.Vars)
		}
		m.Handler.ServeHTTP(w, req)
	})
}

// routeKey is a request's method and path.
type routeKey struct{ method, path string }

// staticRoutes is, for each route of r whose path has no variable and
// each method it names, the handler mux serves that method and exact path
// with — asked of mux itself, so that the order of the routes holds (an
// earlier route with a variable that takes the path wins) — middleware
// included. Routes for any method, path prefixes and paths mux would
// clean are left to mux. Only what routes, methods and paths alone decide
// can be kept: the sandbox's routes match on nothing else (Démoville's
// subrouter matches on the path's prefix).
func staticRoutes(r *mux.Router) map[routeKey]http.Handler {
	static := map[routeKey]http.Handler{}
	_ = r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil || strings.ContainsAny(tpl, "{}") || muxClean(tpl) != tpl {
			return nil
		}
		if re, err := route.GetPathRegexp(); err != nil || re != "^"+regexp.QuoteMeta(tpl)+"$" {
			return nil // a path prefix: its paths go on
		}
		methods, err := route.GetMethods()
		if err != nil {
			return nil
		}
		for _, method := range methods {
			var m mux.RouteMatch
			req := &http.Request{Method: method, URL: &url.URL{Path: tpl}, Header: http.Header{}}
			if !r.Match(req, &m) || m.Route != route || m.Handler == nil || len(m.Vars) > 0 {
				continue
			}
			static[routeKey{method, tpl}] = m.Handler
		}
		return nil
	})
	return static
}

// muxClean is the path mux redirects p to when they differ (its
// cleanPath): path.Clean, a leading slash, the trailing slash kept.
func muxClean(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}
