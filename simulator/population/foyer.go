package population

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// FoyersFile is the fixture file holding the foyers fiscaux. It is optional:
// without it the population has no foyer (every persona is unknown to the
// DGFiP).
const FoyersFile = "foyers.yaml"

// Values of Avis.TypeAvis. The DGFiP does not document them; these are the
// sandbox's choice.
const (
	// TypeAvisInitial is the avis of the whole year, or of the period
	// before a death.
	TypeAvisInitial = 1
	// TypeAvisApresDeces is the survivor's avis for the period after the
	// death of the spouse or partner.
	TypeAvisApresDeces = 2
	// TypeAvisRectificatif is a corrective avis: it replaces the initial
	// avis of the same period.
	TypeAvisRectificatif = 3
)

// Foyer is a foyer fiscal: one or two declarants, dependants, and per
// revenue year its avis.
type Foyer struct {
	ID         string
	Declarant1 *Persona // has an SPI
	Declarant2 *Persona // nil for a single declarant; has an SPI
	Dependants []Dependant
	// Residence is where the household actually lives; it may differ from
	// the fiscal address of the avis (the parking refusal case).
	Residence Adresse
	// Line is the foyer's line in foyers.yaml, for messages.
	Line int

	// years holds the yearly data by offset: 1 = N-1, 2 = N-2, 3 = N-3;
	// nil when the foyer did not exist that year.
	years [4]*foyerYear
	// What the avis are computed from, besides each year's spec and the
	// dependants: the fiscal address (as written) unless a year gives its
	// own, nil when it is the residence, and the Insee reference naming
	// birthplaces.
	aft  *Adresse
	cog  *COG
	spec *foyerSpec // what it was built from, to build it again
}

// pac counts the dependants (their categories were checked one by one).
func (f *Foyer) pac() Pac {
	var categories [8]string
	list := categories[:0]
	for _, d := range f.Dependants {
		list = append(list, d.Categorie)
	}
	pac, _ := PacOf(list)
	return pac
}

// Dependant is a person attached to a foyer: a persona, or a person known
// only by the fixture.
type Dependant struct {
	Persona *Persona // nil when not a persona
	Prenoms string
	Nom     string
	// DateNaissance is as the fixture writes it: YYYY-MM-DD, or relative to
	// the clock's year N as N-k-MM-DD (see BirthDate).
	DateNaissance string
	// Categorie is F, G, H, I, R, J, N or P, as the cases of the pac object.
	Categorie string

	born birthDate
}

// BirthDate returns the date of birth as YYYY-MM-DD when the latest revenue
// year is ref (so the clock's year N is ref+1).
func (d Dependant) BirthDate(ref int) string {
	return d.born.in(ref + 1).Format(time.DateOnly)
}

// Adresse is a postal address as the avis writes it.
type Adresse struct {
	Complement string `yaml:"complement" json:"complement,omitempty"`
	Voie       string `yaml:"voie" json:"voie"`
	CodePostal string `yaml:"code_postal" json:"code_postal"`
	Commune    string `yaml:"commune" json:"commune"`
}

// Ligne is the one-line aft: complement first when present, upper case,
// without diacritics nor punctuation, e.g. "BAT 3 APT 93 10 RUE DU CENTRE
// 93160 NOISY LE GRAND".
func (a Adresse) Ligne() string {
	var parts []string
	for _, s := range []string{avisAddress(a.Complement), avisAddress(a.Voie), strings.TrimSpace(a.CodePostal), avisAddress(a.Commune)} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// normalised is a in the avis's spelling (see Ligne), field by field.
func (a Adresse) normalised() Adresse {
	return Adresse{
		Complement: avisAddress(a.Complement),
		Voie:       avisAddress(a.Voie),
		CodePostal: strings.TrimSpace(a.CodePostal),
		Commune:    avisAddress(a.Commune),
	}
}

// Avis is one avis d'impôt sur le revenu: everything the resources return
// for one period of one revenue year.
type Avis struct {
	AnnRev int
	// DateDebutPeriode and DateFinPeriode are YYYY-MM-DD: the whole year
	// unless a death splits it.
	DateDebutPeriode, DateFinPeriode string
	// TypeAvis is TypeAvisInitial, TypeAvisApresDeces or
	// TypeAvisRectificatif.
	TypeAvis int
	// Rectificatif marks a corrective avis: it replaces the initial one of
	// the same period.
	Rectificatif bool
	SitFam       string // M O C D V
	NbPart       float64
	Pac          Pac
	Dec1, Dec2   *DeclarantAvis // Dec2 nil when single
	// Aft is the fiscal address on 1 January of the year after AnnRev, in
	// the avis's spelling, and AftLigne the same on one line (Aft.Ligne).
	Aft        Adresse
	AftLigne   string
	SitParIso  string // "T" for a single parent, else ""
	PensAlPer  int
	IndDeficit string // "0" or "1"

	RevenuBrutGlobal, RevImposable, RFR, ImpAvImput, MontTotIr, MntRevbareme int64
	// DatEtab is the taxation date (22 July of AnnRev+1; 18 November for a
	// corrective avis), DatRec the date the avis is put into collection
	// (31 July; 30 November), both YYYY-MM-DD.
	DatRec, DatEtab string
	NumRole         string
	Rev             Revenus
	// IFI tells whether the foyer is subject to the IFI for that year.
	IFI      bool
	Factures []LigneFacture
}

// DeclarantAvis is a declarant as the avis names them: upper case, without
// diacritics, hyphens and apostrophes kept.
type DeclarantAvis struct {
	SPI          string
	NomNaissance string
	NomUsage     string // the birth name when there is no usage name
	Prenoms      string
	// DateNaissance is YYYY-MM-DD, the persona's raw date (00 for a
	// presumed day or month, as the civil registry keeps it).
	DateNaissance string
	// DptNaissance is the département code ("75", "2B", "974") and
	// LieuNaissance the commune's name, e.g. "PARIS 7E ARRONDISSEMENT";
	// for a birth abroad DptNaissance is "99" and LieuNaissance the
	// country's name, e.g. "ALGERIE" (the sandbox's choice).
	DptNaissance, LieuNaissance string
	// DateDeces is YYYY-MM-DD when the declarant died during the revenue
	// year, else "".
	DateDeces string
}

// Revenus are the declared amounts by category, as the rev object.
type Revenus struct {
	Tspr, Rcm, Pv, Fonc, Pro, Chges, Rici, Alpha, Div []LigneRevenu
}

// LigneRevenu is one declaration code and its amount.
type LigneRevenu struct {
	Code, Valeur string
}

// LigneFacture is one line of the avis (the factures resource). The codes
// and labels are the sandbox's: the DGFiP does not publish them.
type LigneFacture struct {
	NumLigne                                                        int
	CodeLigne, LibelleLigne, Colonne1, Colonne2, Colonne3, Colonne4 string
}

// foyerYear is what a foyer filed for one relative year. A large
// population has hundreds of thousands: what is computed on first use
// takes room only then.
type foyerYear struct {
	// spec is what the avis are computed from, on first use (see avis).
	spec *yearSpec
	// made is the avis, once computed.
	made *yearAvis
	// dated is the periods dated for the last calendar year asked: an API
	// call asks the same year again and again.
	dated atomic.Pointer[datedAvis]
	once  sync.Once
	none  bool // aucune_declaration
	// death tells that declarant 2 died during the year, on the day
	// spec.DecesDeclarant2 (MM-DD); after that the death splits the year,
	// fixed that a corrective avis replaces the initial one.
	death, after, fixed bool
}

// yearAvis is the avis of a foyer year.
type yearAvis struct {
	// periods are the avis in period order, with every date left empty:
	// Foyer.Avis fills them for the calendar year asked.
	periods []*Avis
	// initial is the avis a corrective one replaced (kept for reference).
	initial *Avis
}

// deathMD is the MM-DD of declarant 2's death, or "".
func (y *foyerYear) deathMD() string {
	if !y.death {
		return ""
	}
	return y.spec.DecesDeclarant2
}

// datedAvis is a foyer year's avis dated for calendar year annrev.
type datedAvis struct {
	annrev int
	list   []*Avis
}

// Avis returns the avis of revenue year annrev when the latest revenue year
// is ref (N-1 = ref), in period order, a corrective avis in place of the
// initial one; nil when the foyer filed nothing that year. The slice, the
// avis and their lists (Rev's, Factures) are shared, never modified, and
// must not be modified.
func (f *Foyer) Avis(annrev, ref int) []*Avis {
	off := ref - annrev + 1
	if off < 1 || off > 3 || f.years[off] == nil || f.years[off].none {
		return nil
	}
	y := f.years[off]
	if d := y.dated.Load(); d != nil && d.annrev == annrev {
		return d.list
	}
	periods, _ := y.avis(f)
	out := make([]*Avis, len(periods))
	for i, t := range periods {
		out[i] = t.dated(annrev, y.deathMD(), i)
	}
	y.dated.Store(&datedAvis{annrev: annrev, list: out})
	return out
}

// dated copies the template t for the calendar year annrev; period is its
// index (0 before a death, 1 after).
func (t *Avis) dated(annrev int, deathMD string, period int) *Avis {
	a := *t
	a.AnnRev = annrev
	start := time.Date(annrev, time.January, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(annrev, time.December, 31, 0, 0, 0, 0, time.UTC)
	if deathMD != "" {
		md, _ := time.Parse("01-02", deathMD)
		death := time.Date(annrev, md.Month(), md.Day(), 0, 0, 0, 0, time.UTC)
		if period == 0 {
			end = death
		} else {
			start = death.AddDate(0, 0, 1)
		}
	}
	a.DateDebutPeriode = start.Format(time.DateOnly)
	a.DateFinPeriode = end.Format(time.DateOnly)
	if a.Rectificatif {
		a.DatEtab = fmt.Sprintf("%d-11-18", annrev+1)
		a.DatRec = fmt.Sprintf("%d-11-30", annrev+1)
	} else {
		a.DatEtab = fmt.Sprintf("%d-07-22", annrev+1)
		a.DatRec = fmt.Sprintf("%d-07-31", annrev+1)
	}
	if t.Dec1 != nil {
		d := *t.Dec1
		a.Dec1 = &d
	}
	if t.Dec2 != nil {
		d := *t.Dec2
		if deathMD != "" && period == 0 {
			d.DateDeces = a.DateFinPeriode
		}
		a.Dec2 = &d
	}
	return &a
}

// ── Lookups ────────────────────────────────────────────────────────────

// declarantFoyers is the foyers of one SPI, by relative year.
type declarantFoyers struct {
	byOffset [4]*Foyer
	latest   *Foyer // of the most recent year
}

// Foyers returns every foyer, in file order.
func (pop *Population) Foyers() []*Foyer { return pop.foyers }

// FoyerByID returns the foyer with that id.
func (pop *Population) FoyerByID(id string) (*Foyer, bool) {
	f, ok := pop.foyerByID.get(id)
	return f, ok
}

// AvisBySPI returns the avis of the revenue year annrev for the foyer where
// spi is declarant 1 or 2 that year, in period order (two periods when a
// declarant died during the year), the corrective avis replacing the
// original; ref is the latest revenue year in calendar terms (clock year -
// 1) and maps the fixture's relative years (N-1 = ref, N-2 = ref-1, N-3 =
// ref-2). ok is false when spi is no declarant of any foyer; avis is empty
// when that foyer filed nothing for annrev. When spi is no declarant that
// year (a year outside N-3…N-1, or before a marriage recorded in other
// foyers), f is the foyer of its most recent year.
func (pop *Population) AvisBySPI(spi string, annrev, ref int) (f *Foyer, avis []*Avis, ok bool) {
	df, ok := pop.spiFoyers.get(spi)
	if !ok {
		return nil, nil, false
	}
	off := ref - annrev + 1
	if off >= 1 && off <= 3 && df.byOffset[off] != nil {
		f = df.byOffset[off]
		return f, f.Avis(annrev, ref), true
	}
	return df.latest, nil, true
}

// Roles of a persona towards the foyers, as FoyerRole returns them.
const (
	RoleDeclarant = "declarant"
	RoleDependant = "dependant"
)

// FoyerRole tells how a persona relates to foyers: "declarant" (of at least
// one foyer, some year), "dependant" (attached to a foyer, never a
// declarant) or "" (unknown to the DGFiP).
func (pop *Population) FoyerRole(personaID string) string {
	r, _ := pop.roles.get(personaID)
	return r
}

// ── Loading ────────────────────────────────────────────────────────────

// earliestClockYear is the earliest clock year the fixtures are checked
// for when a check needs one (a relative date of birth against a
// declarant's absolute one): the contract's examples are the revenues 2024,
// taxed in 2025.
const earliestClockYear = 2025

// minParentAge is the youngest a declarant may be at the birth of a
// dependant child.
const minParentAge = 15

// foyerLoader checks foyers and records the problems.
type foyerLoader struct {
	pop  *Population
	file string // the file of the item being checked, for messages
	line int    // the line of the item in file; 0 when unknown
	// cogChecked: the item's addresses were checked against the COG by
	// the tests (Source.COGChecked).
	cogChecked bool
	// The foyers and years made come from blocks (see slab).
	foyerSlab slab[Foyer]
	yearSlab  slab[foyerYear]
	errs      fixture.Errors
	// byID holds the foyers checked so far by id (see together).
	byID map[string]*Foyer
	// declarants and dependants record, per relative year, who is a
	// declarant or dependant of which foyer, to report the same person in
	// two foyers (see together).
	declarants [4]map[string]*Foyer
	dependants [4]map[string]*Foyer
}

// add records a problem at node, or at the item's line when node has none
// (an item read from a JSON file).
func (l *foyerLoader) add(node *yaml.Node, format string, args ...any) {
	line := l.line
	if node != nil && node.Line > 0 {
		line = node.Line
	}
	l.errs.AddLine(l.file, line, format, args...)
}

// loadFoyers checks the foyer items against the personas, the COG and the
// tax computation, and indexes the foyers. Each foyer is checked on its own
// (in parallel for a large population), then the foyers are checked
// against one another in item order: identifiers, and one foyer per person
// and year. The avis themselves are computed on first use (see
// foyerYear.avis), except where a fixture states a value the computation
// must give.
func (pop *Population) loadFoyers(items []item) (specs []*foyerSpec, err error) {
	specs = make([]*foyerSpec, len(items))
	foyers := make([]*Foyer, len(items))
	rangeErrs := inRanges(len(items), func(lo, hi int, errs *fixture.Errors) {
		l := &foyerLoader{pop: pop}
		for i, it := range items[lo:hi] {
			l.file, l.line, l.cogChecked = it.file, it.line, it.cogChecked
			spec := it.foyer
			if spec == nil {
				if spec = l.parseFoyer(it.node); spec == nil {
					continue
				}
			}
			specs[lo+i], foyers[lo+i] = spec, l.foyer(spec)
		}
		*errs = l.errs
	})
	l := &foyerLoader{pop: pop, byID: make(map[string]*Foyer, len(items))}
	for _, e := range rangeErrs {
		l.errs = append(l.errs, e...)
	}
	pop.foyers = make([]*Foyer, 0, len(items))
	for _, f := range foyers {
		if f != nil {
			pop.foyers = append(pop.foyers, f)
		}
	}
	// The lookups by SPI and the roles are made while the foyers are
	// checked against one another: they do not depend on it.
	var roles map[string]string
	var spiFoyers map[string]*declarantFoyers
	var indexed sync.WaitGroup
	indexed.Go(func() { roles, spiFoyers = foyerIndex(pop.foyers, nil, nil) })
	for off := 1; off <= 3; off++ {
		l.declarants[off] = make(map[string]*Foyer, len(items)*5/4)
		l.dependants[off] = make(map[string]*Foyer, len(items)/16)
	}
	for i, f := range foyers {
		if f != nil {
			l.file, l.line = items[i].file, items[i].line
			l.together(f, specs[i])
		}
	}
	indexed.Wait()
	if err := l.errs.Err(); err != nil {
		return nil, err
	}
	c := &claims{}
	for off := 1; off <= 3; off++ {
		c.declarants[off], c.dependants[off] = lookup[*Foyer]{base: l.declarants[off]}, lookup[*Foyer]{base: l.dependants[off]}
	}
	pop.claims = c
	// Without an error, together has indexed every foyer by its id.
	pop.foyerByID = lookup[*Foyer]{base: l.byID}
	pop.spiFoyers = lookup[*declarantFoyers]{base: spiFoyers}
	pop.roles = lookup[string]{base: roles}
	return specs, nil
}

// claims record, per relative year (index 1 to 3), the foyer of each
// person id: as a declarant, as a dependant. A population keeps them for
// the next change (see applyIncremental), and never changes them; a foyer
// built again for a replaced persona keeps the claims of its first build,
// so they are compared by foyer id.
type claims struct {
	declarants, dependants [4]lookup[*Foyer]
}

// together checks f against the foyers before it: its id, and the years
// its declarants and dependants are claimed by another foyer.
func (l *foyerLoader) together(f *Foyer, spec *foyerSpec) {
	if other, ok := l.byID[f.ID]; ok && isID(f.ID) {
		l.add(fixture.ValueNode(spec.node, "id"), "foyer id %q is used twice (first at line %d)", f.ID, other.Line)
	} else {
		l.byID[f.ID] = f
	}
	for off := 1; off <= 3; off++ {
		if ys := spec.Annees[off]; ys != nil && !ys.broken() {
			l.claim(f, off, ys.key(), yearLabel{id: f.ID, off: off})
		}
	}
}

// foyerIndex finds, over foyers, the role of each persona id (declarant of
// a foyer, else dependant of one) and the foyers of each declarant's SPI;
// ids and spis, when not nil, limit it to those.
func foyerIndex(foyers []*Foyer, ids, spis map[string]bool) (roles map[string]string, bySPI map[string]*declarantFoyers) {
	hint := func(only map[string]bool) int {
		if only == nil {
			return len(foyers)
		}
		return len(only)
	}
	roles, bySPI = make(map[string]string, hint(ids)), make(map[string]*declarantFoyers, hint(spis))
	var dfs slab[declarantFoyers]
	for _, f := range foyers {
		for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
			if p == nil {
				continue
			}
			if ids == nil || ids[p.ID] {
				roles[p.ID] = RoleDeclarant
			}
			if spis == nil || spis[p.SPI] {
				df := bySPI[p.SPI]
				if df == nil {
					df = dfs.new()
					bySPI[p.SPI] = df
				}
				df.add(f)
			}
		}
	}
	for _, f := range foyers {
		for _, d := range f.Dependants {
			if d.Persona != nil && (ids == nil || ids[d.Persona.ID]) && roles[d.Persona.ID] == "" {
				roles[d.Persona.ID] = RoleDependant
			}
		}
	}
	for _, df := range bySPI {
		df.settle()
	}
	return roles, bySPI
}

// add records the years of f, a foyer of the declarant, over those of the
// foyers before it.
func (df *declarantFoyers) add(f *Foyer) {
	for off := 1; off <= 3; off++ {
		if f.years[off] != nil {
			df.byOffset[off] = f
		}
	}
}

// settle sets latest once every foyer is added.
func (df *declarantFoyers) settle() {
	for off := 1; off <= 3; off++ {
		if df.byOffset[off] != nil {
			df.latest = df.byOffset[off]
			return
		}
	}
}

// foyer checks and builds one foyer.
func (l *foyerLoader) foyer(spec *foyerSpec) *Foyer {
	node := spec.node
	f := l.foyerSlab.new()
	f.ID, f.spec, f.Line = spec.ID, spec, spec.line
	if !isID(spec.ID) {
		l.add(fixture.ValueNode(node, "id"), "foyer id %q must be lower-case letters, digits and hyphens", spec.ID)
	}
	f.Declarant1 = l.declarant(node, "declarant1", spec.Declarant1, true)
	if spec.Declarant2 != "" {
		f.Declarant2 = l.declarant(node, "declarant2", spec.Declarant2, false)
		if spec.Declarant2 == spec.Declarant1 {
			l.add(fixture.ValueNode(node, "declarant2"), "foyer %q: declarant2 is declarant1 again", f.ID)
		}
	}
	if spec.Residence != nil && l.adresse(spec.Residence) {
		f.Residence = spec.Residence.Adresse
	}
	if spec.AdresseFiscale != nil && l.adresse(spec.AdresseFiscale) {
		f.aft = &spec.AdresseFiscale.Adresse
	}
	l.dependantsOf(f, spec.Dependants)
	f.cog = l.pop.cog
	pac := f.pac()
	for off := 1; off <= 3; off++ {
		if ys := spec.Annees[off]; ys != nil {
			f.years[off] = l.year(f, pac, spec.Declarant2 != "", off, ys)
		}
	}
	l.checkDependantAges(f)
	return f
}

// declarant resolves a declarant's persona id.
func (l *foyerLoader) declarant(node *yaml.Node, key, id string, required bool) *Persona {
	v := fixture.ValueNode(node, key)
	if id == "" {
		if required {
			l.add(v, "missing key %q (a persona id)", key)
		}
		return nil
	}
	p, ok := l.pop.ByID(id)
	if !ok {
		l.add(v, "%s %q is not a persona id of %s", key, id, l.pop.personasFile)
		return nil
	}
	if p.SPI == "" {
		l.add(v, "%s %q has no SPI in %s: a declarant needs a numéro fiscal", key, id, l.pop.personasFile)
		return nil
	}
	return p
}

// adresse checks an address against the COG.
func (l *foyerLoader) adresse(spec *adresseSpec) bool {
	a, node := spec.Adresse, spec.node
	ok := true
	if strings.TrimSpace(a.Voie) == "" {
		l.add(fixture.ValueNode(node, "voie"), "address without \"voie\" (number and street)")
		ok = false
	}
	switch {
	case !cogDigits(a.CodePostal, 5):
		l.add(fixture.ValueNode(node, "code_postal"), "code_postal %q must be 5 digits (quote it)", a.CodePostal)
		ok = false
	case l.cogChecked:
		// Checked against the COG by the tests.
	case l.pop.cog.servesCommune(a.CodePostal, a.Commune):
		// Spelled as the COG spells it (every generated address).
	case len(l.pop.cog.postalEntries(a.CodePostal)) == 0:
		l.add(fixture.ValueNode(node, "code_postal"), "code_postal %s serves no commune of the COG reference", a.CodePostal)
		ok = false
	default:
		want := communeKey(a.Commune)
		var names []string
		found := false
		for _, c := range l.pop.cog.CommunesByPostalCode(a.CodePostal) {
			names = append(names, c.Name)
			found = found || communeKey(c.Name) == want
		}
		if !found {
			l.add(fixture.ValueNode(node, "commune"), "commune %q is not served by code_postal %s in the COG reference (it serves %s)", a.Commune, a.CodePostal, strings.Join(names, ", "))
			ok = false
		}
	}
	return ok
}

// dependantsOf checks the dependants and attaches them to f.
func (l *foyerLoader) dependantsOf(f *Foyer, specs []dependantSpec) {
	for _, spec := range specs {
		item := spec.node
		d := Dependant{Categorie: spec.Categorie}
		ok := true
		if _, err := PacOf([]string{spec.Categorie}); err != nil {
			l.add(fixture.ValueNode(item, "categorie"), "foyer %q: dependant %s", f.ID, err)
			ok = false
		}
		switch {
		case spec.Persona != "":
			if spec.Prenoms != "" || spec.Nom != "" || spec.DateNaissance != "" {
				l.add(item, "foyer %q: a dependant is either a persona or prenoms/nom/date_naissance, not both", f.ID)
				ok = false
			}
			p, found := l.pop.ByID(spec.Persona)
			if !found {
				l.add(fixture.ValueNode(item, "persona"), "foyer %q: dependant %q is not a persona id of %s", f.ID, spec.Persona, l.pop.personasFile)
				continue
			}
			if p == f.Declarant1 || p == f.Declarant2 {
				l.add(fixture.ValueNode(item, "persona"), "foyer %q: %q is a declarant of this foyer, not a dependant", f.ID, spec.Persona)
				ok = false
			}
			d.Persona, d.Prenoms, d.Nom, d.DateNaissance = p, p.GivenName, p.FamilyName, p.Birthdate
			b, err := parseBirthDate(normaliseBirthdate(p.Birthdate))
			if err != nil {
				continue // reported with the persona
			}
			d.born = b
		default:
			if strings.TrimSpace(spec.Prenoms) == "" || strings.TrimSpace(spec.Nom) == "" {
				l.add(item, "foyer %q: a dependant needs \"persona\", or \"prenoms\", \"nom\" and \"date_naissance\"", f.ID)
				ok = false
			}
			d.Prenoms, d.Nom, d.DateNaissance = spec.Prenoms, spec.Nom, spec.DateNaissance
			b, err := parseBirthDate(spec.DateNaissance)
			if err != nil {
				l.add(fixture.ValueNode(item, "date_naissance"), "foyer %q: %s", f.ID, err)
				ok = false
			}
			d.born = b
		}
		if ok {
			if item != nil {
				d.born.line = item.Line
			}
			f.Dependants = append(f.Dependants, d)
		}
	}
}

// checkDependantAges checks what can be checked whatever the clock: a
// relative date of birth against the categorie in each year (under 18 on 1
// January for F, H and P; adult by 31 December for J and N, and under 25 on
// 1 January for J) and against the years (born by the end of the year);
// every child born when each declarant was at least 15 (absolute dates as
// they are, relative ones for a clock in earliestClockYear). Absolute dates
// of persona children are not checked against the categorie: their age in
// N-k moves with the clock.
func (l *foyerLoader) checkDependantAges(f *Foyer) {
	for _, d := range f.Dependants {
		name := strings.TrimSpace(d.Prenoms + " " + d.Nom)
		node := &yaml.Node{Line: d.born.line}
		if d.born.relative {
			for off := 1; off <= 3; off++ {
				if f.years[off] == nil {
					continue
				}
				year := earliestClockYear - off
				jan1 := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
				dec31 := time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC)
				born := d.born.in(earliestClockYear)
				if born.After(dec31) {
					l.add(node, "foyer %q: %s, born in N-%d, cannot be a dependant for N-%d", f.ID, name, d.born.years, off)
					continue
				}
				ageJan, ageDec := ageAt(born, jan1), ageAt(born, dec31)
				switch d.Categorie {
				case CategorieF, CategorieH, CategorieP:
					if ageJan >= 18 {
						l.add(node, "foyer %q: %s is %d on 1 January N-%d: categorie %s is for a child under 18 (G or I if disabled, J if attached adult)", f.ID, name, ageJan, off, d.Categorie)
					}
				case CategorieJ, CategorieN:
					if ageDec < 18 {
						l.add(node, "foyer %q: %s is a minor in N-%d: categorie %s is for an adult", f.ID, name, off, d.Categorie)
					} else if d.Categorie == CategorieJ && ageJan >= 25 {
						l.add(node, "foyer %q: %s is %d on 1 January N-%d: an adult child can be attached (J) only under 25", f.ID, name, ageJan, off)
					}
				}
			}
		}
		if d.Categorie == CategorieR {
			continue
		}
		born := d.born.in(earliestClockYear)
		for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
			if p == nil {
				continue
			}
			pb, err := time.Parse(time.DateOnly, p.NormalisedBirthdate())
			if err != nil {
				continue
			}
			if age := ageAt(pb, born); age < minParentAge {
				l.add(node, "foyer %q: %s is born when declarant %q was %d: not coherent with a child (at least %d)", f.ID, name, p.ID, age, minParentAge)
			}
		}
	}
}

// yearLabel names a year of a foyer in messages, e.g. `foyer "dubois",
// N-1, rectificatif`; the text is made only when a message is.
type yearLabel struct {
	id   string
	off  int
	part string
}

func (y yearLabel) String() string {
	s := fmt.Sprintf("foyer %q, N-%d", y.id, y.off)
	if y.part != "" {
		s += ", " + y.part
	}
	return s
}

// year checks one relative year of f and plans its avis; hasDec2 tells
// whether the fixture names a declarant2 (even one that did not resolve).
func (l *foyerLoader) year(f *Foyer, pac Pac, hasDec2 bool, off int, ys *yearSpec) *foyerYear {
	y := l.yearSlab.new()
	if ys.broken() {
		return y
	}
	node := ys.node()
	label := yearLabel{id: f.ID, off: off}
	if ys.AucuneDeclaration {
		if !ys.alone {
			l.add(node, "%s: aucune_declaration excludes every other key", label)
		}
		y.none = true
		return y
	}
	// Situation de famille against the declarants.
	couple := ys.SitFam == "M" || ys.SitFam == "O"
	switch {
	case !strings.Contains("MOCDV", ys.SitFam) || len(ys.SitFam) != 1:
		l.add(fixture.ValueNode(node, "sitFam"), "%s: sitFam %q must be M (marié), O (pacsé), C (célibataire), D (divorcé) or V (veuf)", label, ys.SitFam)
		return y
	case couple && !hasDec2:
		l.add(fixture.ValueNode(node, "sitFam"), "%s: sitFam %s needs two declarants; this foyer has only declarant1", label, ys.SitFam)
	case !couple && hasDec2:
		l.add(fixture.ValueNode(node, "sitFam"), "%s: sitFam %s is for a single declarant; this foyer has two (use M or O; a death is deces_declarant2)", label, ys.SitFam)
	}
	children := pac.NbPacF + pac.NbPacH + pac.NbPacJ
	if ys.ParentIsole && (ys.SitFam != "C" && ys.SitFam != "D" || children == 0) {
		l.add(fixture.ValueNode(node, "parent_isole"), "%s: parent_isole (case T) is for a single or divorced declarant with a child (F, G, H, I or J); sitFam is %s, %s", label, ys.SitFam, pac)
	}
	if ys.InvaliditeDeclarant2 && !hasDec2 {
		l.add(fixture.ValueNode(node, "invalidite_declarant2"), "%s: invalidite_declarant2 without declarant2", label)
	}
	if ys.AdresseFiscale != nil {
		l.adresse(ys.AdresseFiscale)
	}
	y.spec = ys
	// The declaration, for the values a fixture states: most items state
	// none, and its map of revenus is made only when one does.
	decl := func() Declaration { return ys.declaration(pac) }
	l.checkCodes(label, &ys.periodSpec, hasDec2, len(f.Dependants))
	l.compare(label, &ys.periodSpec, decl)

	// A death splits the year: the couple until the death, then the survivor.
	if ys.DecesDeclarant2 != "" {
		v := fixture.ValueNode(node, "deces_declarant2")
		_, err := time.Parse("01-02", ys.DecesDeclarant2)
		switch {
		case !hasDec2 || !couple:
			l.add(v, "%s: deces_declarant2 needs a couple (two declarants, sitFam M or O)", label)
		case err != nil || len(ys.DecesDeclarant2) != 5:
			l.add(v, "%s: deces_declarant2 %q must be the day in the year, MM-DD (e.g. \"04-17\")", label, ys.DecesDeclarant2)
		case ys.DecesDeclarant2 == "02-29" || ys.DecesDeclarant2 == "12-31":
			l.add(v, "%s: deces_declarant2 %q: choose a day that exists every year and leaves a period after it", label, ys.DecesDeclarant2)
		case ys.ApresDeces == nil:
			l.add(v, "%s: deces_declarant2 needs \"apres_deces\": the survivor's revenus after the death", label)
		default:
			y.death = true
			if after := ys.ApresDeces; !after.broken() {
				afterLabel := label
				afterLabel.part = "apres_deces"
				l.checkCodes(afterLabel, after, false, len(f.Dependants))
				l.compare(afterLabel, after, func() Declaration { return ys.survivor(decl()) })
				y.after = true
			}
		}
	} else if ys.ApresDeces != nil {
		l.add(ys.ApresDeces.node(), "%s: apres_deces without deces_declarant2", label)
	}

	// A corrective avis replaces the initial one.
	if corr := ys.Rectificatif; corr != nil {
		corrLabel := label
		corrLabel.part = "rectificatif"
		switch {
		case ys.DecesDeclarant2 != "":
			l.add(corr.node(), "%s: a corrective avis in a year with a death is not modelled", label)
		case corr.broken():
		case corr.montants == nil:
			l.add(corr.node(), "%s: the corrective avis needs its \"revenus\"", corrLabel)
		default:
			l.checkCodes(corrLabel, corr, hasDec2, len(f.Dependants))
			l.compare(corrLabel, corr, func() Declaration {
				d := decl()
				d.Revenus = corr.revenus()
				return d
			})
			y.fixed = true
		}
	}
	return y
}

// claim records f's declarants and dependants for the year, reporting a
// person already in another foyer that year.
func (l *foyerLoader) claim(f *Foyer, off int, key *yaml.Node, label yearLabel) {
	for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
		if p == nil {
			continue
		}
		if other := l.declarants[off][p.ID]; other != nil {
			l.add(key, "%s: %s (SPI %s) is already a declarant of foyer %q for N-%d (line %d): one foyer per declarant and year", label, p.ID, p.SPI, other.ID, off, other.Line)
		} else if other := l.dependants[off][p.ID]; other != nil {
			l.add(key, "%s: %s is a dependant of foyer %q for N-%d: not also a declarant", label, p.ID, other.ID, off)
		}
		l.declarants[off][p.ID] = f
	}
	for _, d := range f.Dependants {
		if d.Persona == nil {
			continue
		}
		id := d.Persona.ID
		if other := l.dependants[off][id]; other != nil && other != f {
			l.add(key, "%s: %s is already a dependant of foyer %q for N-%d", label, id, other.ID, off)
		} else if other := l.declarants[off][id]; other != nil && other != f {
			l.add(key, "%s: %s is a declarant of foyer %q for N-%d: not also a dependant", label, id, other.ID, off)
		}
		l.dependants[off][id] = f
	}
}

// checkCodes reports unknown codes, negative amounts and amounts of people
// the foyer does not have.
func (l *foyerLoader) checkCodes(label yearLabel, p *periodSpec, hasDec2 bool, dependants int) {
	for i, m := range p.montants {
		rc, ok := RevenueCodeOf(m.code)
		switch {
		case !ok:
			l.add(p.codeNode(i, false), "%s: unknown revenue code %q (known codes: %s)", label, m.code, revenueCodeList())
		case m.amount < 0:
			l.add(p.codeNode(i, true), "%s: %s must not be negative (a deficit has its own code, e.g. 4BC)", label, m.code)
		case rc.Column == 2 && !hasDec2:
			l.add(p.codeNode(i, false), "%s: %s is an amount of declarant 2, and there is none", label, m.code)
		case rc.Column == 3 && (dependants == 0 || m.code[1] == 'D' && dependants < 2):
			l.add(p.codeNode(i, false), "%s: %s is an amount of a dependant, and the foyer has %d", label, m.code, dependants)
		}
	}
}

// compare checks the values the fixture states against the computation
// of the declaration decl makes.
func (l *foyerLoader) compare(label yearLabel, spec *periodSpec, declaration func() Declaration) {
	st := spec.stated()
	if st == nil {
		return
	}
	decl := declaration()
	c, err := Calcule(decl)
	if err != nil {
		return // the codes were reported with their line
	}
	if st.NbPart != nil && *st.NbPart != c.NbPart {
		l.add(fixture.ValueNode(spec.node(), "nbPart"), "%s: nbPart is %s in the fixture, but the quotient familial gives %s (sitFam %s, %s%s)",
			label, formatParts(*st.NbPart), formatParts(c.NbPart), decl.SitFam, decl.Pac, partsNotes(decl))
	}
	for _, v := range []struct {
		key  string
		want *int64
		got  int64
	}{
		{"rfr", st.RFR, c.RFR},
		{"revenuBrutGlobal", st.RevenuBrutGlobal, c.RevenuBrutGlobal},
		{"revImposable", st.RevImposable, c.RevImposable},
		{"mntRevbareme", st.MntRevbareme, c.MntRevbareme},
		{"impAvImput", st.ImpAvImput, c.ImpAvImput},
		{"montTotIr", st.MontTotIr, c.MontTotIr},
	} {
		if v.want != nil && *v.want != v.got {
			l.add(fixture.ValueNode(spec.node(), v.key), "%s: %s is %d in the fixture, but the computation gives %d (revenu imposable %d, %s parts, impôt au barème %d, décote %d)",
				label, v.key, *v.want, v.got, c.RevImposable, formatParts(c.NbPart), c.MntRevbareme, c.Decote)
		}
	}
}

// ── The avis, computed on first use ───────────────────────────────────

// declaration is the input of the tax computation for the year's
// initial avis.
func (ys *yearSpec) declaration(pac Pac) Declaration {
	return Declaration{
		SitFam: ys.SitFam, ParentIsole: ys.ParentIsole,
		Invalide1: ys.InvaliditeDeclarant1, Invalide2: ys.InvaliditeDeclarant2,
		Pac: pac, Revenus: ys.revenus(),
	}
}

// survivor is the declaration of the period after declarant 2's death.
func (ys *yearSpec) survivor(decl Declaration) Declaration {
	decl.SitFam, decl.Survivant, decl.Invalide2, decl.Revenus = "V", true, false, ys.ApresDeces.revenus()
	return decl
}

// avis computes the year's avis templates the first time they are asked
// for: a large population is loaded without computing the avis of
// households nobody logs in as.
func (y *foyerYear) avis(f *Foyer) (periods []*Avis, initial *Avis) {
	y.once.Do(func() {
		if y.spec != nil && !y.none {
			periods, initial := y.make(f)
			y.made = &yearAvis{periods: periods, initial: initial}
		}
	})
	if y.made == nil {
		return nil, nil
	}
	return y.made.periods, y.made.initial
}

// make computes the avis of the year, in period order, and the initial
// avis a corrective one replaced.
func (y *foyerYear) make(f *Foyer) (periods []*Avis, initial *Avis) {
	ys := y.spec
	aft := f.Residence
	if f.aft != nil {
		aft = *f.aft
	}
	if ys.AdresseFiscale != nil {
		aft = ys.AdresseFiscale.Adresse
	}
	aft = aft.normalised()
	aftLigne := aft.Ligne()
	dec1, dec2 := declarantAvis(f.cog, f.Declarant1), declarantAvis(f.cog, f.Declarant2)
	tmpl := func(d Declaration) *Avis {
		a := &Avis{
			TypeAvis: TypeAvisInitial, SitFam: d.SitFam, Pac: d.Pac, Aft: aft, AftLigne: aftLigne,
			IFI: ys.IFI, NumRole: "001", IndDeficit: "0", Dec1: dec1, Dec2: dec2,
		}
		if d.ParentIsole {
			a.SitParIso = "T"
		}
		a.fill(d)
		return a
	}
	decl := ys.declaration(f.pac())
	first := tmpl(decl)
	if y.fixed {
		d := decl
		d.Revenus = ys.Rectificatif.revenus()
		fixed := tmpl(d)
		fixed.TypeAvis, fixed.Rectificatif, fixed.NumRole = TypeAvisRectificatif, true, "002"
		return []*Avis{fixed}, first
	}
	periods = []*Avis{first}
	if y.after {
		second := tmpl(ys.survivor(decl))
		second.TypeAvis = TypeAvisApresDeces
		second.Dec2 = nil
		periods = append(periods, second)
	}
	return periods, nil
}

// fill sets the amounts of a from the computation of decl.
func (a *Avis) fill(decl Declaration) {
	c, err := Calcule(decl)
	if err != nil {
		return // the codes were checked at load
	}
	a.NbPart = c.NbPart
	a.PensAlPer = int(c.PensAlPer)
	if c.Deficit {
		a.IndDeficit = "1"
	}
	a.RevenuBrutGlobal, a.RevImposable, a.RFR = c.RevenuBrutGlobal, c.RevImposable, c.RFR
	a.MntRevbareme, a.ImpAvImput, a.MontTotIr = c.MntRevbareme, c.ImpAvImput, c.MontTotIr
	a.Rev = revenusOf(decl.Revenus)
	a.Factures = factures(c)
}

// partsNotes lists the other inputs of the quotient familial, for messages.
func partsNotes(d Declaration) string {
	var notes []string
	if d.ParentIsole {
		notes = append(notes, "case T")
	}
	if d.Invalide1 {
		notes = append(notes, "declarant 1 disabled")
	}
	if d.Invalide2 {
		notes = append(notes, "declarant 2 disabled")
	}
	if d.Survivant {
		notes = append(notes, "survivor in the year of the death")
	}
	if notes == nil {
		return ""
	}
	return ", " + strings.Join(notes, ", ")
}

func formatParts(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// revenusOf lists the declared amounts by rev category, codes in order.
func revenusOf(revenus map[string]int64) Revenus {
	codes := make([]string, 0, len(revenus))
	for code := range revenus {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	r := Revenus{Tspr: []LigneRevenu{}, Rcm: []LigneRevenu{}, Pv: []LigneRevenu{}, Fonc: []LigneRevenu{}, Pro: []LigneRevenu{},
		Chges: []LigneRevenu{}, Rici: []LigneRevenu{}, Alpha: []LigneRevenu{}, Div: []LigneRevenu{}}
	for _, code := range codes {
		rc, _ := RevenueCodeOf(code)
		line := LigneRevenu{Code: code, Valeur: strconv.FormatInt(revenus[code], 10)}
		switch rc.Category {
		case "tspr":
			r.Tspr = append(r.Tspr, line)
		case "rcm":
			r.Rcm = append(r.Rcm, line)
		case "fonc":
			r.Fonc = append(r.Fonc, line)
		case "pro":
			r.Pro = append(r.Pro, line)
		case "chges":
			r.Chges = append(r.Chges, line)
		}
	}
	return r
}

// factures builds the lines of the avis from the computation: one line per
// kind of income present, the charges, and the décote when granted. Codes
// and labels are the sandbox's (0020, 0240 and 1830 as in the contract's
// example).
func factures(c Calcul) []LigneFacture {
	var out []LigneFacture
	amount := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	add := func(code, libelle string, cols ...int64) {
		l := LigneFacture{NumLigne: len(out) + 1, CodeLigne: code, LibelleLigne: libelle}
		dst := []*string{&l.Colonne1, &l.Colonne2, &l.Colonne3, &l.Colonne4}
		for i, v := range cols {
			*dst[i] = amount(v)
		}
		out = append(out, l)
	}
	sum := func(a [3]int64) int64 { return a[0] + a[1] + a[2] }
	if sum(c.Salaires) != 0 {
		add("0020", "Salaires", c.Salaires[0], c.Salaires[1], c.Salaires[2])
	}
	if sum(c.Pensions) != 0 {
		add("0030", "Pensions, retraites, rentes", c.Pensions[0], c.Pensions[1], c.Pensions[2])
	}
	if sum(c.Salaires)+sum(c.Pensions) != 0 {
		add("0240", "Salaires, pensions, rentes nets", c.NetsTSPR[0], c.NetsTSPR[1], c.NetsTSPR[2])
	}
	if c.RCM != 0 {
		add("0310", "Revenus de capitaux mobiliers nets", c.RCM)
	}
	if c.Fonciers != 0 {
		add("0410", "Revenus fonciers nets", c.Fonciers)
	}
	if c.Pro[0]+c.Pro[1] != 0 {
		add("0510", "Bénéfices non salariaux nets (micro)", c.Pro[0], c.Pro[1])
	}
	if c.Charges != 0 {
		add("0610", "Charges déductibles", c.Charges)
	}
	if c.AbattementsRattachement != 0 {
		add("0650", "Abattement pour personnes rattachées", c.AbattementsRattachement)
	}
	if c.Decote != 0 {
		add("1830", "Décote", c.Decote)
	}
	return out
}

// declarantAvis is how the avis names p; nil for nil.
func declarantAvis(cog *COG, p *Persona) *DeclarantAvis {
	if p == nil {
		return nil
	}
	usage := p.PreferredUsername
	if usage == "" {
		usage = p.FamilyName
	}
	d := &DeclarantAvis{
		SPI:           p.SPI,
		NomNaissance:  avisText(p.FamilyName),
		NomUsage:      avisText(usage),
		Prenoms:       avisText(p.GivenName),
		DateNaissance: p.Birthdate,
	}
	if p.BornInFrance() {
		if c, ok := cog.Commune(p.Birthplace); ok {
			d.DptNaissance, d.LieuNaissance = c.Departement, avisText(c.Name)
		}
	} else if c, ok := cog.Country(p.Birthcountry); ok {
		d.DptNaissance, d.LieuNaissance = "99", avisText(c.Name)
	}
	return d
}

// ── Dates and spelling ────────────────────────────────────────────────

// birthDate is a date of birth, absolute or relative to the clock's year N.
type birthDate struct {
	relative   bool
	years      int // relative: born in year N - years
	year       int // absolute
	month, day int
	line       int // the dependant's line, for messages
}

// relativeDate splits N-k-MM-DD (k of 1 to 3 digits) into k and MM-DD.
func relativeDate(s string) (k, monthDay string, ok bool) {
	rest, found := strings.CutPrefix(s, "N-")
	k, monthDay, _ = strings.Cut(rest, "-")
	ok = found && len(k) >= 1 && len(k) <= 3 && cogDigits(k, len(k)) && len(monthDay) == 5 && monthDay[2] == '-' &&
		cogDigits(monthDay[:2], 2) && cogDigits(monthDay[3:], 2)
	return k, monthDay, ok
}

// parseBirthDate reads YYYY-MM-DD or N-k-MM-DD.
func parseBirthDate(s string) (birthDate, error) {
	if ks, monthDay, ok := relativeDate(s); ok {
		k, _ := strconv.Atoi(ks)
		if _, err := time.Parse("01-02", monthDay); err != nil || k < 1 {
			return birthDate{}, fmt.Errorf("date_naissance %q: N-k-MM-DD needs k ≥ 1 and a real day", s)
		}
		month, _ := strconv.Atoi(monthDay[:2])
		day, _ := strconv.Atoi(monthDay[3:])
		return birthDate{relative: true, years: k, month: month, day: day}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return birthDate{}, fmt.Errorf("date_naissance %q must be YYYY-MM-DD or, relative to the clock's year N, N-k-MM-DD (e.g. \"N-9-03-14\")", s)
	}
	return birthDate{year: t.Year(), month: int(t.Month()), day: t.Day()}, nil
}

// in returns the date when the clock's year is n.
func (b birthDate) in(n int) time.Time {
	year := b.year
	if b.relative {
		year = n - b.years
	}
	return time.Date(year, time.Month(b.month), b.day, 0, 0, 0, 0, time.UTC)
}

// ageAt is the age in whole years at t of someone born on born.
func ageAt(born, t time.Time) int {
	age := t.Year() - born.Year()
	if t.Month() < born.Month() || t.Month() == born.Month() && t.Day() < born.Day() {
		age--
	}
	return age
}

// avisText is s as the DGFiP writes names: upper case, without diacritics
// (æ and œ spelled out), typographic apostrophes made plain, single spaces.
// Hyphens and apostrophes are kept (guide §7: "quand un tiret est déclaré,
// il est transmis").
func avisText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case '’':
			b.WriteByte('\'')
		default:
			b.WriteRune(foldRune(r))
		}
	}
	return strings.ToUpper(strings.Join(strings.Fields(b.String()), " "))
}

// avisAddress is s as an address of the avis: avisText with hyphens,
// apostrophes, commas and dots turned into spaces ("Noisy-le-Grand" →
// "NOISY LE GRAND"), as postal addresses are written.
func avisAddress(s string) string {
	return avisText(strings.Map(func(r rune) rune {
		if strings.ContainsRune("-'’,.", r) {
			return ' '
		}
		return r
	}, s))
}

// communeKey is the spelling communes are compared in: avisAddress, with
// the abbreviations ST and STE spelled out.
func communeKey(s string) string {
	words := strings.Fields(avisAddress(s))
	for i, w := range words {
		switch w {
		case "ST":
			words[i] = "SAINT"
		case "STE":
			words[i] = "SAINTE"
		}
	}
	return strings.Join(words, " ")
}
