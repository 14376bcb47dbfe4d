package scenario

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bacasable/bacasable/scenarios"
	"github.com/bacasable/bacasable/simulator/clock"
)

func TestEmbeddedScenarios(t *testing.T) {
	set, err := Load(scenarios.FS())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(set.All()); n < 15 {
		t.Errorf("%d scenarios, want at least 15", n)
	}
	services := map[string]bool{}
	for _, sc := range set.All() {
		for _, e := range sc.Effects {
			services[e.Service] = true
		}
	}
	if !services[FranceConnect] || !services[ImpotParticulier] {
		t.Errorf("scenarios cover %v, want both services", services)
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, file, body, want string
	}{
		{"unknown key", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 500, code: 5000}\n    lattence: 2s\n", "x.yaml:7: unknown key \"lattence\""},
		{"bad service", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: dgfip\n    coupure: true\n", "x.yaml:5: scenario \"x\", effect 1: service \"dgfip\""},
		{"no effect", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: franceconnect\n", "x.yaml:5: scenario \"x\", effect 1: no effect"},
		{"name and file differ", "y.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: franceconnect\n    latence: 1s\n", "y.yaml:1: nom \"x\" must match the file name"},
		{"bad duration", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: franceconnect\n    latence: vite\n", "x.yaml:6"},
		{"refusal outside login", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: franceconnect\n    etape: token\n    refus: rnipp_inconnu\n", "refus and claims_retires apply to franceconnect at the connexion step"},
		{"API response without code", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 503}\n", "reponse.code is required"},
		{"unknown format", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 429, code: 4290, format: apigee}\n", "reponse.format \"apigee\": use wso2"},
		{"WSO2 format outside the API", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: franceconnect\n    reponse: {statut: 401, code: 900901, format: wso2}\n", "reponse.format wso2 applies to impotparticulier only"},
		{"WSO2 format, not a gateway status", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 503, code: 101503, format: wso2}\n", "statut 503 must be 401, 403 or 429"},
		{"WSO2 format, DGFiP code", "x.yaml", "nom: x\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 429, code: 4290, format: wso2}\n", "code 4290 must be a WSO2 error code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{tc.file: {Data: []byte(tc.body)}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func testEngine(t *testing.T) *Engine {
	t.Helper()
	set, err := Load(scenarios.FS())
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(set, clock.NewVirtual())
}

// TestPickOrder: header, then persona, client and global activations, then
// the persona's own scenario; limited activations count their calls.
func TestPickOrder(t *testing.T) {
	e := testEngine(t)
	sel := Selector{Clients: []string{"bacasable-demo"}, PersonaID: "angela-dubois", PersonaScenario: "dgfip-lent"}
	pick := func(s Selector) string {
		c, err := e.Pick(ImpotParticulier, StepAPI, s)
		if err != nil {
			t.Fatal(err)
		}
		return c.Name()
	}
	if got := pick(sel); got != "dgfip-lent" {
		t.Errorf("persona's own scenario: %q", got)
	}
	if _, err := e.Activate("dgfip-indisponible", ScopeGlobal, "", 0); err != nil {
		t.Fatal(err)
	}
	if got := pick(sel); got != "dgfip-indisponible" {
		t.Errorf("global activation: %q", got)
	}
	if _, err := e.Activate("dgfip-coupure", ScopeClient, "bacasable-demo", 0); err != nil {
		t.Fatal(err)
	}
	if got := pick(sel); got != "dgfip-coupure" {
		t.Errorf("client activation: %q", got)
	}
	if _, err := e.Activate("dgfip-erreur-technique", ScopePersona, "angela-dubois", 2); err != nil {
		t.Fatal(err)
	}
	if got := pick(sel); got != "dgfip-erreur-technique" {
		t.Errorf("persona activation: %q", got)
	}
	withHeader := sel
	withHeader.Header = "dgfip-quota-depasse"
	if got := pick(withHeader); got != "dgfip-quota-depasse" {
		t.Errorf("header: %q", got)
	}
	// The header did not count a call of the persona activation: one left.
	if got := pick(sel); got != "dgfip-erreur-technique" {
		t.Errorf("second call of the limited activation: %q", got)
	}
	if got := pick(sel); got != "dgfip-coupure" {
		t.Errorf("after 2 calls the persona activation is gone: %q", got)
	}
	// An activation whose scenario has no effect at this step lets the next one apply.
	if _, err := e.Activate("rnipp-inconnu", ScopePersona, "angela-dubois", 0); err != nil {
		t.Fatal(err)
	}
	if got := pick(sel); got != "dgfip-coupure" {
		t.Errorf("FranceConnect-only activation at an API step: %q", got)
	}
	e.ClearAll()
	if got := pick(Selector{}); got != "" {
		t.Errorf("after ClearAll: %q", got)
	}
	if _, err := e.Pick(ImpotParticulier, StepAPI, Selector{Header: "nope"}); err == nil {
		t.Error("unknown header scenario accepted")
	}
	if _, err := e.Activate("nope", ScopeGlobal, "", 0); err == nil {
		t.Error("unknown scenario activated")
	}
	if _, err := e.Activate("dgfip-lent", ScopePersona, "", 0); err == nil {
		t.Error("persona activation without target accepted")
	}
}

// TestScenarioCallsDefault: a scenario's own appels limits its activation.
func TestScenarioCallsDefault(t *testing.T) {
	e := testEngine(t)
	a, err := e.Activate("dgfip-erreur-ponctuelle", ScopeGlobal, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Calls != 1 {
		t.Fatalf("calls = %d, want the scenario's 1", a.Calls)
	}
	c1, _ := e.Pick(ImpotParticulier, StepAPI, Selector{})
	c2, _ := e.Pick(ImpotParticulier, StepAPI, Selector{})
	if c1.Name() != "dgfip-erreur-ponctuelle" || c2.Name() != "" {
		t.Errorf("picks = %q, %q", c1.Name(), c2.Name())
	}
}

// TestWSO2Format: format wso2 loads for the API's gateway refusals, needs
// no DGFiP code, and leaves the responses without format as they were.
func TestWSO2Format(t *testing.T) {
	set, err := Load(fstest.MapFS{
		"w.yaml": {Data: []byte("nom: w\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 429, code: 900800, format: wso2, retry_after: 30s}\n")},
		"d.yaml": {Data: []byte("nom: d\ntitre: T\ndescription: D\neffets:\n  - service: impotparticulier\n    reponse: {statut: 429, code: 4290}\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := set.Get("w")
	if r := w.Effects[0].Response; r.Format != FormatWSO2 || r.Code != 900800 || r.RetryAfter != Duration(30*time.Second) {
		t.Errorf("w = %+v", r)
	}
	d, _ := set.Get("d")
	if r := d.Effects[0].Response; r.Format != "" || r.Code != 4290 {
		t.Errorf("d = %+v", r)
	}
	// Every embedded WSO2 scenario is a gateway refusal of the API.
	embedded, err := Load(scenarios.FS())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sc := range embedded.All() {
		for _, e := range sc.Effects {
			if e.Response != nil && e.Response.Format == FormatWSO2 {
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no embedded scenario answers in the WSO2 format")
	}
}

// TestActivationsAreBounded: past MaxActivations, activating is an error.
func TestActivationsAreBounded(t *testing.T) {
	e := testEngine(t)
	for i := 0; i < MaxActivations; i++ {
		if _, err := e.Activate("dgfip-lent", ScopeGlobal, "", 0); err != nil {
			t.Fatalf("activation %d: %v", i, err)
		}
	}
	if _, err := e.Activate("dgfip-lent", ScopeGlobal, "", 0); err == nil {
		t.Errorf("activation %d accepted", MaxActivations+1)
	}
	e.ClearAll()
	if _, err := e.Activate("dgfip-lent", ScopeGlobal, "", 0); err != nil {
		t.Errorf("after ClearAll: %v", err)
	}
}

// TestEngineLater: the scenarios are loaded once, on the engine's first
// use, whatever the number of concurrent callers; a load that fails
// leaves an engine with no scenario, never a panic.
func TestEngineLater(t *testing.T) {
	loads := 0
	e := NewEngineLater(func() (*Set, error) {
		loads++
		return Load(scenarios.FS())
	}, clock.NewVirtual())
	if loads != 0 {
		t.Fatal("the scenarios were loaded before the engine's first use")
	}
	done := make(chan bool)
	for range 4 {
		go func() {
			_, err := e.Activate("dgfip-lent", "global", "", 0)
			done <- err == nil
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("activation refused")
		}
	}
	if loads != 1 || len(e.Set().All()) < 15 {
		t.Errorf("%d loads, %d scenarios", loads, len(e.Set().All()))
	}

	failed := NewEngineLater(func() (*Set, error) { return nil, errors.New("broken") }, clock.NewVirtual())
	if _, err := failed.Activate("dgfip-lent", "global", "", 0); !errors.Is(err, ErrUnknown) || len(failed.Set().Names()) != 0 {
		t.Errorf("an engine whose load failed: %v, %d scenarios", err, len(failed.Set().Names()))
	}
}
