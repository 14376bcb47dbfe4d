package control_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// clockNow returns the now of a clock answer.
func clockNow(t *testing.T, r answer) time.Time {
	t.Helper()
	now, err := time.Parse(time.RFC3339Nano, r.str("now"))
	if err != nil {
		t.Fatalf("now: %v in %s", err, r.Raw)
	}
	return now
}

func TestClockOperations(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK)
	if !clockNow(t, r).Equal(sandboxtest.AfterTaxation) || r.JSON["frozen"] != true || r.JSON["real_time"] != false || r.JSON["moved"] != false ||
		num(r.JSON["latest_available_revenue_year"]) != 2025 || r.str("taxation_date") != "2026-07-22" || !strings.HasSuffix(r.str("now"), "+01:00") {
		t.Errorf("clock at start: %s", r.Raw)
	}

	r = a.do(http.MethodPut, "/clock", map[string]any{"frozen": false}).want(t, http.StatusOK)
	if r.JSON["frozen"] != false || r.JSON["real_time"] != false || r.JSON["moved"] != true || clockNow(t, r).Before(sandboxtest.AfterTaxation) {
		t.Errorf("unfrozen: %s", r.Raw)
	}
	r = a.do(http.MethodPut, "/clock", map[string]any{"frozen": true}).want(t, http.StatusOK)
	if r.JSON["frozen"] != true {
		t.Errorf("frozen again: %s", r.Raw)
	}
	// A day alone is midnight in Paris, and keeps the clock frozen.
	r = a.do(http.MethodPut, "/clock", map[string]any{"now": "2026-03-01"}).want(t, http.StatusOK)
	march := time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)
	if !clockNow(t, r).Equal(march) || r.JSON["frozen"] != true {
		t.Errorf("set to a day: %s", r.Raw)
	}
	r = a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "30d"}).want(t, http.StatusOK)
	if !clockNow(t, r).Equal(march.Add(30 * 24 * time.Hour)) {
		t.Errorf("advanced 30 days: %s", r.Raw)
	}
	r = a.do(http.MethodPost, "/clock/advance", map[string]any{"by": -86400}).want(t, http.StatusOK)
	if !clockNow(t, r).Equal(march.Add(29 * 24 * time.Hour)) {
		t.Errorf("a day back: %s", r.Raw)
	}
	r = a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "1h30m"}).want(t, http.StatusOK)
	if !clockNow(t, r).Equal(march.Add(29*24*time.Hour + 90*time.Minute)) {
		t.Errorf("1h30m on: %s", r.Raw)
	}
	r = a.do(http.MethodPut, "/clock", map[string]any{"now": "2030-01-02T03:04:05Z", "frozen": false}).want(t, http.StatusOK)
	if got := clockNow(t, r); got.Before(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) || got.After(time.Date(2030, 1, 2, 3, 5, 0, 0, time.UTC)) || r.JSON["frozen"] != false {
		t.Errorf("set and running: %s", r.Raw)
	}

	r = a.do(http.MethodPost, "/clock/reset", nil).want(t, http.StatusOK)
	if !clockNow(t, r).Equal(sandboxtest.AfterTaxation) || r.JSON["frozen"] != true || r.JSON["moved"] != false {
		t.Errorf("reset: %s", r.Raw)
	}
}

func TestClockErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	a.do(http.MethodPut, "/clock", map[string]any{}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodPut, "/clock", map[string]any{"now": "demain"}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/now")
	a.do(http.MethodPut, "/clock", map[string]any{"now": 5}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/now")
	a.do(http.MethodPut, "/clock", map[string]any{"frozen": "yes"}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/frozen")
	for _, by := range []any{"bientôt", "1.5d", true, nil} {
		a.do(http.MethodPost, "/clock/advance", map[string]any{"by": by}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/by")
	}
	a.do(http.MethodPost, "/clock/advance", map[string]any{}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/by")
	// Out of range: an error, never a wrapped or clamped clock (issue 9).
	for _, now := range []string{"9999-12-31T00:00:00Z", "0001-01-01"} {
		a.do(http.MethodPut, "/clock", map[string]any{"now": now}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/now")
	}
	a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "36600d"}).want(t, http.StatusOK)
	a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "36600d"}).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/by")
	a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "-36600d"}).want(t, http.StatusOK)
	if r := a.do(http.MethodGet, "/journal", nil); r.Status != http.StatusOK || r.Raw == "" {
		t.Errorf("journal after the clock's moves: %d %q", r.Status, r.Raw)
	}
	if r := a.do(http.MethodGet, "/clock", nil); !clockNow(t, r).Equal(sandboxtest.AfterTaxation) {
		t.Errorf("refused moves moved the clock: %s", r.Raw)
	}
}

// TestClockAcrossTheTaxationDate: on 1 March the latest year is N-2; from
// the taxation date (22 July) it is N-1, for the API as for the clock.
func TestClockAcrossTheTaxationDate(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	deuxans := func() json.Number {
		r := a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/dernieresituation/ir/assiettes/deuxans",
			Gateway: a.s.CompletToken(), Teleservice: "BACASABLE-COMPLET"})
		if r.Status != http.StatusOK {
			t.Fatalf("deuxans: %d %s", r.Status, r.Raw)
		}
		n, _ := r.JSON["annRevenu"].(json.Number)
		return n
	}

	r := a.do(http.MethodPut, "/clock", map[string]any{"now": "2026-03-01T09:00:00+01:00", "frozen": true}).want(t, http.StatusOK)
	if num(r.JSON["latest_available_revenue_year"]) != 2024 {
		t.Errorf("1 March 2026: %s", r.Raw)
	}
	api := a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: a.s.DemoToken(), Teleservice: "BACASABLE-DEMO"})
	if code, _ := api.Erreur(); api.Status != http.StatusGone || code != 4101 {
		t.Errorf("2025 on 1 March 2026: %d %s", api.Status, api.Raw)
	}
	if got := deuxans(); got != "2024" {
		t.Errorf("deuxans on 1 March 2026: %s", got)
	}

	r = a.do(http.MethodPut, "/clock", map[string]any{"now": "2026-07-23"}).want(t, http.StatusOK)
	if num(r.JSON["latest_available_revenue_year"]) != 2025 {
		t.Errorf("23 July 2026: %s", r.Raw)
	}
	if got := demoCall(a); got != http.StatusOK {
		t.Errorf("2025 on 23 July 2026: %d", got)
	}
	if got := deuxans(); got != "2025" {
		t.Errorf("deuxans on 23 July 2026: %s", got)
	}
}

// TestClockExpiresTokens: 61 s after a login, the FranceConnect access
// token is refused by userinfo and by the API.
func TestClockExpiresTokens(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	fc := a.s.FCToken("test", "openid identite_pivot dgfip_rfr")
	fcCall := func() sandboxtest.APIAnswer {
		return a.s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: a.s.DemoToken(), FC: fc, Teleservice: "BACASABLE-DEMO"})
	}
	if status, _ := userinfo(t, a.s, fc); status != http.StatusOK {
		t.Fatalf("userinfo at once: %d", status)
	}
	if r := fcCall(); r.Status != http.StatusOK {
		t.Fatalf("API at once: %d %s", r.Status, r.Raw)
	}
	a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "59s"}).want(t, http.StatusOK)
	if status, _ := userinfo(t, a.s, fc); status != http.StatusOK {
		t.Errorf("userinfo after 59 s: %d", status)
	}
	a.do(http.MethodPost, "/clock/advance", map[string]any{"by": "2s"}).want(t, http.StatusOK)
	if status, _ := userinfo(t, a.s, fc); status != http.StatusUnauthorized {
		t.Errorf("userinfo after 61 s: %d", status)
	}
	if r := fcCall(); r.Status != http.StatusForbidden || func() bool { c, _ := r.Erreur(); return c != 4033 }() {
		t.Errorf("API after 61 s: %d %s", r.Status, r.Raw)
	}
}

// TestClockExpiresCodes: 31 s after authorize, the code is refused.
func TestClockExpiresCodes(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	fresh := codeOf(t, authorize(t, a.s, "test"))
	stale := codeOf(t, authorize(t, a.s, "test"))
	if status, body := exchange(t, a.s, fresh); status != http.StatusOK {
		t.Fatalf("a fresh code: %d %v", status, body)
	}
	a.do(http.MethodPost, "/clock/advance", map[string]any{"by": 31}).want(t, http.StatusOK)
	if status, body := exchange(t, a.s, stale); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("a code 31 s old: %d %v", status, body)
	}
}
