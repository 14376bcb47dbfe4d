package journal_test

// Fuzz target of the journal's middleware (docs/fuzzing.md).

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/journal"
)

// fuzzSecrets are the form fields the journal must never record in clear.
var fuzzSecrets = []string{"client_secret", "client_assertion", "password"}

// FuzzMiddleware sends any body, with any Content-Type, sized or chunked,
// through the journal's middleware: the handler reads the body intact, and
// the journal keeps its start, a form's secrets masked.
func FuzzMiddleware(f *testing.F) {
	const form = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		body, contentType string
		chunked           bool
	}{
		{"grant_type=authorization_code&code=c&client_id=a&client_secret=s3cr3t", form, false},
		{"grant_type=authorization_code&code=c&client_id=a&client_secret=s3cr3t", form, true},
		{"client_secret=s3cr3t&x=%zz", form, false},
		{"client_secret=s3cr3t;x=1", form, false},
		{"password=123&login=test", "Application/X-WWW-Form-URLEncoded; charset=UTF-8", true},
		{"client_assertion=eyJ.eyJ.sig", "application/x-www-form-urlencoded; charset", false},
		{`{"client_secret":"s3cr3t"}`, "application/json", false},
		{strings.Repeat("a=1&", 3000) + "client_secret=s3cr3t", form, true},
		{strings.Repeat("é", 5000), "text/plain; charset=utf-8", false},
		{"\x00\xff\xfe", "", true},
		{"", form, true},
		{"", "", false},
	} {
		f.Add([]byte(c.body), c.contentType, c.chunked)
	}
	j := journal.New(clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)), 10)
	f.Fuzz(func(t *testing.T, body []byte, contentType string, chunked bool) {
		var got []byte
		var readErr error
		h := j.Middleware(func(*http.Request) string { return "fuzz" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, readErr = io.ReadAll(r.Body)
			journal.SetClient(r.Context(), "client")
			w.WriteHeader(http.StatusNoContent)
		}))
		req := httptest.NewRequest(http.MethodPost, "/token", nil)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		if chunked {
			req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if readErr != nil || !bytes.Equal(got, body) {
			t.Fatalf("the handler read %d bytes (%v), %d sent", len(got), readErr, len(body))
		}
		last := j.Entries(journal.Filter{Limit: 1})
		if len(last) != 1 || last[0].Status != http.StatusNoContent || last[0].Client != "client" {
			t.Fatalf("the journal did not record the request: %+v", last)
		}
		recorded := last[0].RequestBody
		kept, cut := strings.CutSuffix(recorded, journal.Truncated)
		switch {
		case len(body) > journal.MaxBody && !cut:
			t.Fatalf("a body of %d bytes recorded whole (%d bytes)", len(body), len(recorded))
		case len(body) <= journal.MaxBody && cut && !strings.HasSuffix(string(body), journal.Truncated):
			t.Fatalf("a body of %d bytes recorded as cut", len(body))
		}
		if !cut {
			kept = recorded
		}
		mt, _, _ := mime.ParseMediaType(contentType)
		if mt != form {
			sent := body[:min(len(body), journal.MaxBody)]
			if kept != string(sent) {
				t.Fatalf("a %q body recorded changed:\n%q\n%q", contentType, sent, kept)
			}
			return
		}
		// Every pair of the form whose name is a secret's is masked: net/http
		// reads the other pairs of a malformed form, and a form whose
		// media type has a malformed parameter.
		for _, pair := range strings.Split(kept, "&") {
			k, v, _ := strings.Cut(pair, "=")
			if name, err := url.QueryUnescape(k); err == nil && slices.Contains(fuzzSecrets, name) && v != url.QueryEscape("…") {
				t.Fatalf("the journal recorded %s in clear: %q", name, kept)
			}
		}
	})
}

// The journal recorded a form's secret in clear when another pair of the
// form was malformed ("x=%zz"), or when the media type had a malformed
// parameter: net/http still reads the secret in both cases (found by
// FuzzMiddleware).
func TestMaskedSecretsOfMalformedForms(t *testing.T) {
	j := journal.New(clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)), 10)
	h := j.Middleware(func(*http.Request) string { return "fuzz" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, c := range [][2]string{
		{"client_id=a&client_secret=s3cr3t&x=%zz", "application/x-www-form-urlencoded"},
		{"client_assertion=s3cr3t&client_id=a", "application/x-www-form-urlencoded; charset"},
		{"password=s3cr3t;login=test", "application/x-www-form-urlencoded"},
	} {
		req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(c[0]))
		req.Header.Set("Content-Type", c[1])
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got := j.Entries(journal.Filter{Limit: 1})[0].RequestBody; strings.Contains(got, "s3cr3t") || !strings.Contains(got, "%E2%80%A6") {
			t.Errorf("%q (%s) recorded as %q", c[0], c[1], got)
		}
	}
}
