package population

import "maps"

// lookup is a map shared between snapshots of a population: a base that no
// one changes once it is made, and the changes of later snapshots over it,
// so that a control API change does not copy maps of 100 000 entries. The
// zero value of V in over marks a key deleted. A lookup is read-only;
// edit makes the next one.
type lookup[V comparable] struct {
	base map[string]V
	over map[string]V
}

// get returns the value of k.
func (l lookup[V]) get(k string) (V, bool) {
	if v, ok := l.over[k]; ok {
		var zero V
		return v, v != zero
	}
	v, ok := l.base[k]
	return v, ok
}

// edit starts the changes that make the next lookup.
func (l lookup[V]) edit() *lookupEdit[V] {
	return &lookupEdit[V]{from: l, changes: map[string]V{}}
}

// lookupEdit is a lookup being changed: it reads its own changes.
type lookupEdit[V comparable] struct {
	from    lookup[V]
	changes map[string]V
}

func (e *lookupEdit[V]) get(k string) (V, bool) {
	if v, ok := e.changes[k]; ok {
		var zero V
		return v, v != zero
	}
	return e.from.get(k)
}

func (e *lookupEdit[V]) set(k string, v V) { e.changes[k] = v }

func (e *lookupEdit[V]) del(k string) {
	var zero V
	e.changes[k] = zero
}

// done makes the next lookup: the changes over the same base, or a new
// base when the changes have grown to an eighth of it.
func (e *lookupEdit[V]) done() lookup[V] {
	if len(e.changes) == 0 {
		return e.from
	}
	over := make(map[string]V, len(e.from.over)+len(e.changes))
	maps.Copy(over, e.from.over)
	maps.Copy(over, e.changes)
	if len(over) <= len(e.from.base)/8+64 {
		return lookup[V]{base: e.from.base, over: over}
	}
	base := maps.Clone(e.from.base)
	if base == nil {
		base = map[string]V{}
	}
	var zero V
	for k, v := range over {
		if v == zero {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	return lookup[V]{base: base}
}
