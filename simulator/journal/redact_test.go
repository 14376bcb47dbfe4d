package journal

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// redactFormBefore is redactForm as it was before its allocation-free
// rewrite: the reference the rewrite must match byte for byte.
func redactFormBefore(contentType string, body []byte) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) || mt != "application/x-www-form-urlencoded" {
		return string(body)
	}
	pairs := strings.Split(string(body), "&")
	masked := false
	for i, pair := range pairs {
		k, _, _ := strings.Cut(pair, "=")
		if name, err := url.QueryUnescape(k); err == nil && slices.Contains(secretFields, name) {
			pairs[i] = k + "=" + url.QueryEscape("…")
			masked = true
		}
	}
	if !masked {
		return string(body)
	}
	return strings.Join(pairs, "&")
}

var redactCases = []struct{ contentType, body string }{
	{"application/x-www-form-urlencoded", "grant_type=authorization_code&code=c&client_id=a&client_secret=s3cr3t"},
	{"application/x-www-form-urlencoded", "client_secret=s3cr3t&client_secret=again&&password&=x&"},
	{"APPLICATION/X-WWW-FORM-URLENCODED", "client%5Fsecret=s3cr3t&client+secret=x&pass%77ord=p&bad=%zz&%zz=1"},
	{"application/x-www-form-urlencoded; charset=UTF-8", "client_assertion=eyJ.eyJ.sig"},
	{"application/x-www-form-urlencoded; charset", "password=1"},
	{"application/x-www-form-urlencoded", ""},
	{"application/x-www-form-urlencoded", "&"},
	{"application/x-www-form-urlencoded", "password"},
	{"application/json", `{"client_secret":"s3cr3t"}`},
	{"", "client_secret=s3cr3t"},
	{"text/plain;;", "client_secret=s3cr3t"},
}

func TestRedactFormAsBefore(t *testing.T) {
	for _, c := range redactCases {
		if got, want := redactForm(c.contentType, []byte(c.body)), redactFormBefore(c.contentType, []byte(c.body)); got != want {
			t.Errorf("redactForm(%q, %q) = %q, want %q", c.contentType, c.body, got, want)
		}
	}
}

func FuzzRedactForm(f *testing.F) {
	for _, c := range redactCases {
		f.Add(c.contentType, []byte(c.body))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		if got, want := redactForm(contentType, body), redactFormBefore(contentType, body); got != want {
			t.Errorf("redactForm(%q, %q) = %q, want %q", contentType, body, got, want)
		}
	})
}

// TestCopyWholeAsBounded: a header set under the bounds is copied whole,
// empty value lists left out as bounded's slow path does; over them, cut.
func TestCopyWholeAsBounded(t *testing.T) {
	h := http.Header{"A": {"1", "2"}, "B": {""}, "Empty": {}, "C": {strings.Repeat("c", 100)}}
	got := bounded(h)
	if len(got) != 3 || strings.Join(got.Values("A"), ",") != "1,2" || got.Get("B") != "" || len(got.Values("B")) != 1 || got.Get("C") != h.Get("C") {
		t.Errorf("bounded(%v) = %v", h, got)
	}
	for i := range got {
		if got[i].Name == "A" {
			got[i].Values = append(got[i].Values, "3") // a full slice: appending does not reach B's values
		}
	}
	if len(got.Values("B")) != 1 || got.Get("B") != "" {
		t.Errorf("appending to one key changed another: %v", got)
	}
	big := http.Header{"X": {strings.Repeat("x", MaxHeaderValue+1)}}
	if v := bounded(big).Get("X"); !strings.HasSuffix(v, Truncated) {
		t.Errorf("a value over MaxHeaderValue kept as %d bytes", len(v))
	}
}

// TestRedactAuthorization: every Authorization value keeps its scheme only,
// whether the headers are copied whole or cut; the other headers are kept.
func TestRedactAuthorization(t *testing.T) {
	long := strings.Repeat("s", 40)
	for name, extra := range map[string]string{"whole": "", "cut": strings.Repeat("x", MaxHeaderValue+1)} {
		h := http.Header{"Authorization": {"Bearer secret-token", "", "Basic dXNlcjpwYXNz", long + " x"}, "X-Correlation-Id": {"abc"}}
		if extra != "" {
			h.Set("X-Long", extra)
		}
		got := redact(h)
		want := []string{"Bearer …", "", "Basic …", cut(long, 32) + " …"}
		if strings.Join(got.Values("Authorization"), "|") != strings.Join(want, "|") {
			t.Errorf("%s: Authorization %q, want %q", name, got.Values("Authorization"), want)
		}
		if got.Get("X-Correlation-Id") != "abc" {
			t.Errorf("%s: X-Correlation-Id %q", name, got.Get("X-Correlation-Id"))
		}
		if h.Get("Authorization") != "Bearer secret-token" {
			t.Errorf("%s: the request's header changed: %q", name, h.Get("Authorization"))
		}
	}
}

// TestHeaderAsHTTPHeader: the journal's Header reads (Get, Values) and
// encodes in JSON as the http.Header it was copied from.
func TestHeaderAsHTTPHeader(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json"}, "X-Correlation-Id": {"abc"}, "Set-Cookie": {"a=1", "b=2"},
		"Location": {"/x?y=<z>&w"}, "Empty": {}}
	for name, got := range map[string]Header{"whole": bounded(h), "cut": bounded(http.Header{"Content-Type": {"application/json"}, "X-Correlation-Id": {"abc"},
		"Set-Cookie": {"a=1", "b=2"}, "Location": {"/x?y=<z>&w"}, "Empty": {}, "X-Pad": {strings.Repeat("p", MaxHeaderValue+1)}})} {
		for _, key := range []string{"Content-Type", "content-type", "X-Correlation-ID", "Set-Cookie", "Location", "Missing", "Empty"} {
			if got.Get(key) != h.Get(key) || strings.Join(got.Values(key), "|") != strings.Join(h.Values(key), "|") {
				t.Errorf("%s: %s = %q (%q), http.Header says %q (%q)", name, key, got.Get(key), got.Values(key), h.Get(key), h.Values(key))
			}
		}
		if name != "whole" {
			continue
		}
		want, _ := json.Marshal(http.Header{"Content-Type": {"application/json"}, "X-Correlation-Id": {"abc"}, "Set-Cookie": {"a=1", "b=2"}, "Location": {"/x?y=<z>&w"}})
		if b, err := json.Marshal(got); err != nil || string(b) != string(want) {
			t.Errorf("JSON %s (%v), want %s", b, err, want)
		}
	}
}
