package journal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

func TestBoundedAndAnnotated(t *testing.T) {
	j := New(clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)), 3)
	h := j.Middleware(func(r *http.Request) string {
		if strings.HasPrefix(r.URL.Path, "/skip") {
			return ""
		}
		return "svc"
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetClient(r.Context(), "c1")
		SetPersona(r.Context(), "test")
		Why(r.Context(), "because")
		if r.URL.Path == "/bad" {
			Violation(r.Context(), "X-Correlation-ID is not a UUID")
			w.WriteHeader(400)
		}
		_, _ = w.Write([]byte("ok"))
	}))
	for _, p := range []string{"/a", "/skip", "/b", "/bad", "/c"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, p, strings.NewReader("x=1")))
	}
	all := j.Entries(Filter{})
	if len(all) != 3 || all[0].Path != "/b" || all[2].Path != "/c" || all[2].ID != 4 {
		t.Fatalf("entries = %+v", all)
	}
	if e := all[1]; e.Status != 400 || e.Client != "c1" || e.Persona != "test" || e.RequestBody != "x=1" || e.ResponseBody != "ok" || len(e.Why) != 1 {
		t.Errorf("entry = %+v", e)
	}
	if got := redactForm("application/x-www-form-urlencoded", []byte("client_id=a&client_secret=s3cr3t&code=c")); strings.Contains(got, "s3cr3t") || !strings.Contains(got, "client_id=a") {
		t.Errorf("secret not masked: %q", got)
	}
	if v := j.Entries(Filter{OnlyViolation: true}); len(v) != 1 || v[0].Path != "/bad" {
		t.Errorf("violations = %+v", v)
	}
	var buf bytes.Buffer
	if err := WriteHAR(&buf, "http://localhost:8080", all); err != nil {
		t.Fatal(err)
	}
	var har struct {
		Log struct {
			Version string
			Entries []struct {
				Request  struct{ Method, URL string }
				Response struct {
					Status  int
					Content struct{ Text string }
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &har); err != nil || har.Log.Version != "1.2" || len(har.Log.Entries) != 3 ||
		har.Log.Entries[1].Request.URL != "http://localhost:8080/bad" || har.Log.Entries[1].Response.Status != 400 {
		t.Errorf("HAR = %s (%v)", buf.String(), err)
	}
	buf.Reset()
	if err := WriteJSONLines(&buf, all); err != nil || strings.Count(buf.String(), "\n") != 3 {
		t.Errorf("JSON lines = %q", buf.String())
	}
}

func TestSubscribe(t *testing.T) {
	j := New(clock.NewVirtual(), 10)
	ch, stop := j.Subscribe()
	defer stop()
	h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	select {
	case e := <-ch:
		if e.Path != "/x" {
			t.Errorf("entry = %+v", e)
		}
	default:
		t.Fatal("no entry published")
	}
}
