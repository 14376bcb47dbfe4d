package impotparticulier

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bacasable/bacasable/simulator/jsonenc"
	"github.com/bacasable/bacasable/simulator/population"
)

// The answers are written straight from the avis as JSON, property by
// property in encoding/json's order (keys sorted), each top-level property
// kept or cut by the answer's view (fields.go). Nothing is built in
// between: the maps the API used to build and filter per call were its
// largest cost. TestAnswersGolden holds the bytes to what they were.

// prop is one property of an object of an answer: its name, its key as
// written ("name":), how its whole value is written and, for an object or
// a list of avis lines, how it is written cut down to the parts kept.
type prop[T any] struct {
	name string
	key  string
	// field is the index of name in fieldNames (-1: not a data field);
	// structural and covered say whether it is one of structuralFields
	// and whether a consent scope names it or a part of it.
	field      int
	structural bool
	covered    bool
	put        func(b []byte, v T) []byte
	// part writes the value keeping only the sub-properties (or avis
	// lines, by codeLigne) keep accepts, and says how many it wrote; nil
	// for a value consent cannot cut, which is then left out whole.
	part func(b []byte, v T, keep func(sub string) bool) ([]byte, int)
}

// object is the properties of an answer object, sorted by name.
type object[T any] []prop[T]

func newObject[T any](props ...prop[T]) object[T] {
	for i := range props {
		p := &props[i]
		p.key = string(jsonenc.AppendString(nil, p.name)) + ":"
		p.field = -1
		if i, ok := fieldIndex[p.name]; ok {
			p.field = i
		}
		p.structural, p.covered = slices.Contains(structuralFields, p.name), covered.names(p.name)
	}
	slices.SortFunc(props, func(a, b prop[T]) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(props); i++ {
		if props[i].name == props[i-1].name {
			panic("impotparticulier: property " + props[i].name + " twice")
		}
	}
	return props
}

// with is o and more properties, sorted.
func (o object[T]) with(more ...prop[T]) object[T] {
	return newObject(append(slices.Clone(o), more...)...)
}

// append writes v as the object, keeping the properties keep accepts (all
// when keep is nil), and says how many it wrote.
func (o object[T]) append(b []byte, v T, keep func(string) bool) ([]byte, int) {
	b = append(b, '{')
	n := 0
	for i := range o {
		p := &o[i]
		if keep != nil && !keep(p.name) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, p.key...)
		b = p.put(b, v)
		n++
	}
	return append(b, '}'), n
}

// whole writes v as the object, every property.
func (o object[T]) whole(b []byte, v T) []byte {
	b, _ = o.append(b, v, nil)
	return b
}

// appendView writes one answer object as v allows: its structural
// properties, those of the habilitation's fields and, in FranceConnect
// mode, of those only the consented parts (see filter's rules in
// fields.go).
func appendView[T any](b []byte, o object[T], v T, w view) []byte {
	b = append(b, '{')
	n := 0
	for i := range o {
		p := &o[i]
		mark := len(b)
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, p.key...)
		switch {
		case p.structural:
			b = p.put(b, v)
		case !w.fields.has(p.field):
			b = b[:mark]
			continue
		case w.consented == nil || !p.covered || w.consented.whole[p.name]:
			b = p.put(b, v)
		default:
			if p.part == nil {
				b = b[:mark]
				continue
			}
			name := p.name
			var kept int
			b, kept = p.part(b, v, func(sub string) bool { return !covered.has(name, sub) || w.consented.has(name, sub) })
			if kept < 0 || kept == 0 && !w.consented.names(name) {
				b = b[:mark]
				continue
			}
		}
		n++
	}
	return append(b, '}')
}

// Value writers.

func putString(b []byte, s string) []byte { return jsonenc.AppendString(b, s) }

// putNullable writes "" as null, as the real API sends absent data.
func putNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return jsonenc.AppendString(b, s)
}

func putInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

func putNull[T any](b []byte, _ T) []byte { return append(b, "null"...) }

// str, nullable, integer and null make the properties of the common kinds.
func str[T any](name string, get func(T) string) prop[T] {
	return prop[T]{name: name, put: func(b []byte, v T) []byte { return putString(b, get(v)) }}
}

func nullable[T any](name string, get func(T) string) prop[T] {
	return prop[T]{name: name, put: func(b []byte, v T) []byte { return putNullable(b, get(v)) }}
}

func integer[T any](name string, get func(T) int64) prop[T] {
	return prop[T]{name: name, put: func(b []byte, v T) []byte { return putInt(b, get(v)) }}
}

func null[T any](name string) prop[T] { return prop[T]{name: name, put: putNull[T]} }

// sub makes a property whose value is an object of its own, which
// consent can cut property by property.
func sub[T, S any](name string, o object[S], get func(T) S) prop[T] {
	return prop[T]{name: name,
		put:  func(b []byte, v T) []byte { return o.whole(b, get(v)) },
		part: func(b []byte, v T, keep func(string) bool) ([]byte, int) { return o.append(b, get(v), keep) },
	}
}

var pacObject = newObject(
	integer("nbPac", func(p *population.Pac) int64 { return int64(p.NbPac) }),
	integer("nbPacF", func(p *population.Pac) int64 { return int64(p.NbPacF) }),
	integer("nbPacG", func(p *population.Pac) int64 { return int64(p.NbPacG) }),
	integer("nbPacH", func(p *population.Pac) int64 { return int64(p.NbPacH) }),
	integer("nbPacI", func(p *population.Pac) int64 { return int64(p.NbPacI) }),
	integer("nbPacR", func(p *population.Pac) int64 { return int64(p.NbPacR) }),
	integer("nbPacJ", func(p *population.Pac) int64 { return int64(p.NbPacJ) }),
	integer("nbPacN", func(p *population.Pac) int64 { return int64(p.NbPacN) }),
	integer("nbPacP", func(p *population.Pac) int64 { return int64(p.NbPacP) }),
)

var aftDetailObject = newObject(
	nullable("complementAdresse", func(a *population.Adresse) string { return a.Complement }),
	nullable("voie", func(a *population.Adresse) string { return a.Voie }),
	nullable("getcommune", func(a *population.Adresse) string { return a.Commune }),
	nullable("getcodePostal", func(a *population.Adresse) string { return a.CodePostal }),
)

// sitParDeclareeObject: the sandbox knows none of these (all null).
var sitParDeclareeObject = newObject(
	null[struct{}]("sitPartP"), null[struct{}]("sitPartF"), null[struct{}]("sitPartW"), null[struct{}]("sitComb"),
	null[struct{}]("pensVeufGuerre"), null[struct{}]("indEnfSeul5ansMin"), null[struct{}]("indNonSeul"),
)

// lignes writes a list of declaration codes and amounts.
func lignes(b []byte, ls []population.LigneRevenu) []byte {
	b = append(b, '[')
	for i, l := range ls {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = putString(b, l.Code)
		b = append(b, `,"valeur":`...)
		b = putString(b, l.Valeur)
		b = append(b, '}')
	}
	return append(b, ']')
}

func revList(name string, get func(*population.Revenus) []population.LigneRevenu) prop[*population.Revenus] {
	return prop[*population.Revenus]{name: name, put: func(b []byte, r *population.Revenus) []byte { return lignes(b, get(r)) }}
}

var revObject = newObject(
	revList("tspr", func(r *population.Revenus) []population.LigneRevenu { return r.Tspr }),
	revList("rcm", func(r *population.Revenus) []population.LigneRevenu { return r.Rcm }),
	revList("pv", func(r *population.Revenus) []population.LigneRevenu { return r.Pv }),
	revList("fonc", func(r *population.Revenus) []population.LigneRevenu { return r.Fonc }),
	revList("pro", func(r *population.Revenus) []population.LigneRevenu { return r.Pro }),
	revList("chges", func(r *population.Revenus) []population.LigneRevenu { return r.Chges }),
	revList("rici", func(r *population.Revenus) []population.LigneRevenu { return r.Rici }),
	revList("alpha", func(r *population.Revenus) []population.LigneRevenu { return r.Alpha }),
	revList("div", func(r *population.Revenus) []population.LigneRevenu { return r.Div }),
)

// dateObject is the API's {jour, mois, annee} of a YYYY-MM-DD date.
var dateObject = newObject(
	str("jour", func(d []string) string { return d[2] }),
	str("mois", func(d []string) string { return d[1] }),
	str("annee", func(d []string) string { return d[0] }),
)

// dateNaissance writes d as dateObject, or null when it is not
// YYYY-MM-DD-shaped; consent cannot cut a null.
func dateNaissance(name string, get func(*population.Avis) *population.DeclarantAvis) prop[*population.Avis] {
	parts := func(a *population.Avis) []string {
		d := get(a)
		if d == nil {
			return nil
		}
		if p := strings.Split(d.DateNaissance, "-"); len(p) == 3 {
			return p
		}
		return nil
	}
	return prop[*population.Avis]{name: name,
		put: func(b []byte, a *population.Avis) []byte {
			if p := parts(a); p != nil {
				return dateObject.whole(b, p)
			}
			return append(b, "null"...)
		},
		part: func(b []byte, a *population.Avis, keep func(string) bool) ([]byte, int) {
			if p := parts(a); p != nil {
				return dateObject.append(b, p, keep)
			}
			return b, -1
		},
	}
}

// declarant makes the six identity properties of declarant n (1 or 2),
// null when the avis has no such declarant.
func declarant(n string, get func(*population.Avis) *population.DeclarantAvis) []prop[*population.Avis] {
	field := func(name string, of func(*population.DeclarantAvis) string) prop[*population.Avis] {
		return nullable(name+n, func(a *population.Avis) string {
			if d := get(a); d != nil {
				return of(d)
			}
			return ""
		})
	}
	return []prop[*population.Avis]{
		field("nmNaiDec", func(d *population.DeclarantAvis) string { return d.NomNaissance }),
		field("nmUsaDec", func(d *population.DeclarantAvis) string { return d.NomUsage }),
		field("prnmDec", func(d *population.DeclarantAvis) string { return d.Prenoms }),
		dateNaissance("dateNaisDec"+n, get),
		field("dptNaissDec", func(d *population.DeclarantAvis) string { return d.DptNaissance }),
		field("lieuNaissDec", func(d *population.DeclarantAvis) string { return d.LieuNaissance }),
	}
}

func dec1(a *population.Avis) *population.DeclarantAvis { return a.Dec1 }
func dec2(a *population.Avis) *population.DeclarantAvis { return a.Dec2 }

// situationObject is the 34 properties of situations/ir/assiettes for
// one avis. Absent data is null, as the real API sends it.
var situationObject = newObject(append(append([]prop[*population.Avis]{
	integer("rfr", func(a *population.Avis) int64 { return a.RFR }),
	str("sitFam", func(a *population.Avis) string { return a.SitFam }),
	{name: "nbPart", put: func(b []byte, a *population.Avis) []byte { return jsonenc.AppendFloat(b, a.NbPart) }},
	sub("pac", pacObject, func(a *population.Avis) *population.Pac { return &a.Pac }),
	str("aft", func(a *population.Avis) string { return a.AftLigne }),
	sub("aftDetail", aftDetailObject, func(a *population.Avis) *population.Adresse { return &a.Aft }),
	nullable("sitParIso", func(a *population.Avis) string { return a.SitParIso }),
	integer("pensAlPer", func(a *population.Avis) int64 { return int64(a.PensAlPer) }),
	nullable("indDeficit", func(a *population.Avis) string { return a.IndDeficit }),
	integer("revenuBrutGlobal", func(a *population.Avis) int64 { return a.RevenuBrutGlobal }),
	null[*population.Avis]("sitPart"),
	sub("sitParDeclaree", sitParDeclareeObject, func(*population.Avis) struct{} { return struct{}{} }),
	null[*population.Avis]("indOptionImpotSepar"),
	integer("mntRevbareme", func(a *population.Avis) int64 { return a.MntRevbareme }),
	nullable("datRec", func(a *population.Avis) string { return a.DatRec }),
	nullable("datEtab", func(a *population.Avis) string { return a.DatEtab }),
	integer("impAvImput", func(a *population.Avis) int64 { return a.ImpAvImput }),
	integer("montTotIr", func(a *population.Avis) int64 { return a.MontTotIr }),
	integer("revImposable", func(a *population.Avis) int64 { return a.RevImposable }),
	nullable("numRole", func(a *population.Avis) string { return a.NumRole }),
	null[*population.Avis]("fipNum"),
	sub("rev", revObject, func(a *population.Avis) *population.Revenus { return &a.Rev }),
}, declarant("1", dec1)...), declarant("2", dec2)...)...)

// derniereSituationObject adds annRevenu to the situation.
var derniereSituationObject = situationObject.with(
	integer("annRevenu", func(a *population.Avis) int64 { return int64(a.AnnRev) }))

// factureLine is one line of the avis.
var factureLine = newObject(
	integer("numLigne", func(f *population.LigneFacture) int64 { return int64(f.NumLigne) }),
	str("codeLigne", func(f *population.LigneFacture) string { return f.CodeLigne }),
	str("libelleLigne", func(f *population.LigneFacture) string { return f.LibelleLigne }),
	nullable("colonne1", func(f *population.LigneFacture) string { return f.Colonne1 }),
	nullable("colonne2", func(f *population.LigneFacture) string { return f.Colonne2 }),
	nullable("colonne3", func(f *population.LigneFacture) string { return f.Colonne3 }),
	nullable("colonne4", func(f *population.LigneFacture) string { return f.Colonne4 }),
)

// factures writes the avis lines whose codeLigne keep accepts (all when
// keep is nil).
func factures(b []byte, a *population.Avis, keep func(string) bool) ([]byte, int) {
	b = append(b, '[')
	n := 0
	for i := range a.Factures {
		f := &a.Factures[i]
		if keep != nil && !keep(f.CodeLigne) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = factureLine.whole(b, f)
		n++
	}
	return append(b, ']'), n
}

// facturesSituationObject adds the avis lines.
var facturesSituationObject = situationObject.with(prop[*population.Avis]{name: "facture",
	put:  func(b []byte, a *population.Avis) []byte { b, _ = factures(b, a, nil); return b },
	part: factures,
})

// multipleSituationObject is one period of a year with several avis.
var multipleSituationObject = situationObject.with(
	nullable("spiDec1", func(a *population.Avis) string { return deceased(a.Dec1, false) }),
	nullable("spiDec2", func(a *population.Avis) string { return deceased(a.Dec2, false) }),
	nullable("dateDecesdec1", func(a *population.Avis) string { return deceased(a.Dec1, true) }),
	nullable("dateDecesdec2", func(a *population.Avis) string { return deceased(a.Dec2, true) }),
	str("dateDebutPeriode", func(a *population.Avis) string { return a.DateDebutPeriode }),
	str("dateFinPeriode", func(a *population.Avis) string { return a.DateFinPeriode }),
	integer("typeAvis", func(a *population.Avis) int64 { return int64(a.TypeAvis) }),
)

// deceased is a declarant's SPI, or its date of death, or "" without one.
func deceased(d *population.DeclarantAvis, date bool) string {
	switch {
	case d == nil:
		return ""
	case date:
		return d.DateDeces
	}
	return d.SPI
}

// ifiObject and lepObject are the one-property answers of the IFI and
// LEP resources.
var (
	ifiObject = newObject(str("indicateurIfiIsf", func(struct{}) string { return "O" }))
	lepObject = newObject(str("statut", func(s string) string { return s }))
)

// finite tells whether the avis's numbers can be written as JSON (a NaN
// part count from a broken computation cannot).
func finite(avis []*population.Avis) bool {
	for _, a := range avis {
		if math.IsNaN(a.NbPart) || math.IsInf(a.NbPart, 0) {
			return false
		}
	}
	return true
}
