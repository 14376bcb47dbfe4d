package control_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestJournalOperations: the journal is served filtered, as JSON lines and
// HAR, and live as Server-Sent Events.
func TestJournalOperations(t *testing.T) {
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	gw := a.s.DemoToken()
	a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO", Correlation: "pas-un-uuid"})

	all := a.do(http.MethodGet, "/journal", nil).want(t, 200)
	entries, _ := all.JSON["entries"].([]any)
	if len(entries) != 3 { // gateway token + two API calls
		t.Fatalf("entries = %d: %s", len(entries), all.Raw)
	}
	bad := a.do(http.MethodGet, "/journal?violations=true", nil).want(t, 200)
	if v, _ := bad.JSON["entries"].([]any); len(v) != 1 || !strings.Contains(bad.Raw, "X-Correlation-ID") {
		t.Errorf("violations = %s", bad.Raw)
	}
	if api := a.do(http.MethodGet, "/journal?service=passerelle", nil).want(t, 200); !strings.Contains(api.Raw, `"/token"`) || strings.Contains(api.Raw, "impotparticulier/1.0") {
		t.Errorf("service filter = %s", api.Raw)
	}
	a.do(http.MethodGet, "/journal?service=nowhere", nil).want(t, 400)

	jl := a.do(http.MethodGet, "/journal.jsonl?violations=true", nil).want(t, 200)
	if strings.Count(jl.Raw, "\n") != 1 || jl.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("JSON lines = %q (%s)", jl.Raw, jl.Header.Get("Content-Type"))
	}
	har := a.do(http.MethodGet, "/journal.har", nil).want(t, 200)
	if log, _ := har.JSON["log"].(map[string]any); log == nil || log["version"] != "1.2" {
		t.Errorf("HAR = %.200s", har.Raw)
	}

	// Live: an entry made after subscribing arrives as an event.
	streamJournal(t, a)
}

// TestJournalSearch: q finds the entries by a correlation id (the
// reference Démoville's error pages give), whatever its case, by a piece
// of the path or by persona; the exports take the same filters as the
// list, so that an export holds what the console shows.
func TestJournalSearch(t *testing.T) {
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	gw := a.s.DemoToken()
	const known = "0b9e7c52-4d1a-4c3e-8f6a-2e5d7c9b1a30"
	path := "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025"
	a.s.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	a.s.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO", Correlation: known})
	a.s.FCToken("test", "openid identite_pivot")

	ids := func(raw string) []string {
		t.Helper()
		var body struct {
			Entries []struct {
				ID      int64               `json:"id"`
				Path    string              `json:"path"`
				Persona string              `json:"persona"`
				Headers map[string][]string `json:"request_headers"`
			} `json:"entries"`
		}
		if err := json.Unmarshal([]byte(raw), &body); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		var out []string
		for _, e := range body.Entries {
			out = append(out, e.Path+" "+strings.Join(e.Headers["X-Correlation-Id"], ","))
		}
		return out
	}
	for _, tt := range []struct {
		q    string
		want []string // path and correlation id of each entry found
	}{
		{known, []string{"/impotparticulier/1.0" + path + " " + known}},
		{strings.ToUpper(known[:13]), []string{"/impotparticulier/1.0" + path + " " + known}},
		{"  " + known + " ", []string{"/impotparticulier/1.0" + path + " " + known}},
		{"aucune-entree-ne-porte-ceci", nil},
	} {
		got := ids(a.do(http.MethodGet, "/journal?q="+url.QueryEscape(tt.q), nil).want(t, 200).Raw)
		if !slices.Equal(got, tt.want) {
			t.Errorf("q=%q found %q, want %q", tt.q, got, tt.want)
		}
	}
	if got := ids(a.do(http.MethodGet, "/journal?q=V2/TOKEN", nil).want(t, 200).Raw); len(got) != 1 || !strings.HasPrefix(got[0], "/api/v2/token") {
		t.Errorf("q=V2/TOKEN found %q, want FranceConnect's token call", got)
	}
	if got := ids(a.do(http.MethodGet, "/journal?q=tes&service=franceconnect", nil).want(t, 200).Raw); len(got) < 2 {
		t.Errorf("q=tes (persona test) found %q, want FranceConnect's entries for persona test", got)
	}
	a.do(http.MethodGet, "/journal?q="+strings.Repeat("x", 201), nil).want(t, 400)

	// The exports follow the same filters.
	jl := a.do(http.MethodGet, "/journal.jsonl?q="+known, nil).want(t, 200)
	if strings.Count(jl.Raw, "\n") != 1 || !strings.Contains(jl.Raw, known) {
		t.Errorf("JSON lines for q=%s: %q", known, jl.Raw)
	}
	jl = a.do(http.MethodGet, "/journal.jsonl?service=passerelle", nil).want(t, 200)
	if strings.Count(jl.Raw, "\n") != 1 || !strings.Contains(jl.Raw, `"/token"`) {
		t.Errorf("JSON lines for service=passerelle: %q", jl.Raw)
	}
	har := a.do(http.MethodGet, "/journal.har?q="+known, nil).want(t, 200)
	log, _ := har.JSON["log"].(map[string]any)
	if entries, _ := log["entries"].([]any); len(entries) != 1 || !strings.Contains(har.Raw, known) {
		t.Errorf("HAR for q=%s: %.300s", known, har.Raw)
	}
}

// streamJournal: an entry made after subscribing arrives as an event.
func streamJournal(t *testing.T, a *api) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, a.s.URL+control.BasePath+"/journal/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream Content-Type = %q", resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Scan() // the stream's opening comment
	a.s.DemoToken()
	for lines.Scan() {
		if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			var e struct{ Path, Service string }
			if err := json.Unmarshal([]byte(data), &e); err != nil || e.Path != "/token" || e.Service != "passerelle" {
				t.Errorf("event = %s (%v)", data, err)
			}
			return
		}
	}
	t.Fatalf("no event: %v", lines.Err())
}
