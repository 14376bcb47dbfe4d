package control_test

// Fuzz targets of the control API (docs/fuzzing.md): any method, path and
// body, the journal's filters, and the clock's durations. Each target
// drives one whole sandbox in process, from a loopback address, and puts
// it back to its start after every input. Every answer must be valid for
// the contract, JSON where JSON is promised, and an error in the envelope
// {"error": {code, message}}; never a 5xx.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/internal/fuzztest"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// fuzzControl is one sandbox whose control API a fuzz target drives.
type fuzzControl struct {
	s     *sandboxtest.Sandbox
	host  string
	check func(*http.Request, int, http.Header, []byte) error
}

func newFuzzControl(f *testing.F) *fuzzControl {
	f.Helper()
	check, err := control.ResponseChecker(openapi.FS())
	if err != nil {
		f.Fatal(err)
	}
	s := sandboxtest.New(f, March2026, nil)
	u, err := url.Parse(s.URL)
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzControl{s: s, host: u.Host, check: check}
}

// fuzzMethods are the methods a fuzz input picks from.
var fuzzMethods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch, http.MethodHead}

// do sends method target (under the API's base path) with body, from
// 127.0.0.1, then checks the answer and resets the sandbox.
func (z *fuzzControl) do(t *testing.T, method, target, body, contentType string) *httptest.ResponseRecorder {
	t.Helper()
	return z.doThen(t, method, target, body, contentType, nil)
}

// doThen is do, calling read (when not nil) before the reset.
func (z *fuzzControl) doThen(t *testing.T, method, target, body, contentType string, read func()) *httptest.ResponseRecorder {
	t.Helper()
	defer z.s.SB.Reset()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Method = method
	req.Host = z.host
	req.RemoteAddr = "127.0.0.1:40000"
	raw, query, _ := strings.Cut(control.BasePath+target, "?")
	req.URL.Path, req.URL.RawQuery = raw, query
	if u, err := url.Parse("http://" + z.host + raw); err == nil {
		req.URL.Path, req.URL.RawPath = u.Path, u.RawPath
	}
	req.RequestURI = req.URL.RequestURI()
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if body != "" || method == http.MethodPut || method == http.MethodPost {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	if strings.Contains(strings.ToLower(req.URL.Path), "stream") {
		// Server-Sent Events last until the client leaves: it has left.
		ctx, cancel := context.WithCancel(req.Context())
		cancel()
		req = req.WithContext(ctx)
	}
	rec := httptest.NewRecorder()
	z.s.SB.Handler().ServeHTTP(rec, req)
	if read != nil {
		read()
	}
	z.checkAnswer(t, req, rec, target, body, contentType)
	return rec
}

func (z *fuzzControl) checkAnswer(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder, inputs ...string) {
	t.Helper()
	body := rec.Body.Bytes()
	if leak := fuzztest.Leak(string(body), inputs...); leak != "" {
		t.Fatalf("%s %s: the answer %d shows %q: %s", req.Method, req.URL, rec.Code, leak, body)
	}
	if rec.Code >= 500 {
		t.Fatalf("%s %s: answered %d: %s", req.Method, req.URL, rec.Code, body)
	}
	mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	switch {
	case req.Method == http.MethodHead:
	case mt == "application/json":
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s %s: answered %d application/json that does not parse (%v): %s", req.Method, req.URL, rec.Code, err, body)
		}
		if rec.Code >= 400 {
			e, _ := v["error"].(map[string]any)
			code, _ := e["code"].(string)
			msg, _ := e["message"].(string)
			if code == "" || msg == "" {
				t.Fatalf("%s %s: the error %d is not in the envelope: %s", req.Method, req.URL, rec.Code, body)
			}
		}
	case mt == "application/x-ndjson":
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := sc.Bytes(); len(line) > 0 && !json.Valid(line) {
				t.Fatalf("%s %s: a JSON line that does not parse: %s", req.Method, req.URL, line)
			}
		}
	case rec.Code >= 400:
		t.Fatalf("%s %s: the error %d is not JSON: Content-Type %q, body %s", req.Method, req.URL, rec.Code, rec.Header().Get("Content-Type"), body)
	}
	if req.Method == http.MethodHead {
		return
	}
	probe := req.Clone(context.Background())
	if err := z.check(probe, rec.Code, rec.Header(), body); err != nil {
		t.Fatalf("%s %s: the answer %d breaks the contract: %v\n%s", req.Method, req.URL, rec.Code, err, body)
	}
}

// FuzzControlAPI sends any method, path, body and media type: the
// operations' JSON bodies (personas, foyers, scenario activations, clock,
// queue), unknown paths and wrong methods.
func FuzzControlAPI(f *testing.F) {
	const (
		get, put, post, del = 0, 1, 2, 3
		js                  = "application/json"
	)
	for _, c := range []struct {
		method      uint8
		path, body  string
		contentType string
	}{
		{get, "/personas?q=dubois&limit=2&offset=1", "", ""},
		{get, "/personas?scenario=dgfip-lent&declarant=true", "", ""},
		{get, "/personas/angela-dubois", "", ""},
		{get, "/personas/inconnue", "", ""},
		{put, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "33063"), js},
		{put, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "99999"), js},
		{put, "/personas/autre-id", fmt.Sprintf(jeanne, "33063"), js},
		{put, "/personas/jeanne-martin", `{"id": "jeanne-martin"}`, js},
		{put, "/personas/jeanne-martin", `{"id": "jeanne-martin", "birthdate": "1985-13-45", "gender": "x", "inconnu": 1}`, js},
		{get, "/foyers?q=bordeaux", "", ""},
		{get, "/foyers/dubois", "", ""},
		{put, "/foyers/martin", fmt.Sprintf(martin, 25200), js},
		{put, "/foyers/martin", `{"id": "martin", "declarant1": "angela-dubois", "annees": {"N-9": {}}}`, js},
		{put, "/foyers/martin", `{"id": "martin", "declarant1": "angela-dubois", "annees": {"N-1": {"revenus": {"ZZZ": -1}, "rfr": 1e300}}}`, js},
		{get, "/scenarios", "", ""},
		{post, "/scenarios/activations", `{"scenario": "dgfip-indisponible", "scope": "client", "target": "bacasable-demo", "calls": 3}`, js},
		{post, "/scenarios/activations", `{"scenario": "dgfip-lent", "scope": "global"}`, js},
		{post, "/scenarios/activations", `{"scenario": "rnipp-decede", "scope": "persona", "target": "3999999887219", "calls": 0}`, js},
		{post, "/scenarios/activations", `{"scenario": "inconnu", "scope": "persona", "target": "personne"}`, js},
		{post, "/scenarios/activations", `{"scenario": "dgfip-lent", "scope": "global", "calls": -1}`, js},
		{get, "/scenarios/activations", "", ""},
		{del, "/scenarios/activations", "", ""},
		{del, "/scenarios/activations/inconnue", "", ""},
		{get, "/clock", "", ""},
		{put, "/clock", `{"now": "2027-03-01T09:00:00+01:00", "frozen": true}`, js},
		{put, "/clock", `{"now": "2027-03-01"}`, js},
		{put, "/clock", `{"frozen": false}`, js},
		{put, "/clock", `{"now": "10000-01-01"}`, js},
		{post, "/clock/advance", `{"by": "48h"}`, js},
		{post, "/clock/advance", `{"by": "30d"}`, js},
		{post, "/clock/advance", `{"by": -86400.5}`, js},
		{post, "/clock/reset", "", ""},
		{get, "/franceconnect/queue", "", ""},
		{post, "/franceconnect/queue", `{"client_id": "` + sandboxtest.DemoClientID + `", "persona": "test"}`, js},
		{post, "/franceconnect/queue", `{"client_id": "inconnu", "persona": "test"}`, js},
		{post, "/franceconnect/queue", `{"client_id": "` + sandboxtest.DemoClientID + `", "persona": "3999999887219"}`, js},
		{get, "/journal?service=franceconnect&limit=5", "", ""},
		{get, "/journal.jsonl?violations=true", "", ""},
		{get, "/journal.har", "", ""},
		{get, "/journal/stream", "", ""},
		{get, "/openapi.yaml", "", ""},
		{post, "/reset", "", ""},
		{post, "/scenarios/activations", `{not json`, js},
		{post, "/scenarios/activations", `{"scenario": "dgfip-lent", "scope": "global"}`, "text/plain"},
		{put, "/clock", `{"now": "2027-03-01"}`, "APPLICATION/JSON; charset=utf-8"},
		{del, "/clock", "", ""},
		{4, "/personas", "", ""},
		{5, "/clock", "", ""},
		{get, "/nothing", "", ""},
		{get, "", "", ""},
		{get, "/personas/%zz", "", ""},
		{get, "/personas?limit=-1&offset=x", "", ""},
	} {
		f.Add(c.method, c.path, c.body, c.contentType)
	}
	z := newFuzzControl(f)
	f.Fuzz(func(t *testing.T, method uint8, path, body, contentType string) {
		fuzztest.Sendable(t, path, contentType)
		if path != "" && !strings.HasPrefix(path, "/") {
			path = "/" + path // under the API's base path, not next to it
		}
		z.do(t, fuzzMethods[int(method)%len(fuzzMethods)], path, body, contentType)
	})
}

// FuzzJournalQuery reads the journal with any query, as a list, JSON lines
// or HAR: every entry listed matches the filters asked.
func FuzzJournalQuery(f *testing.F) {
	for _, q := range []string{
		"", "service=franceconnect", "service=impotparticulier&errors=true", "service=passerelle&limit=1",
		"persona=test&client=" + sandboxtest.DemoClientID, "login=spi:" + sandboxtest.AngelaSPI, "violations=true",
		"after=3&limit=2", "after=-1", "limit=0", "limit=5001", "limit=x", "errors=oui", "service=inconnu",
		"after=99999999999999999999", "limit=1&limit=2", "%zz=1", "service=franceconnect;limit=1",
		"q=TOKEN", "q=" + sandboxtest.CorrelationID[:8] + "&limit=1", "q=%C3%A9%C3", "q=%20%20",
	} {
		for _, export := range []uint8{0, 1, 2} {
			f.Add(export, q)
		}
	}
	z := newFuzzControl(f)
	// A journal with FranceConnect, gateway and API entries, errors among them.
	gw := z.s.DemoToken()
	z.s.FCToken("test", "openid identite_pivot dgfip_rfr")
	for _, spi := range []string{sandboxtest.AngelaSPI, "3999999999999", "12345"} {
		z.s.Call(sandboxtest.APICall{Path: "/spi/" + spi + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	}
	exports := []string{"/journal", "/journal.jsonl", "/journal.har"}
	f.Fuzz(func(t *testing.T, export uint8, query string) {
		fuzztest.Sendable(t, "?"+query)
		path := exports[int(export)%len(exports)]
		rec := z.do(t, http.MethodGet, path+"?"+query, "", "")
		q, err := url.ParseQuery(query)
		if rec.Code != http.StatusOK || path != "/journal" || err != nil {
			return
		}
		var got struct {
			Entries []struct {
				ID      int64  `json:"id"`
				Service string `json:"service"`
				Status  int    `json:"status"`
				Client  string `json:"client"`
				Persona string `json:"persona"`
				Login   string `json:"login"`
			} `json:"entries"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
		if limit, err := strconv.Atoi(q.Get("limit")); err == nil && limit > 0 && len(got.Entries) > limit {
			t.Fatalf("limit %d, %d entries", limit, len(got.Entries))
		}
		for i, e := range got.Entries {
			switch {
			case i > 0 && e.ID <= got.Entries[i-1].ID:
				t.Fatalf("entries out of order: %d after %d", e.ID, got.Entries[i-1].ID)
			case e.ID <= after:
				t.Fatalf("entry %d listed after=%d", e.ID, after)
			case q.Get("service") != "" && e.Service != q.Get("service"),
				q.Get("client") != "" && e.Client != q.Get("client"),
				q.Get("persona") != "" && e.Persona != q.Get("persona"),
				q.Get("login") != "" && e.Login != q.Get("login"):
				t.Fatalf("entry %d (%s %s %s %s) does not match %q", e.ID, e.Service, e.Client, e.Persona, e.Login, query)
			case q.Get("errors") == "true" && e.Status != 0 && e.Status < 400:
				t.Fatalf("entry %d answered %d, listed for errors=true", e.ID, e.Status)
			}
		}
	})
}

// FuzzClockAdvance moves the clock by any JSON value: a number of seconds
// or a string ("61s", "48h", "1h30m", "30d") moves it by exactly that much,
// anything else is refused with the envelope.
func FuzzClockAdvance(f *testing.F) {
	for _, by := range []string{
		`"48h"`, `"30d"`, `"-30d"`, `"1h30m"`, `"61s"`, `"1.5h"`, `"-2562047h"`, `"36600d"`, `"36601d"`, `"9999999999d"`, `"d"`, `"+3d"`,
		`"1e3s"`, `"µs"`, `"1µs"`, `""`, `31`, `-86400.5`, `1e300`, `-1e19`, `9.2233720368e9`, `0`, `null`, `true`, `[]`, `{}`, `"30D"`,
	} {
		f.Add(by)
	}
	z := newFuzzControl(f)
	f.Fuzz(func(t *testing.T, by string) {
		before := z.s.Clock.Now()
		var moved time.Duration
		rec := z.doThen(t, http.MethodPost, "/clock/advance", `{"by": `+by+`}`, "application/json",
			func() { moved = z.s.Clock.Now().Sub(before) })
		if rec.Code != http.StatusOK {
			return
		}
		want, ok := fuzzDuration(by)
		if !ok {
			t.Fatalf("by %s moved the clock by %v; it is not a duration", by, moved)
		}
		if moved != want {
			t.Fatalf("by %s moved the clock by %v, want %v", by, moved, want)
		}
		var v struct {
			Now time.Time `json:"now"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || !v.Now.Equal(before.Add(want)) {
			t.Fatalf("by %s: the answer says now %v, want %v (%v)", by, v.Now, before.Add(want), err)
		}
	})
}

// fuzzDuration is what the contract says by means: a JSON number of
// seconds, or a string, a Go duration or whole days ("30d").
func fuzzDuration(raw string) (time.Duration, bool) {
	var secs float64
	if err := json.Unmarshal([]byte(raw), &secs); err == nil {
		if math.Abs(secs) > float64(math.MaxInt64/int64(time.Second)) {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return 0, false
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		return time.Duration(n) * 24 * time.Hour, err == nil
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}
