package population

import (
	"strings"
	"sync/atomic"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator/fixture"
)

// A change through the control API rebuilds the population from the
// generated items kept at start: the generator runs once, the replaced
// persona is the one the foyers point to, and the snapshot readers held
// before the change is untouched.
func TestLiveApplyKeepsTheGeneratedPopulation(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	var calls atomic.Int32
	gen := Generator{N: 300, Seed: 5}
	src := Source{Fixtures: fixtures.FS(), Generate: func(cog *COG) ([]Document, error) {
		calls.Add(1)
		return gen.Documents(cog)
	}}
	first, err := Build(src, cog)
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(first)

	// The first generated declarant, given another first name.
	var target *Foyer
	for _, f := range first.Foyers() {
		if strings.HasPrefix(f.ID, "gen-") {
			target = f
			break
		}
	}
	if target == nil {
		t.Fatal("no generated foyer")
	}
	old := target.Declarant1
	node := item{persona: old}.yamlNode(newNodeBuilder())
	fixture.Key(node, "given_name").Value = "Philomène"
	next, err := live.Apply(Document{File: "control API", Personas: []*yaml.Node{node}})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the generator ran %d times, want once", n)
	}
	p, ok := next.ByID(old.ID)
	if !ok || p.GivenName != "Philomène" || p == old {
		t.Fatalf("after Apply, %s = %+v", old.ID, p)
	}
	f, _ := next.FoyerByID(target.ID)
	if f.Declarant1 != p {
		t.Errorf("foyer %s still points to the replaced persona", f.ID)
	}
	if avis := f.Avis(ref, ref); len(avis) == 0 || avis[0].Dec1.Prenoms != "PHILOMENE" {
		t.Errorf("the avis of %s do not name the new first name: %+v", f.ID, avis)
	}
	if len(next.Personas()) != len(first.Personas()) {
		t.Errorf("%d personas after a replacement, want %d", len(next.Personas()), len(first.Personas()))
	}
	if old.GivenName == "Philomène" || live.initial != first {
		t.Error("the snapshot before the change was modified")
	}
	live.Reset()
	if p, _ := live.ByID(old.ID); p != old {
		t.Error("Reset did not return to the population loaded at start")
	}
}
