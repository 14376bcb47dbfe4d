package population

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bacasable/bacasable/fixtures"
)

// A Live made by NewLiveLater builds its population once, not before it is
// started or used; every reader, however many at once, waits for it and
// gets it, and Reset returns to it.
func TestLiveLaterBuildsOnceOnFirstUse(t *testing.T) {
	var builds atomic.Int32
	release := make(chan struct{})
	live := NewLiveLater(func() (*Population, error) {
		builds.Add(1)
		<-release
		return Build(Source{Fixtures: fixtures.FS(), COGChecked: true}, LazyCOG(fixtures.FS()))
	})
	if n := builds.Load(); n != 0 {
		t.Fatalf("built %d times before any use", n)
	}

	const readers = 8
	var wg sync.WaitGroup
	got := make([]*Population, readers)
	for i := range readers {
		wg.Go(func() { got[i] = live.Current() })
	}
	live.Start() // with the readers: one build whoever starts it
	close(release)
	wg.Wait()
	if err := live.Wait(); err != nil {
		t.Fatal(err)
	}
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times, want once", n)
	}
	for i, pop := range got {
		if pop == nil || pop != got[0] {
			t.Fatalf("reader %d got %p, reader 0 %p", i, pop, got[0])
		}
	}
	if _, ok := live.ByLogin("test"); !ok {
		t.Error("persona test not found in the population built later")
	}
	if n := len(live.Personas()); n < 50 {
		t.Errorf("%d personas", n)
	}
	live.Reset()
	if live.Current() != got[0] {
		t.Error("Reset did not return to the population built later")
	}
}

// Should the build fail, the Live holds an empty population: lookups find
// nothing, changes are refused with the build's error, Wait returns it,
// and nothing panics.
func TestLiveLaterFailedBuild(t *testing.T) {
	failure := errors.New("personas.yaml:3: broken on purpose")
	live := NewLiveLater(func() (*Population, error) { return nil, failure })
	if _, ok := live.ByLogin("test"); ok {
		t.Error("a persona found in a population that failed to build")
	}
	if err := live.Wait(); !errors.Is(err, failure) {
		t.Errorf("Wait: %v, want %v", err, failure)
	}
	if n := len(live.Personas()); n != 0 {
		t.Errorf("%d personas", n)
	}
	live.Search("dupont")
	live.AvisBySPI("3999999887219", 2025, 0)
	live.FoyerRole("x")
	if _, err := live.Apply(Document{File: "control API"}); !errors.Is(err, failure) {
		t.Errorf("Apply: %v, want the build's error", err)
	}
	live.Reset()
	if live.Current() == nil {
		t.Error("no population after Reset")
	}
}

// A Live made by NewLive is there at once: Start and Wait do nothing.
func TestLiveStartAndWaitOnALoadedPopulation(t *testing.T) {
	pop, err := Build(Source{Fixtures: fixtures.FS(), COGChecked: true}, LazyCOG(fixtures.FS()))
	if err != nil {
		t.Fatal(err)
	}
	live := NewLive(pop)
	live.Start()
	if err := live.Wait(); err != nil || live.Current() != pop {
		t.Errorf("Wait: %v; Current is the population given: %v", err, live.Current() == pop)
	}
}
