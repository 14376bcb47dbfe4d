package control_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
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
