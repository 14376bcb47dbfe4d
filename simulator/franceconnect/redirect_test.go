package franceconnect

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// callbackURLReference is callbackURL as first written: each parameter
// escaped on its own, the kept query split and joined again.
func callbackURLReference(redirectURI string, fragment bool, params [][2]string) string {
	enc := make([]string, len(params))
	for i, kv := range params {
		enc[i] = url.QueryEscape(kv[0]) + "=" + url.QueryEscape(kv[1])
	}
	if fragment {
		return redirectURI + "#" + strings.Join(enc, "&")
	}
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	var kept []string
	for _, part := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(part, "=")
		name, _ := url.QueryUnescape(k)
		if part != "" && !slices.ContainsFunc(params, func(kv [2]string) bool { return kv[0] == name }) {
			kept = append(kept, part)
		}
	}
	u.RawQuery = strings.Join(append(kept, enc...), "&")
	return u.String()
}

// TestCallbackURL: the redirect to a client is built as before, for
// redirect_uris with and without a query, replaced parameters, escapes.
func TestCallbackURL(t *testing.T) {
	uris := []string{"https://sp.example/cb", "http://localhost:8080/callback?x=1", "https://sp.example/cb?state=old&a=b&&c",
		"https://sp.example/cb?%73tate=old&code", "https://sp.example/a%20b/c?q=%zz", "https://sp.example/cb#frag", "::not a url",
		"HTTPS://SP.example/cb?", "https://sp.example/cb?iss=x&iss=y&z=é"}
	paramSets := [][][2]string{
		{{"code", "abc-_"}, {"state", "s t&u=v/é"}, {"iss", "https://fc.example/api/v2"}},
		{{"error", "access_denied"}, {"error_description", "User auth aborted"}, {"iss", "http://localhost:4000/api/v2"}},
		{},
	}
	for _, uri := range uris {
		for _, params := range paramSets {
			for _, fragment := range []bool{false, true} {
				want := callbackURLReference(uri, fragment, params)
				if got := callbackURL(uri, fragment, params); got != want {
					t.Errorf("callbackURL(%q, %v, %v)\n got %s\nwant %s", uri, fragment, params, got, want)
				}
			}
		}
	}
}

func FuzzQueryEscaped(f *testing.F) {
	for _, s := range append(trickyStrings, "https://fc.example/api/v2?a=b&c=d#e", " +%~-_.", "\x00\x7f\x80\xff") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		writeQueryEscaped(&b, s)
		if want := url.QueryEscape(s); b.String() != want {
			t.Errorf("writeQueryEscaped(%q) = %q, want %q", s, b.String(), want)
		}
	})
}
