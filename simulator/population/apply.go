package population

import (
	"slices"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// maxIncremental is the largest document applyIncremental takes; a larger
// one is applied by building the whole population again.
const maxIncremental = 64

// applyIncremental makes the population of prev with doc applied, as Build
// would make it from src (prev's source plus doc), without checking the
// whole population again: the items of doc are checked, and the foyers that
// name a persona doc replaces; the lookups are copied and patched, and
// whatever doc does not touch is shared with prev. That keeps a control API
// change fast on a large population.
//
// It gives false when the change is not one it makes alone: an item of doc
// breaks a rule or collides with another item, doc is large, or prev was
// not built with the foyers' claims. Build then checks everything and
// reports every problem as it does at start, so an error never depends on
// the path taken.
func applyIncremental(prev *Population, src Source, doc Document) (*Population, bool) {
	personaItems, foyerItems := doc.personaItems(), doc.foyerItems()
	if prev.claims == nil || len(personaItems)+len(foyerItems) > maxIncremental {
		return nil, false
	}
	for _, items := range [][]item{personaItems, foyerItems} {
		seen := map[string]bool{}
		for _, it := range items {
			if it.id == "" || seen[it.id] {
				return nil, false
			}
			seen[it.id] = true
		}
	}
	next := &Population{cog: prev.cog, source: src, personasFile: prev.personasFile}

	// The personas: checked, then replacing their namesake in place or
	// added at the end.
	var errs fixture.Errors
	personas := checkPersonas(personaItems, prev.cog, &errs)
	if errs != nil || len(personas) != len(personaItems) {
		return nil, false
	}
	for i, p := range personas {
		if p.ID != personaItems[i].id { // Build merges by the id as written
			return nil, false
		}
	}
	next.personas = prev.personas
	if len(personas) > 0 {
		next.personas = slices.Clone(prev.personas)
	}
	byID, byLogin, bySPI := prev.byID.edit(), prev.byLogin.edit(), prev.bySPI.edit()
	replaced := map[*Persona]bool{}
	spis := map[string]bool{} // SPIs whose foyers to index again
	for _, p := range personas {
		if old, ok := byID.get(p.ID); ok {
			next.personas[slices.Index(next.personas, old)] = p
			replaced[old] = true
			byLogin.del(old.Login)
			if old.SPI != "" {
				bySPI.del(old.SPI)
				spis[old.SPI] = true
			}
		} else {
			next.personas = append(next.personas, p)
		}
		byID.set(p.ID, p)
		if _, taken := byLogin.get(p.Login); taken {
			return nil, false
		}
		byLogin.set(p.Login, p)
		if p.SPI != "" {
			if _, taken := bySPI.get(p.SPI); taken {
				return nil, false
			}
			bySPI.set(p.SPI, p)
			spis[p.SPI] = true
		}
	}
	next.byID, next.byLogin, next.bySPI = byID.done(), byLogin.done(), bySPI.done()

	// The foyers to build again: those of doc, and those naming a replaced
	// persona (same spec, so the same claims).
	l := &foyerLoader{pop: next, file: doc.File}
	var specs []*foyerSpec
	for _, it := range foyerItems {
		spec := it.foyer
		if spec == nil {
			if spec = l.parseFoyer(it.node); spec == nil || spec.ID != it.id {
				return nil, false
			}
		}
		specs = append(specs, spec)
	}
	fromDoc := len(specs)
	if len(replaced) > 0 {
		for _, f := range prev.foyers {
			if names(f, replaced) && !slices.ContainsFunc(specs[:fromDoc], func(s *foyerSpec) bool { return s.ID == f.ID }) {
				specs = append(specs, f.spec)
			}
		}
	}
	rebuilt := make(map[string]*Foyer, len(specs))
	for _, spec := range specs {
		rebuilt[spec.ID] = l.foyer(spec)
	}
	if l.errs != nil {
		return nil, false
	}

	// The claims of the foyers of doc, against every other foyer's.
	next.claims = prev.claims
	if fromDoc > 0 {
		e := newClaimsEdit(prev.claims)
		for _, spec := range specs[:fromDoc] {
			if old, ok := prev.foyerByID.get(spec.ID); ok {
				e.release(old)
			}
		}
		for _, spec := range specs[:fromDoc] {
			if !e.take(rebuilt[spec.ID], spec) {
				return nil, false
			}
		}
		next.claims = e.done()
	}

	// The foyers in item order, and their lookups.
	next.foyers = prev.foyers
	if len(rebuilt) > 0 {
		next.foyers = slices.Clone(prev.foyers)
	}
	ids := map[string]bool{} // persona ids whose role to find again
	for i, f := range next.foyers {
		if r, ok := rebuilt[f.ID]; ok {
			next.foyers[i] = r
			involve(f, ids, spis)
		}
	}
	for _, spec := range specs[:fromDoc] {
		if _, ok := prev.foyerByID.get(spec.ID); !ok {
			next.foyers = append(next.foyers, rebuilt[spec.ID])
		}
	}
	foyerByID := prev.foyerByID.edit()
	for id, f := range rebuilt {
		foyerByID.set(id, f)
		involve(f, ids, spis)
	}
	next.foyerByID = foyerByID.done()
	next.reindex(prev, ids, spis)
	return next, true
}

// names tells whether f names one of the personas as declarant or
// dependant.
func names(f *Foyer, personas map[*Persona]bool) bool {
	if personas[f.Declarant1] || f.Declarant2 != nil && personas[f.Declarant2] {
		return true
	}
	for _, d := range f.Dependants {
		if d.Persona != nil && personas[d.Persona] {
			return true
		}
	}
	return false
}

// involve adds the persona ids and SPIs of f to those to index again.
func involve(f *Foyer, ids, spis map[string]bool) {
	for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
		if p != nil {
			ids[p.ID], spis[p.SPI] = true, true
		}
	}
	for _, d := range f.Dependants {
		if d.Persona != nil {
			ids[d.Persona.ID] = true
		}
	}
}

// reindex finds again, over every foyer, the roles of the persona ids and
// the foyers of the SPIs, over prev's lookups.
func (pop *Population) reindex(prev *Population, ids, spis map[string]bool) {
	var roles map[string]string
	var found map[string]*declarantFoyers
	if len(ids)+len(spis) > 0 {
		roles, found = foyerIndex(pop.foyers, ids, spis)
	}
	re := prev.roles.edit()
	for id := range ids {
		if r := roles[id]; r != "" {
			re.set(id, r)
		} else {
			re.del(id)
		}
	}
	pop.roles = re.done()
	se := prev.spiFoyers.edit()
	for spi := range spis {
		if df := found[spi]; df != nil {
			se.set(spi, df)
		} else {
			se.del(spi)
		}
	}
	pop.spiFoyers = se.done()
}

// claimsEdit is the claims of a population being changed.
type claimsEdit struct {
	declarants, dependants [4]*lookupEdit[*Foyer]
}

func newClaimsEdit(c *claims) *claimsEdit {
	e := &claimsEdit{}
	for off := 1; off <= 3; off++ {
		e.declarants[off], e.dependants[off] = c.declarants[off].edit(), c.dependants[off].edit()
	}
	return e
}

func (e *claimsEdit) done() *claims {
	c := &claims{}
	for off := 1; off <= 3; off++ {
		c.declarants[off], c.dependants[off] = e.declarants[off].done(), e.dependants[off].done()
	}
	return c
}

// release removes the claims of f.
func (e *claimsEdit) release(f *Foyer) {
	for off := 1; off <= 3; off++ {
		for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
			if p == nil {
				continue
			}
			if g, ok := e.declarants[off].get(p.ID); ok && g.ID == f.ID {
				e.declarants[off].del(p.ID)
			}
		}
		for _, d := range f.Dependants {
			if d.Persona == nil {
				continue
			}
			if g, ok := e.dependants[off].get(d.Persona.ID); ok && g.ID == f.ID {
				e.dependants[off].del(d.Persona.ID)
			}
		}
	}
}

// take records the claims of f, built from spec, as foyerLoader.together
// does; false when a person is already claimed by another foyer that year
// (Build reports it).
func (e *claimsEdit) take(f *Foyer, spec *foyerSpec) bool {
	for off := 1; off <= 3; off++ {
		if ys := spec.Annees[off]; ys == nil || ys.broken() {
			continue
		}
		for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
			if p == nil {
				continue
			}
			_, asDeclarant := e.declarants[off].get(p.ID)
			_, asDependant := e.dependants[off].get(p.ID)
			if asDeclarant || asDependant {
				return false
			}
			e.declarants[off].set(p.ID, f)
		}
		for _, d := range f.Dependants {
			if d.Persona == nil {
				continue
			}
			id := d.Persona.ID
			if other, ok := e.dependants[off].get(id); ok && other.ID != f.ID {
				return false
			}
			if other, ok := e.declarants[off].get(id); ok && other.ID != f.ID {
				return false
			}
			e.dependants[off].set(id, f)
		}
	}
	return true
}
