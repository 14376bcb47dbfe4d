package control_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func TestListScenarios(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodGet, "/scenarios", nil).want(t, http.StatusOK)
	if len(r.items()) != len(a.s.SB.Scenarios.Set().Names()) {
		t.Errorf("%d scenarios listed", len(r.items()))
	}
	for _, sc := range r.items() {
		if sc["nom"] != "dgfip-indisponible" {
			continue
		}
		effets, _ := sc["effets"].([]any)
		if sc["titre"] != "Service DGFiP indisponible" || sc["fichier"] != "dgfip-indisponible.yaml" || len(effets) != 1 ||
			effets[0].(map[string]any)["reponse"].(map[string]any)["statut"] != json.Number("503") {
			t.Errorf("dgfip-indisponible: %v", sc)
		}
		return
	}
	t.Errorf("no dgfip-indisponible in %s", r.Raw)
}

// demoCall calls the API for Angela with the demo habilitation and returns
// the status.
func demoCall(a *api) int {
	return a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025",
		Gateway: a.s.DemoToken(), Teleservice: "BACASABLE-DEMO"}).Status
}

func completCall(a *api) int {
	return a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025",
		Gateway: a.s.CompletToken(), Teleservice: "BACASABLE-COMPLET"}).Status
}

func TestActivations(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)

	r := a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-indisponible", "scope": "global"}).want(t, http.StatusCreated)
	id := r.str("id")
	if r.str("scenario") != "dgfip-indisponible" || r.str("scope") != "global" || r.JSON["calls_left"] != nil || r.str("since") == "" {
		t.Errorf("activation: %s", r.Raw)
	}
	if got := demoCall(a); got != http.StatusServiceUnavailable {
		t.Errorf("API with a global outage: %d", got)
	}
	if items := a.do(http.MethodGet, "/scenarios/activations", nil).want(t, http.StatusOK).items(); len(items) != 1 || items[0]["id"] != id {
		t.Errorf("activations: %v", items)
	}
	a.do(http.MethodDelete, "/scenarios/activations/"+id, nil).want(t, http.StatusNoContent)
	if got := demoCall(a); got != http.StatusOK {
		t.Errorf("API once cleared: %d", got)
	}
	a.do(http.MethodDelete, "/scenarios/activations/"+id, nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")

	// One gateway client only.
	r = a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-indisponible", "scope": "client", "target": "bacasable-demo"}).want(t, http.StatusCreated)
	if demoCall(a) != http.StatusServiceUnavailable || completCall(a) != http.StatusOK {
		t.Errorf("client activation: demo %d, complet %d", demoCall(a), completCall(a))
	}
	// A FranceConnect client is a target too.
	a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "rnipp-inconnu", "scope": "client", "target": sandboxtest.DemoClientID}).want(t, http.StatusCreated)
	// A persona by login becomes its id.
	r = a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-lent", "scope": "persona", "target": "test"}).want(t, http.StatusCreated)
	if r.str("target") != "angela-dubois" {
		t.Errorf("persona target: %s", r.Raw)
	}
	if items := a.do(http.MethodGet, "/scenarios/activations", nil).items(); len(items) != 3 {
		t.Errorf("activations: %v", items)
	}
	a.do(http.MethodDelete, "/scenarios/activations", nil).want(t, http.StatusNoContent)
	if items := a.do(http.MethodGet, "/scenarios/activations", nil).items(); len(items) != 0 {
		t.Errorf("after clearing all: %v", items)
	}

	// A limited activation ends by itself.
	r = a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-indisponible", "scope": "global", "calls": 2}).want(t, http.StatusCreated)
	if num(r.JSON["calls_left"]) != 2 {
		t.Errorf("calls_left: %s", r.Raw)
	}
	first, second, third := demoCall(a), demoCall(a), demoCall(a)
	if first != 503 || second != 503 || third != 200 {
		t.Errorf("two calls: %d %d %d", first, second, third)
	}
	if items := a.do(http.MethodGet, "/scenarios/activations", nil).items(); len(items) != 0 {
		t.Errorf("after its calls: %v", items)
	}
	// The scenario's own appels when calls is absent.
	r = a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-erreur-ponctuelle", "scope": "global"}).want(t, http.StatusCreated)
	if num(r.JSON["calls_left"]) != 1 {
		t.Errorf("default calls: %s", r.Raw)
	}
}

func TestActivationErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown scenario", map[string]any{"scenario": "panne-inventee", "scope": "global"}, "/scenario"},
		{"bad scope", map[string]any{"scenario": "dgfip-lent", "scope": "galaxie"}, "/scope"},
		{"global with a target", map[string]any{"scenario": "dgfip-lent", "scope": "global", "target": "test"}, "/target"},
		{"persona without target", map[string]any{"scenario": "dgfip-lent", "scope": "persona"}, "/target"},
		{"unknown persona", map[string]any{"scenario": "dgfip-lent", "scope": "persona", "target": "angela"}, "/target"},
		{"unknown client", map[string]any{"scenario": "dgfip-lent", "scope": "client", "target": "client-inconnu"}, "/target"},
		{"negative calls", map[string]any{"scenario": "dgfip-lent", "scope": "global", "calls": -1}, "/calls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.do(http.MethodPost, "/scenarios/activations", tc.body).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, tc.field)
		})
	}
	if items := a.do(http.MethodGet, "/scenarios/activations", nil).items(); len(items) != 0 {
		t.Errorf("refused activations were made: %v", items)
	}
}
