package population

import (
	"fmt"
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
