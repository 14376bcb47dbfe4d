package banner

import (
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/scenarios"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// TestBanner: no banner while the sandbox follows its fixtures; one that
// names each activation and a moved or frozen clock; none again once
// cleared and the clock put back.
func TestBanner(t *testing.T) {
	set, err := scenario.Load(scenarios.FS())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 7, 23, 9, 0, 0, 0, clock.Paris())
	clk := clock.NewFrozen(start)
	engine := scenario.NewEngine(set, clk)
	src := &Source{Scenarios: engine, Clock: clk, Start: clk.State(), PublicURL: "http://localhost:8080"}

	if b := src.Banner(); b != nil {
		t.Fatalf("banner at start: %+v", b)
	}

	if _, err := engine.Activate("dgfip-indisponible", scenario.ScopeGlobal, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Activate("dgfip-indisponible", scenario.ScopeClient, "bacasable-demo", 3); err != nil {
		t.Fatal(err)
	}
	b := src.Banner()
	if b == nil || len(b.Scenarios) != 2 || b.Clock != "" || b.ClearURL != "http://localhost:8080/_bacasable/#vue-scenarios" {
		t.Fatalf("banner with two activations: %+v", b)
	}
	for i, want := range []string{
		"« Service DGFiP indisponible » (dgfip-indisponible), pour tout le bac à sable, jusqu'au retrait",
		"« Service DGFiP indisponible » (dgfip-indisponible), pour le client bacasable-demo, encore 3 appels",
	} {
		if b.Scenarios[i] != want {
			t.Errorf("activation %d reads %q, want %q", i, b.Scenarios[i], want)
		}
	}

	engine.ClearAll()
	clk.Advance(48 * time.Hour)
	if b := src.Banner(); b == nil || len(b.Scenarios) != 0 || b.Clock != "horloge figée au 25/07/2026 à 09:00" {
		t.Errorf("banner with the clock moved: %+v", b)
	}
	clk.Unfreeze()
	if b := src.Banner(); b == nil || !strings.HasPrefix(b.Clock, "horloge déplacée : il est 25/07/2026 à 09:00") {
		t.Errorf("banner with the clock running: %+v", b)
	}
	clk.Restore(src.Start)
	if b := src.Banner(); b != nil {
		t.Errorf("banner once the clock is back: %+v", b)
	}
}

// TestBannerText: the sentence lists the scenarios, then the clock.
func TestBannerText(t *testing.T) {
	for _, tc := range []struct {
		b    Banner
		want string
	}{
		{Banner{Scenarios: []string{"« A » (a)"}}, "scénario « A » (a)"},
		{Banner{Clock: "horloge figée"}, "horloge figée"},
		{Banner{Scenarios: []string{"a", "b"}, Clock: "horloge avancée"}, "scénario a ; scénario b ; horloge avancée"},
	} {
		if got := tc.b.Text(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.b, got, tc.want)
		}
	}
}
