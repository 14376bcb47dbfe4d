package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

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
	ch, stop, err := j.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	select {
	case ev := <-ch:
		if ev.Entry.Path != "/x" || !strings.Contains(string(ev.JSON), `"path":"/x"`) {
			t.Errorf("event = %+v %s", ev.Entry, ev.JSON)
		}
	default:
		t.Fatal("no entry published")
	}
}

// TestRequestBodies: a chunked body (no Content-Length) and a body larger
// than MaxBody reach the handler whole; the journal keeps the start, marked,
// and masks form secrets whatever the case of the Content-Type.
func TestRequestBodies(t *testing.T) {
	j := New(clock.NewVirtual(), 10)
	var got []int
	h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, len(b))
	}))
	big := "a=" + strings.Repeat("x", 3*MaxBody)
	for _, c := range []struct {
		body, contentType string
		length            int64
	}{
		{"client_id=c&client_secret=s3cr3t", "Application/X-WWW-Form-Urlencoded; Charset=UTF-8", -1},
		{big, "text/plain", -1},
		{big, "text/plain", int64(len(big))},
		{"password=s3cr3t&login=test", "application/x-www-form-urlencoded", 26},
	} {
		r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(c.body))
		r.ContentLength = c.length
		r.Header.Set("Content-Type", c.contentType)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if want := []int{32, len(big), len(big), 26}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the handler read %v bytes, want %v", got, want)
	}
	all := j.Entries(Filter{})
	for i, e := range all {
		if strings.Contains(e.RequestBody, "s3cr3t") {
			t.Errorf("entry %d: secret recorded: %q", i, e.RequestBody)
		}
	}
	for _, i := range []int{1, 2} {
		if b := all[i].RequestBody; len(b) != MaxBody+len(Truncated) || !strings.HasSuffix(b, Truncated) {
			t.Errorf("entry %d: large body recorded as %d bytes ending %q", i, len(b), b[max(0, len(b)-20):])
		}
	}
}

// TestBoundedInBytes: the journal keeps the last entries within its byte
// budget, headers and query cut, and refuses a stream past MaxSubscribers.
func TestBoundedInBytes(t *testing.T) {
	j := New(clock.NewVirtual(), 1000)
	j.SetMaxBytes(200 << 10)
	h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	big := strings.Repeat("x", 60<<10)
	for i := 0; i < 200; i++ {
		r := httptest.NewRequest(http.MethodGet, "/x?q="+big, nil)
		r.Header.Set("X-Big", big)
		r.Header.Set("X-Other", "court")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	st := j.Stats()
	if st.Bytes > 200<<10 || st.Entries == 0 || st.Entries == 200 {
		t.Errorf("stats %+v: want within 200 KB, some entries dropped", st)
	}
	last := j.Entries(Filter{Limit: 1})[0]
	if v := last.RequestHeader.Get("X-Big"); len(v) > MaxHeaderValue+len(Truncated) || !strings.HasSuffix(v, Truncated) {
		t.Errorf("a 60 KB header kept as %d bytes", len(v))
	}
	if len(last.Query) > MaxQuery+len(Truncated) || last.RequestHeader.Get("X-Other") != "court" || last.ID != 200 {
		t.Errorf("entry %d: query %d bytes, X-Other %q", last.ID, len(last.Query), last.RequestHeader.Get("X-Other"))
	}
	var stops []func()
	for i := 0; i < MaxSubscribers; i++ {
		_, stop, err := j.Subscribe()
		if err != nil {
			t.Fatalf("stream %d refused: %v", i, err)
		}
		stops = append(stops, stop)
	}
	if _, _, err := j.Subscribe(); err != ErrTooManySubscribers {
		t.Errorf("stream %d: %v, want ErrTooManySubscribers", MaxSubscribers+1, err)
	}
	stops[0]()
	if _, _, err := j.Subscribe(); err != nil {
		t.Errorf("a freed stream slot: %v", err)
	}
}

// TestEntryBeforeAnswer: the entry is in the journal by the time the client
// has the answer, even a large one, so a test reading the journal right
// after a request finds it.
func TestEntryBeforeAnswer(t *testing.T) {
	j := New(clock.NewVirtual(), 100)
	big := strings.Repeat("x", 100<<10)
	srv := httptest.NewServer(j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, big)
	})))
	defer srv.Close()
	for i := 1; i <= 20; i++ {
		resp, err := http.Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot || len(b) != len(big) {
			t.Fatalf("answer %d: %d, %d bytes", i, resp.StatusCode, len(b))
		}
		if n := j.Stats().Entries; n != i {
			t.Fatalf("after answer %d the journal holds %d entries", i, n)
		}
	}
}

// TestEntriesHoldNoRequestMemory: an entry keeps copies, never substrings
// of the request: a 5 KB request line kept alive for its "GET" made a
// flood of large authorize requests hold ~25 MB past the logins' expiry.
func TestEntriesHoldNoRequestMemory(t *testing.T) {
	j := New(clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)), 10)
	var parts []string // substrings of the request the entry must not hold
	h := j.Middleware(func(*http.Request) string { return "franceconnect" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("client_id") // no escapes: a substring of the line
		parts = append(parts, r.Method, r.URL.Path, r.URL.RawQuery, id)
		SetClient(r.Context(), id)
		SetLogin(r.Context(), id)
		SetPersona(r.Context(), id)
		Why(r.Context(), id)
		Violation(r.Context(), id)
		SetError(r.Context(), id)
		w.WriteHeader(http.StatusOK)
	}))
	within := func(s, of string) bool {
		if s == "" || of == "" {
			return false
		}
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(of)))
		return p >= start && p < start+uintptr(len(of))
	}
	// With a query, and without one (the method and path alone).
	for _, target := range []string{"/api/v2/authorize?client_id=abcdef&state=" + strings.Repeat("s", 5000), "/api/v2/" + strings.Repeat("p", 3000)} {
		parts = nil
		j.Clear()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
		es := j.Entries(Filter{})
		if len(es) != 1 {
			t.Fatalf("%d entries", len(es))
		}
		e := es[0]
		fields := map[string]string{"method": e.Method, "path": e.Path, "query": e.Query, "client": e.Client, "login": e.Login,
			"persona": e.Persona, "error": e.Error}
		if len(e.Why) > 0 {
			fields["why"], fields["violation"] = e.Why[0], e.Violations[0]
		}
		for name, s := range fields {
			for _, p := range parts {
				if within(s, p) {
					t.Errorf("%.30s: the entry's %s (%.20q) is a substring of the request's %.20q", target, name, s, p)
				}
			}
		}
	}
}

// TestSettledWhenRead: the journal keeps a request's headers and body and
// the answer's headers as they came, and masks and bounds them when the
// entry is read — by Entries, and for a live stream before it is encoded:
// no reader ever sees a secret, and the byte budget counts what is kept.
func TestSettledWhenRead(t *testing.T) {
	j := New(clock.NewVirtual(), 10)
	ch, stop, err := j.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Answer", strings.Repeat("a", 2*MaxHeaderValue))
		w.WriteHeader(http.StatusOK)
	}))
	form := "client_id=c&client_secret=le-secret"
	r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Basic le-secret")
	h.ServeHTTP(httptest.NewRecorder(), r)

	var ev Event
	select {
	case ev = <-ch:
	default:
		t.Fatal("no entry published")
	}
	if strings.Contains(string(ev.JSON), "le-secret") || !strings.Contains(string(ev.JSON), `"Basic …"`) {
		t.Errorf("the stream's entry is not masked: %s", ev.JSON)
	}
	// A request of 50 KB of headers weighs at least that in the budget.
	before := j.Stats().Bytes
	big := httptest.NewRequest(http.MethodGet, "/x", nil)
	big.Header.Set("X-Big", strings.Repeat("b", 50<<10))
	h.ServeHTTP(httptest.NewRecorder(), big)
	<-ch
	if grown := j.Stats().Bytes - before; grown < 50<<10 {
		t.Errorf("a request of 50 KB of headers counts %d bytes", grown)
	}
	es := j.Entries(Filter{})
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	e := es[0]
	if e.RequestHeader.Get("Authorization") != "Basic …" || strings.Contains(e.RequestBody, "le-secret") || !strings.Contains(e.RequestBody, "client_id=c") {
		t.Errorf("entry not masked: Authorization %q, body %q", e.RequestHeader.Get("Authorization"), e.RequestBody)
	}
	if v := e.ResponseHeader.Get("X-Answer"); !strings.HasSuffix(v, Truncated) || len(v) > MaxHeaderValue+len(Truncated) {
		t.Errorf("the answer's header kept as %d bytes", len(v))
	}
	if v := es[1].RequestHeader.Get("X-Big"); !strings.HasSuffix(v, Truncated) {
		t.Errorf("a 50 KB header read back as %d bytes", len(v))
	}
}

// TestCompacted: every text of an entry, noted during the request or after
// it, reads back as it was given, in its place.
func TestCompacted(t *testing.T) {
	j := New(clock.NewVirtual(), 10)
	var ctx context.Context
	h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx = r.Context()
		SetClient(r.Context(), "client")
		SetClient(r.Context(), "ignored: the first client stays")
		SetLogin(r.Context(), "login")
		SetPersona(r.Context(), "persona")
		Why(r.Context(), "why 1")
		Violation(r.Context(), "violation 1")
		Why(r.Context(), "")
		Why(r.Context(), "why 3")
		Violation(r.Context(), strings.Repeat("v", maxNote+1))
		SetError(r.Context(), "error")
		w.Header().Set("X-Answer", "yes")
		_, _ = io.WriteString(w, "answer")
	}))
	req := httptest.NewRequest(http.MethodPost, "/path?q=1", strings.NewReader("a=1&client_secret=s"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(httptest.NewRecorder(), req)
	Why(ctx, "after the answer")
	es := j.Entries(Filter{})
	if len(es) != 1 {
		t.Fatalf("%d entries", len(es))
	}
	e := es[0]
	got := []string{e.Method, e.Path, e.Query, e.Client, e.Login, e.Persona, e.Error, e.RequestBody, e.ResponseBody,
		e.RequestHeader.Get("Content-Type"), e.ResponseHeader.Get("X-Answer")}
	want := []string{"POST", "/path", "q=1", "client", "login", "persona", "error", "a=1&client_secret=" + maskedValue, "answer",
		"application/x-www-form-urlencoded", "yes"}
	if !slices.Equal(got, want) {
		t.Errorf("entry = %q, want %q", got, want)
	}
	if w := []string{"why 1", "", "why 3", "after the answer"}; !slices.Equal(e.Why, w) {
		t.Errorf("why = %q, want %q", e.Why, w)
	}
	if len(e.Violations) != 2 || e.Violations[0] != "violation 1" || e.Violations[1] != cut(strings.Repeat("v", maxNote+1), maxNote) {
		t.Errorf("violations = %.40q", e.Violations)
	}
}

// TestLargeAnswers: an answer past what is held back goes through whole,
// written as bytes or as a string, and the journal keeps its start.
func TestLargeAnswers(t *testing.T) {
	j := New(clock.NewVirtual(), 10)
	head, tail := strings.Repeat("h", 100), strings.Repeat("t", maxHeld)
	for _, asString := range []bool{false, true} {
		h := j.Middleware(func(*http.Request) string { return "svc" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, part := range []string{head, tail} {
				if asString {
					_, _ = io.WriteString(w, part)
				} else {
					_, _ = w.Write([]byte(part))
				}
			}
		}))
		j.Clear()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/big", nil))
		if rec.Body.String() != head+tail {
			t.Errorf("string %v: the client got %d bytes, want %d", asString, rec.Body.Len(), len(head+tail))
		}
		es := j.Entries(Filter{})
		if len(es) != 1 {
			t.Fatalf("string %v: %d entries", asString, len(es))
		}
		if es[0].ResponseBody != (head + tail)[:MaxBody] {
			t.Errorf("string %v: the journal kept %d bytes of the answer, want its first %d", asString, len(es[0].ResponseBody), MaxBody)
		}
	}
}
