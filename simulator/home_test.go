package simulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestHome: the root page is HTML under a strict CSP, without script, and
// links to what runs here: discovery, both contracts, Démoville, the
// console and the docs.
func TestHome(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	resp, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy: %q", csp)
	}
	if strings.Contains(body, "<script") {
		t.Error("the page has a script")
	}
	for _, href := range []string{
		s.URL + "/api/v2/.well-known/openid-configuration",
		s.URL + "/impotparticulier/1.0/openapi.yaml",
		s.URL + "/_bacasable/api/openapi.yaml",
		s.URL + "/demoville/",
		s.URL + "/_bacasable/",
		"docs/franceconnect.md",
		"docs/demoville.md",
	} {
		if !strings.Contains(body, `href="`+href) && !strings.Contains(body, href+`"`) {
			t.Errorf("no link to %s", href)
		}
	}
	// Each link leads somewhere.
	for _, path := range []string{"/api/v2/.well-known/openid-configuration", "/impotparticulier/1.0/openapi.yaml", "/_bacasable/api/openapi.yaml", "/demoville/", "/_bacasable/"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
	}
}
