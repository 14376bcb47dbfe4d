package control_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func TestListFoyers(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodGet, "/foyers?limit=1000", nil).want(t, http.StatusOK)
	if n := len(a.s.SB.Population.Foyers()); num(r.JSON["total"]) != int64(n) || len(r.items()) != n {
		t.Errorf("total %v, %d items, want %d", r.JSON["total"], len(r.items()), n)
	}
	for _, q := range []string{"persona=test", "persona=" + sandboxtest.AngelaSPI, "persona=gerard-perrin", "q=BEGLES", "q=perrin+3999999887219"} {
		r := a.do(http.MethodGet, "/foyers?"+q, nil).want(t, http.StatusOK)
		if items := r.items(); len(items) != 1 || items[0]["id"] != "dubois-perrin" {
			t.Errorf("%s: %s", q, r.Raw)
		}
	}
	if r := a.do(http.MethodGet, "/foyers?persona=nobody", nil).want(t, http.StatusOK); num(r.JSON["total"]) != 0 {
		t.Errorf("unknown persona: %s", r.Raw)
	}
}

// year returns the year of a foyer answer whose relative name is rel.
func year(t *testing.T, r answer, rel string) map[string]any {
	t.Helper()
	years, _ := r.JSON["years"].([]any)
	for _, y := range years {
		if m := y.(map[string]any); m["relative"] == rel {
			return m
		}
	}
	t.Fatalf("no year %s in %s", rel, r.Raw)
	return nil
}

func firstAvis(t *testing.T, y map[string]any) map[string]any {
	t.Helper()
	avis, _ := y["avis"].([]any)
	if len(avis) == 0 {
		t.Fatalf("no avis in %v", y)
	}
	return avis[0].(map[string]any)
}

// TestGetFoyerFollowsTheClock: the years are the clock's, and N-1 is
// available from the taxation date.
func TestGetFoyerFollowsTheClock(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodGet, "/foyers/dubois-perrin", nil).want(t, http.StatusOK)
	if r.str("declarant1") != "angela-dubois" || r.str("declarant2") != "gerard-perrin" {
		t.Errorf("declarants: %s", r.Raw)
	}
	deps, _ := r.JSON["dependants"].([]any)
	if len(deps) != 2 || deps[0].(map[string]any)["date_naissance"] != "2015-03-14" || deps[0].(map[string]any)["categorie"] != "F" {
		t.Errorf("dependants (N-11-03-14 in 2026): %v", deps)
	}
	if res, _ := r.JSON["residence"].(map[string]any); res["commune"] != "Bègles" {
		t.Errorf("residence: %v", res)
	}
	n1 := year(t, r, "N-1")
	avis := firstAvis(t, n1)
	if num(n1["revenue_year"]) != 2025 || n1["available"] != true || num(avis["annRev"]) != 2025 || num(avis["rfr"]) != 41220 ||
		avis["nbPart"] != json.Number("3") || avis["sitFam"] != "M" || !strings.Contains(avis["aft"].(string), "33130 BEGLES") {
		t.Errorf("N-1 in November 2026: %v", n1)
	}
	if y := year(t, r, "N-3"); num(y["revenue_year"]) != 2023 || y["available"] != true {
		t.Errorf("N-3: %v", y)
	}

	a.do(http.MethodPut, "/clock", map[string]any{"now": "2026-03-01T09:00:00+01:00"}).want(t, http.StatusOK)
	r = a.do(http.MethodGet, "/foyers/dubois-perrin", nil).want(t, http.StatusOK)
	if y := year(t, r, "N-1"); num(y["revenue_year"]) != 2025 || y["available"] != false {
		t.Errorf("N-1 on 1 March 2026: %v", y)
	}
	if y := year(t, r, "N-2"); num(y["revenue_year"]) != 2024 || y["available"] != true {
		t.Errorf("N-2 on 1 March 2026: %v", y)
	}
	a.do(http.MethodPut, "/clock", map[string]any{"now": "2027-08-01"}).want(t, http.StatusOK)
	r = a.do(http.MethodGet, "/foyers/dubois-perrin", nil).want(t, http.StatusOK)
	if y := year(t, r, "N-1"); num(y["revenue_year"]) != 2026 || y["available"] != true || num(firstAvis(t, y)["rfr"]) != 41220 {
		t.Errorf("N-1 in August 2027: %v", y)
	}

	a.do(http.MethodGet, "/foyers/inconnu", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
}

// martin is a new foyer's body for jeanne-martin; rfr is on line 9.
const martin = `{
  "id": "martin",
  "declarant1": "jeanne-martin",
  "residence": {"voie": "3 place de la Comédie", "code_postal": "33000", "commune": "Bordeaux"},
  "annees": {
    "N-1": {
      "sitFam": "C",
      "revenus": {"1AJ": 28000},
      "rfr": %d
    }
  }
}`

// TestPutFoyerThenCallTheAPI: a foyer added through the API is what the
// API Impôt particulier answers for its declarant.
func TestPutFoyerThenCallTheAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	a.do(http.MethodPut, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "33063")).want(t, http.StatusCreated)

	r := a.do(http.MethodPut, "/foyers/martin", fmt.Sprintf(martin, 25200)).want(t, http.StatusCreated)
	if r.Header.Get("Location") != control.BasePath+"/foyers/martin" {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	if avis := firstAvis(t, year(t, r, "N-1")); num(avis["rfr"]) != 25200 || avis["nbPart"] != json.Number("1") {
		t.Errorf("created: %s", r.Raw)
	}
	if p := a.do(http.MethodGet, "/personas/jeanne-martin", nil); p.str("foyer_role") != "declarant" {
		t.Errorf("jeanne after her foyer: %s", p.Raw)
	}
	api := a.s.Call(sandboxtest.APICall{Path: "/spi/3999999899231/situations/ir/assiettes/annrev/2025", Gateway: a.s.DemoToken(), Teleservice: "BACASABLE-DEMO"})
	if api.Status != http.StatusOK || api.JSON["rfr"] != json.Number("25200") {
		t.Fatalf("API for the new foyer: %d %s", api.Status, api.Raw)
	}
	// N-2 is not declared: the household did not exist.
	api = a.s.Call(sandboxtest.APICall{Path: "/spi/3999999899231/situations/ir/assiettes/annrev/2024", Gateway: a.s.DemoToken(), Teleservice: "BACASABLE-DEMO"})
	if api.Status != http.StatusGone {
		t.Errorf("API for N-2: %d %s", api.Status, api.Raw)
	}

	// Replaced: more income, a higher rfr, the API follows.
	body := strings.Replace(fmt.Sprintf(martin, 32400), "28000", "36000", 1)
	r = a.do(http.MethodPut, "/foyers/martin", body).want(t, http.StatusOK)
	if avis := firstAvis(t, year(t, r, "N-1")); num(avis["rfr"]) != 32400 {
		t.Errorf("replaced: %s", r.Raw)
	}
	api = a.s.Call(sandboxtest.APICall{Path: "/spi/3999999899231/situations/ir/assiettes/annrev/2025", Gateway: a.s.DemoToken(), Teleservice: "BACASABLE-DEMO"})
	if api.JSON["rfr"] != json.Number("32400") {
		t.Errorf("API after the replacement: %d %s", api.Status, api.Raw)
	}
}

func TestPutFoyerErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	a.do(http.MethodPut, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "33063")).want(t, http.StatusCreated)

	t.Run("a stated figure the computation denies", func(t *testing.T) {
		d := a.do(http.MethodPut, "/foyers/martin", fmt.Sprintf(martin, 1)).wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		if len(d) != 1 || d[0]["file"] != "PUT /foyers/martin" || num(d[0]["line"]) != 9 ||
			!strings.Contains(d[0]["message"].(string), "rfr is 1 in the fixture, but the computation gives 25200") {
			t.Errorf("details: %v", d)
		}
		a.do(http.MethodGet, "/foyers/martin", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	})
	t.Run("a declarant already declaring elsewhere", func(t *testing.T) {
		body := strings.Replace(fmt.Sprintf(martin, 25200), `"jeanne-martin"`, `"julien-roux"`, 1)
		d := a.do(http.MethodPut, "/foyers/martin", body).wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		if len(d) == 0 || !strings.Contains(fmt.Sprint(d), `already a declarant of foyer "roux"`) {
			t.Errorf("details: %v", d)
		}
	})
	t.Run("an unknown persona", func(t *testing.T) {
		body := strings.Replace(fmt.Sprintf(martin, 25200), `"jeanne-martin"`, `"jeanne-inconnue"`, 1)
		d := a.do(http.MethodPut, "/foyers/martin", body).wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		if len(d) == 0 || num(d[0]["line"]) != 3 || !strings.Contains(d[0]["message"].(string), "is not a persona id") {
			t.Errorf("details: %v", d)
		}
	})
	t.Run("the path's id and the body's differ", func(t *testing.T) {
		a.do(http.MethodPut, "/foyers/dupont", fmt.Sprintf(martin, 25200)).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/id")
	})
	t.Run("the body does not match the contract", func(t *testing.T) {
		a.do(http.MethodPut, "/foyers/martin", strings.Replace(fmt.Sprintf(martin, 25200), "28000", `"28000"`, 1)).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/annees/N-1/revenus/1AJ")
		a.do(http.MethodPut, "/foyers/martin", strings.Replace(fmt.Sprintf(martin, 25200), `"N-1"`, `"N-4"`, 1)).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/annees/N-4")
		a.do(http.MethodPut, "/foyers/martin", `{"id": "martin", "declarant1": "jeanne-martin"}`).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/annees")
	})
}
