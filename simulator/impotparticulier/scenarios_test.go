package impotparticulier_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestGatewayFaultScenarios: the WSO2 scenarios answer the gateway's own
// fault body (validated against the contract by the harness, as every
// answer), while the default quota scenario keeps the DGFiP envelope.
func TestGatewayFaultScenarios(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.DemoToken()
	call := func(name string) sandboxtest.APIAnswer {
		return s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw,
			Teleservice: "BACASABLE-DEMO", Header: http.Header{"X-Bacasable-Scenario": {name}}})
	}
	for _, tc := range []struct {
		scenario, message, description, retryAfter string
		status, code                               int
	}{
		{"dgfip-quota-depasse-wso2", "Message throttled out", "You have exceeded your quota", "60", 429, 900800},
		{"dgfip-jeton-invalide-wso2", "Invalid Credentials", "Invalid Credentials. Make sure you have provided the correct security credentials", "", 401, 900901},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			a := call(tc.scenario)
			if a.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.Status, tc.status, a.Raw)
			}
			fault, _ := a.JSON["fault"].(map[string]any)
			if code, _ := fault["code"].(json.Number); code.String() != strconv.Itoa(tc.code) ||
				fault["message"] != tc.message || fault["description"] != tc.description {
				t.Errorf("body = %s", a.Raw)
			}
			if _, dgfip := a.JSON["erreur"]; dgfip || len(a.JSON) != 1 {
				t.Errorf("want the fault alone, got %s", a.Raw)
			}
			if ct := a.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if got := a.Header.Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
		})
	}
	// Without format, the same refusal keeps the DGFiP envelope.
	a := call("dgfip-quota-depasse")
	if code, _ := a.Erreur(); a.Status != 429 || code != 4290 || a.JSON["fault"] != nil {
		t.Errorf("dgfip-quota-depasse: %d %s", a.Status, a.Raw)
	}
	if s.Checked() < 3 {
		t.Errorf("%d answers checked against the contract", s.Checked())
	}
}
