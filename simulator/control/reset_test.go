package control_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestReset: everything the control API changed, and every token issued,
// is gone; the fixtures are as loaded.
func TestReset(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	fc := a.s.FCToken("test", "openid email")
	a.do(http.MethodPut, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "33063")).want(t, http.StatusCreated)
	angela := a.do(http.MethodGet, "/personas/angela-dubois", nil).want(t, http.StatusOK).JSON
	email := angela["email"]
	angela["email"] = "autre@bacasable.example"
	a.do(http.MethodPut, "/personas/angela-dubois", angela).want(t, http.StatusOK)
	a.do(http.MethodPut, "/foyers/martin", fmt.Sprintf(martin, 25200)).want(t, http.StatusCreated)
	a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-indisponible", "scope": "global"}).want(t, http.StatusCreated)
	a.do(http.MethodPut, "/clock", map[string]any{"now": "2026-03-01", "frozen": false}).want(t, http.StatusOK)
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": sandboxtest.DemoClientID, "persona": "test"}).want(t, http.StatusCreated)

	a.do(http.MethodPost, "/reset", nil).want(t, http.StatusNoContent)

	a.do(http.MethodGet, "/personas/jeanne-martin", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	a.do(http.MethodGet, "/foyers/martin", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	if r := a.do(http.MethodGet, "/personas/angela-dubois", nil); r.JSON["email"] != email {
		t.Errorf("angela after reset: %s", r.Raw)
	}
	if items := a.do(http.MethodGet, "/scenarios/activations", nil).items(); len(items) != 0 {
		t.Errorf("activations after reset: %v", items)
	}
	if r := a.do(http.MethodGet, "/clock", nil); !clockNow(t, r).Equal(sandboxtest.AfterTaxation) || r.JSON["frozen"] != true {
		t.Errorf("clock after reset: %s", r.Raw)
	}
	if items := a.do(http.MethodGet, "/franceconnect/queue", nil).items(); len(items) != 0 {
		t.Errorf("queue after reset: %v", items)
	}
	if status, _ := userinfo(t, a.s, fc); status != http.StatusUnauthorized {
		t.Errorf("a token issued before the reset: userinfo %d", status)
	}
	if got := demoCall(a); got != http.StatusOK {
		t.Errorf("API after reset: %d", got)
	}
	// The population accepts changes again from the loaded fixtures.
	a.do(http.MethodPut, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "33063")).want(t, http.StatusCreated)
}
