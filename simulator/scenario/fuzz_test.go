package scenario_test

// Fuzz target of the scenario files (docs/fuzzing.md).

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bacasable/bacasable/scenarios"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// fuzzSteps are every service's steps.
var fuzzSteps = map[string][]string{
	scenario.FranceConnect:    {scenario.StepLogin, scenario.StepToken, scenario.StepUserinfo, scenario.StepCheckToken},
	scenario.ImpotParticulier: {scenario.StepAPI},
}

// FuzzScenarioFile loads a scenario file, fuzz.yaml, from any bytes: an
// error names the file; a scenario loaded activates, and every step of
// every service picks it without error, its effects within their bounds.
func FuzzScenarioFile(f *testing.F) {
	files, err := fs.Glob(scenarios.FS(), "*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no scenario files: %v", err)
	}
	nom := regexp.MustCompile(`(?m)^nom: .*$`)
	for _, file := range files {
		data, err := fs.ReadFile(scenarios.FS(), file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(nom.ReplaceAll(data, []byte("nom: fuzz")))
	}
	for _, s := range []string{
		"nom: fuzz\ntitre: T\ndescription: D\neffets:\n  - {service: impotparticulier, latence: -1s, reponse: {statut: 200}}\n",
		"nom: fuzz\ntitre: T\ndescription: D\nappels: -1\neffets:\n  - {service: franceconnect, etape: appel, refus: inconnu, coupure: true, delai_depasse: 1h}\n",
		"nom: fuzz\ntitre: T\ndescription: D\neffets:\n  - {service: impotparticulier, reponse: {statut: 429, code: 900800, format: wso2, retry_after: 99999999999h}}\n",
		"nom: Fuzz\ntitre: \"\"\neffets: []\n",
		"nom: autre\ntitre: T\ndescription: D\neffets:\n  - {service: x}\n",
		"nom: fuzz\ninconnu: 1\n",
		"- 1\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8<<10 {
			t.Skip()
		}
		set, err := scenario.Load(fstest.MapFS{"fuzz.yaml": {Data: data}})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("the error does not name fuzz.yaml: %v", err)
			}
			return
		}
		if _, ok := set.Get("fuzz"); !ok || len(set.Names()) != 1 {
			t.Fatalf("loaded, but not as the one scenario fuzz: %v", set.Names())
		}
		e := scenario.NewEngine(set, clock.NewFrozen(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)))
		if _, err := e.Activate("fuzz", scenario.ScopeGlobal, "", 0); err != nil {
			t.Fatalf("a loaded scenario does not activate: %v", err)
		}
		for service, steps := range fuzzSteps {
			for _, step := range steps {
				c, err := e.Pick(service, step, scenario.Selector{})
				if err != nil {
					t.Fatalf("%s %s: %v", service, step, err)
				}
				if c.Latency() < 0 {
					t.Fatalf("%s %s: latency %v", service, step, c.Latency())
				}
				if eff := c.Failure(); eff != nil && eff.Response != nil && (eff.Response.Status < 400 || eff.Response.Status > 599) {
					t.Fatalf("%s %s: answers status %d", service, step, eff.Response.Status)
				}
				_, _, _ = c.Refusal(), c.RemovedClaims(), c.Name()
			}
		}
	})
}
