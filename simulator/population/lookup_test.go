package population

import (
	"fmt"
	"slices"
	"testing"
)

// A lookup reads its changes over its base, deletes with the zero value,
// never changes the lookups it was made from, and folds its changes into
// a new base once they grow.
func TestLookup(t *testing.T) {
	base := map[string]string{}
	for i := range 100 {
		base[fmt.Sprint(i)] = "v"
	}
	first := lookup[string]{base: base}
	e := first.edit()
	e.set("a", "new")
	e.del("1")
	if v, ok := e.get("a"); !ok || v != "new" {
		t.Errorf("edit: a = %q %v", v, ok)
	}
	if _, ok := e.get("1"); ok {
		t.Error("edit: 1 still there")
	}
	second := e.done()
	if second.over == nil || len(second.base) != 100 {
		t.Fatalf("a small change copied the base: over %d, base %d", len(second.over), len(second.base))
	}
	if v, ok := second.get("a"); !ok || v != "new" {
		t.Errorf("second: a = %q %v", v, ok)
	}
	if _, ok := second.get("1"); ok {
		t.Error("second: 1 still there")
	}
	if v, ok := second.get("2"); !ok || v != "v" {
		t.Errorf("second: 2 = %q %v", v, ok)
	}
	if _, ok := first.get("a"); ok {
		t.Error("the first lookup sees the change")
	}
	if _, ok := first.get("1"); !ok {
		t.Error("the first lookup lost 1")
	}
	if same := second.edit().done(); len(same.over) != len(second.over) {
		t.Error("an empty edit changed the lookup")
	}

	// Enough changes to make a new base.
	e = second.edit()
	for i := range 200 {
		e.set(fmt.Sprint("k", i), "w")
	}
	third := e.done()
	if third.over != nil || len(third.base) != 100-1+1+200 {
		t.Fatalf("after 200 changes: over %d, base %d", len(third.over), len(third.base))
	}
	if _, ok := third.get("1"); ok {
		t.Error("third: the deletion was lost in the new base")
	}
	if v, _ := third.get("a"); v != "new" {
		t.Errorf("third: a = %q", v)
	}
	if len(base) != 100 || len(second.over) != 2 {
		t.Error("making a new base changed an older lookup")
	}
}

// TestIndexDuplicates: index reports every repeated id, login and SPI, in
// the personas' order and, for one persona, id, login, then SPI; empty
// keys are not duplicates; the maps hold the last persona of a key.
func TestIndexDuplicates(t *testing.T) {
	ps := []*Persona{
		{ID: "a", Login: "la", SPI: "1"},
		{ID: "b", Login: "lb"},
		{ID: "a", Login: "lb", SPI: "1"}, // all three again
		{ID: "c", Login: "lc"},           // no SPI, as b
		{ID: "", Login: ""},
		{ID: "", Login: "", SPI: "2"},
		{ID: "d", Login: "la"},
	}
	pop := &Population{}
	got := pop.index(ps)
	want := []string{
		`id "a" is used twice (la)`,
		`login "lb" is used twice`,
		`SPI 1 is held by both "a" and "a"`,
		`login "la" is used twice`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("index duplicates:\n got %q\nwant %q", got, want)
	}
	if p, _ := pop.byID.get("a"); p != ps[2] {
		t.Errorf("byID[a] is not the last persona with that id")
	}
	if p, _ := pop.bySPI.get("2"); p != ps[5] {
		t.Errorf("bySPI[2] = %v", p)
	}
	if _, ok := pop.bySPI.get(""); ok {
		t.Errorf("an empty SPI is indexed")
	}
}
