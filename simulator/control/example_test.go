package control_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
)

// A test moves the sandbox's clock to 1 March, when the latest taxed
// revenue year is N-2, and makes the DGFiP unavailable for Angela DUBOIS
// (login test) alone.
func Example() {
	sb, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080",
		Clock: clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))})
	if err != nil {
		panic(err)
	}
	call := func(method, path, body string) map[string]any {
		req := httptest.NewRequest(method, "http://localhost:8080/_bacasable/api"+path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:50000" // the control API answers loopback callers
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		sb.Handler().ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		fmt.Println(method, path, "→", rec.Code)
		return out
	}

	c := call("PUT", "/clock", `{"now": "2026-03-01", "frozen": true}`)
	fmt.Println("latest available revenue year:", c["latest_available_revenue_year"])
	a := call("POST", "/scenarios/activations", `{"scenario": "dgfip-indisponible", "scope": "persona", "target": "test"}`)
	fmt.Println("activation for", a["target"])
	e := call("GET", "/personas/nobody", "")
	fmt.Println(e["error"].(map[string]any)["code"])
	// Output:
	// PUT /clock → 200
	// latest available revenue year: 2024
	// POST /scenarios/activations → 201
	// activation for angela-dubois
	// GET /personas/nobody → 404
	// not_found
}
