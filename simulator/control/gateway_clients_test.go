package control_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func gatewayClient(id, teleservice string) map[string]any {
	return map[string]any{"client_id": id, "client_secret": "mon-secret-de-test", "name": "Mon éditeur",
		"habilitations": []map[string]any{{"id_teleservice": teleservice, "libelle": "Cantine", "modalites": []string{"with_spi"},
			"ressources": []string{"situations"}, "donnees": []string{"rfr", "nbPart"}, "annees": []string{"n_moins_1"}, "quota_par_minute": 50}}}
}

// TestRegisteredGatewayClientCallsTheAPI: a vendor's own gateway client,
// registered through the control API, gets a token and calls the API with
// its ID_Teleservice; the answer holds its habilitation's fields only.
// Removal and reset forget it.
func TestRegisteredGatewayClientCallsTheAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodPut, "/impotparticulier/clients/mon-editeur", gatewayClient("mon-editeur", "MON-TELESERVICE")).want(t, http.StatusCreated)
	if r.JSON["registered"] != true {
		t.Errorf("registered: %s", r.Raw)
	}
	a.do(http.MethodPut, "/impotparticulier/clients/mon-editeur", gatewayClient("mon-editeur", "MON-TELESERVICE")).want(t, http.StatusOK)

	call := func() sandboxtest.APIAnswer {
		tok := a.s.GatewayToken("mon-editeur", "mon-secret-de-test", "RessourceIR")
		return a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: tok, Teleservice: "MON-TELESERVICE"})
	}
	ans := call()
	if ans.Status != http.StatusOK || ans.JSON["rfr"] == nil || ans.JSON["nbPart"] == nil || ans.JSON["sitFam"] != nil {
		t.Fatalf("API call: %d %s", ans.Status, ans.Raw)
	}

	found := false
	for _, it := range a.do(http.MethodGet, "/impotparticulier/clients", nil).want(t, http.StatusOK).items() {
		found = found || (it["client_id"] == "mon-editeur" && it["registered"] == true)
	}
	if !found {
		t.Error("the registered gateway client is not listed")
	}
	a.do(http.MethodGet, "/impotparticulier/clients/bacasable-demo", nil).want(t, http.StatusOK)

	a.do(http.MethodDelete, "/impotparticulier/clients/mon-editeur", nil).want(t, http.StatusNoContent)
	a.do(http.MethodGet, "/impotparticulier/clients/mon-editeur", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	a.do(http.MethodPut, "/impotparticulier/clients/mon-editeur", gatewayClient("mon-editeur", "MON-TELESERVICE")).want(t, http.StatusCreated)
	a.do(http.MethodPost, "/reset", nil).want(t, http.StatusNoContent)
	a.do(http.MethodGet, "/impotparticulier/clients/mon-editeur", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
}

func TestGatewayClientErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	put := func(id string, body map[string]any) answer {
		return a.do(http.MethodPut, "/impotparticulier/clients/"+id, body)
	}
	// A client_id or an ID_Teleservice of habilitations.yaml.
	put("bacasable-demo", gatewayClient("bacasable-demo", "X")).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	put("x", gatewayClient("x", "BACASABLE-DEMO")).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	put("x", gatewayClient("y", "X")).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/client_id")
	// The fixture checks: a data field the contract does not know.
	b := gatewayClient("x", "X")
	b["habilitations"].([]map[string]any)[0]["donnees"] = []string{"rfr", "salaireDuPatron"}
	r := put("x", b)
	r.wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	if !strings.Contains(r.Raw, "salaireDuPatron") {
		t.Errorf("the error does not name the unknown field: %s", r.Raw)
	}
	put("x", gatewayClient("x", "X")).want(t, http.StatusCreated)
	// Another client cannot take its ID_Teleservice.
	put("z", gatewayClient("z", "X")).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodDelete, "/impotparticulier/clients/bacasable-demo", nil).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodDelete, "/impotparticulier/clients/inconnu", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
}
