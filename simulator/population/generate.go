package population

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"go.yaml.in/yaml/v3"
)

// Generator makes N fictitious personas and the foyers fiscaux they form,
// from Seed alone: the same N, Seed and COG give the same items, byte for
// byte, whatever the number of processors (see genChunk), and a smaller N
// gives the first households of a larger one (all but the last, which may
// be cut short).
//
// The items are the values a persona and a foyer of personas.yaml and
// foyers.yaml decode to (Persona, foyerSpec), so that Build checks them
// like the fixtures' without the cost of YAML, and a generated population
// can be exported and edited (see Export, which writes them as YAML). What
// is drawn, and how:
//
//   - Households: single people (célibataire, divorcé, veuf), single
//     parents (case T), married and PACSed couples (both declarants with
//     an SPI), unmarried couples filing two foyers, a few couples married
//     during N-1 (separate foyers before), a few deaths of declarant 2
//     during N-1, corrective avis, years without a declaration, moves.
//   - Children: 0 to 4 by the parents' ages, born when the younger parent
//     was 20 to 42, attached as F (or H in alternate residence, G/I with the
//     disability card) under 18 and as J when 21 to 25; dates of birth are
//     relative to the clock (N-k-MM-DD), so the ages in the avis never go
//     stale. A few children are personas themselves (no SPI).
//   - People: French first names by cohort of birth and frequent surnames
//     (names.go); about 8 % born abroad, in a country drawn by Insee's
//     frequencies, with names of that country mostly; birthplaces in France
//     drawn among the communes of the COG weighted by population (Paris,
//     Lyon and Marseille by arrondissement).
//   - Addresses: a street type and name, a number, sometimes a complement,
//     in a commune of the COG drawn by population, with one of its real
//     postal codes.
//   - Incomes for N-1 log-normal around the French medians by age and sex
//     (salaries 1AJ/1BJ, pensions 1AS/1BS after 62, micro-entrepreneurs
//     5HQ/5KP), capital income 2TR/2DC, rents 4BA/4BE/4BC, pensions
//     alimentaires 1AO/6GP, student jobs 1CJ; N-2 and N-3 drift back a few
//     percent a year, with retirements and first jobs in between; the IFI
//     for a few high incomes.
//
// nbPart, rfr and the tax are never drawn: the loader computes them.
// Identifiers cannot collide with the fixtures': persona ids gen-NNNNNN,
// logins gen.prenom.nom.NNNNNN, foyer ids gen-foyer-NNNNNN, SPIs 398NNNNNNNKKK
// (KKK the check key, see personas.yaml). Only seeded sources are used
// (math/rand/v2 PCG and a gofakeit.Faker), never the clock.
type Generator struct {
	N    int
	Seed int64
}

// MaxGenerated is the largest N a Generator accepts (the SPIs it numbers
// have 7 digits).
const MaxGenerated = 5_000_000

// genYear is the calendar year the generator draws ages for; it must not
// be before earliestClockYear, the year the loader checks the ages of
// children against their parents'.
const genYear = 2025

// minDeclarantAge is the youngest declarant's age in genYear: of age during
// N-1, the first year a foyer files.
const minDeclarantAge = 19

// Name is how messages and exported files name the generated population.
func (g Generator) Name() string {
	return fmt.Sprintf("generated population (--population %d --seed %d)", g.N, g.Seed)
}

// Documents generates the population: one document holding the personas
// and the foyers, or none when N is 0. It fits Source.Generate.
func (g Generator) Documents(cog *COG) ([]Document, error) {
	switch {
	case g.N < 0:
		return nil, fmt.Errorf("population: %d personas asked: the number must not be negative", g.N)
	case g.N == 0:
		return nil, nil
	case g.N > MaxGenerated:
		return nil, fmt.Errorf("population: %d personas asked: at most %d", g.N, MaxGenerated)
	}
	t, err := newGenTables(cog)
	if err != nil {
		return nil, err
	}
	chunks := make([]*generator, (g.N+genChunk-1)/genChunk)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			for c := range next {
				chunks[c] = g.chunk(t, c)
			}
		})
	}
	for c := range chunks {
		next <- c
	}
	close(next)
	wg.Wait()
	doc := Document{File: g.Name(), madePersonas: make([]*Persona, 0, g.N), madeFoyers: make([]*foyerSpec, 0, g.N*4/5)}
	for _, gen := range chunks {
		doc.madePersonas = append(doc.madePersonas, gen.personas...)
		doc.madeFoyers = append(doc.madeFoyers, gen.foyers...)
	}
	return []Document{doc}, nil
}

// genChunk is how many personas one chunk of a population holds. Chunks
// are generated in parallel, each from its own stream of the seed and
// numbered in its own range (chunk c has the personas, SPIs and foyers
// numbered c×genChunk+1 onwards), so that the population does not depend
// on the number of processors. Changing it changes every population.
const genChunk = 5000

// chunk generates chunk c.
func (g Generator) chunk(t *genTables, c int) *generator {
	base := c * genChunk
	r := rand.New(rand.NewPCG(uint64(g.Seed), 0x626163617361626c+uint64(c))) // "bacasabl"
	// gofakeit takes 0 for "seed from crypto/rand": derive a non-zero seed.
	fakerSeed := int64(r.Uint64()>>1) | 1
	n := min(genChunk, g.N-base)
	gen := &generator{
		r: r, f: gofakeit.NewUnlocked(fakerSeed), t: t, left: n,
		nPersona: base, nSPI: base, nFoyer: base,
		personas: make([]*Persona, 0, n), foyers: make([]*foyerSpec, 0, n*4/5),
	}
	for gen.left > 0 {
		gen.household()
	}
	return gen
}

// ── Tables drawn from ──────────────────────────────────────────────────

// genTables are the weighted tables of one COG.
type genTables struct {
	birthplaces weightedCommunes // communes and arrondissements, by population
	homes       weightedCommunes // communes with a postal code, by population
	countries   []int            // indexes in birthCountries present in the COG
	countryCum  []int
	surnameCum  []int // cumulative weights of frenchSurnames

	streetTypes   []any // of streetTypes, for Faker.Weighted
	streetWeights []float32
}

// weightedCommunes draws communes in proportion to their population.
type weightedCommunes struct {
	communes []*Commune // the COG's own
	cum      []int64
}

func (w *weightedCommunes) add(c *Commune) {
	var total int64
	if n := len(w.cum); n > 0 {
		total = w.cum[n-1]
	}
	w.communes = append(w.communes, c)
	w.cum = append(w.cum, total+int64(c.Population))
}

func (w *weightedCommunes) pick(r *rand.Rand) *Commune {
	x := r.Int64N(w.cum[len(w.cum)-1])
	return w.communes[sort.Search(len(w.cum), func(i int) bool { return w.cum[i] > x })]
}

// communesWithArrondissements are Paris, Marseille and Lyon: people are born
// in one of their arrondissements (the COG's birthplace), not in the city.
var communesWithArrondissements = map[string]bool{"75056": true, "13055": true, "69123": true}

func newGenTables(cog *COG) (*genTables, error) {
	// The tables point into the COG's communes, which nothing modifies once
	// read. The hors-COG codes (Communes merges them in) have no population:
	// none would be drawn.
	var communes []Commune
	if cog != nil {
		cog.ready()
		communes = cog.communes
	}
	n := len(communes)
	t := &genTables{
		birthplaces: weightedCommunes{communes: make([]*Commune, 0, n), cum: make([]int64, 0, n)},
		homes:       weightedCommunes{communes: make([]*Commune, 0, n), cum: make([]int64, 0, n)},
	}
	for i := range communes {
		c := &communes[i]
		if c.Population <= 0 {
			continue
		}
		if c.Type == ArrondissementMunicipal || c.Type == CommuneActuelle && !communesWithArrondissements[c.Code] {
			t.birthplaces.add(c)
		}
		if c.Type == CommuneActuelle && len(c.PostalCodes) > 0 {
			t.homes.add(c)
		}
	}
	if len(t.birthplaces.cum) == 0 || len(t.homes.cum) == 0 {
		return nil, errors.New("population: the COG reference has no inhabited commune with a postal code to generate people in")
	}
	total := 0
	for i, bc := range birthCountries {
		if _, ok := cog.Country(bc.code); ok {
			total += bc.weight
			t.countries = append(t.countries, i)
			t.countryCum = append(t.countryCum, total)
		}
	}
	total = 0
	for rank := range frenchSurnames {
		// Frequencies fall with the rank, slowly (MARTIN is drawn about
		// six times as often as the 200th name).
		total += 6000 / (rank + 40)
		t.surnameCum = append(t.surnameCum, total)
	}
	for _, st := range streetTypes {
		t.streetTypes = append(t.streetTypes, st.name)
		t.streetWeights = append(t.streetWeights, float32(st.weight))
	}
	return t, nil
}

// ── The generator ──────────────────────────────────────────────────────

// generator is the state of one generation.
type generator struct {
	r    *rand.Rand
	f    *gofakeit.Faker
	t    *genTables
	left int // personas still to make

	nPersona, nSPI, nFoyer int
	personas               []*Persona
	foyers                 []*foyerSpec

	// The values a chunk hands to the loader come from blocks (see slab),
	// and the situations, which few words make, are shared.
	personaSlab slab[Persona]
	foyerSlab   slab[foyerSpec]
	adresseSlab slab[adresseSpec]
	yearSlab    slab[yearSpec]
	montantSlab slab[montant]
	situations  map[situationKey]string
	// spare are the foyers emitted, made again by newFoyer: a foyer is
	// dropped once emitted (its spec is a copy), and with its years it
	// weighs a kilobyte.
	spare []*foyer
}

// slab hands out values from blocks: a chunk makes tens of thousands of
// each, kept as long as the population, and one allocation per value
// (then one mark per value at every collection) was a good part of the
// cost of a large population.
type slab[T any] struct{ block []T }

// new returns a zero value from the current block.
func (s *slab[T]) new() *T { return &s.take(1)[0] }

// take returns n zero values, a slice that cannot grow into the next.
func (s *slab[T]) take(n int) []T {
	if s.block == nil || cap(s.block)-len(s.block) < n {
		s.block = make([]T, 0, max(n, 512))
	}
	l := len(s.block)
	s.block = s.block[:l+n]
	return s.block[l : l+n : l+n]
}

// Household kinds, with their weights (per hundred households).
type householdKind int

const (
	hhSingle householdKind = iota
	hhSingleSenior
	hhDivorced
	hhWidowed
	hhSingleParent
	hhWidowedParent
	hhMarried
	hhPacsed
	hhCohabiting
	hhMarriedInN1
)

var (
	householdKinds   = []any{hhSingle, hhSingleSenior, hhDivorced, hhWidowed, hhSingleParent, hhWidowedParent, hhMarried, hhPacsed, hhCohabiting, hhMarriedInN1}
	householdWeights = []float32{26, 3, 7, 8, 7, 0.5, 30, 9, 8, 1.5}
)

// person is a generated persona before it becomes a YAML item.
type person struct {
	num                       int // 1-based, in creation order
	id, login, spi            string
	given, family, usage      string
	birthdate                 string // YYYY-MM-DD, or with 00 when presumed
	gender                    string
	birthplace, country       string
	email                     string
	age                       int // reached during genYear
	origin                    origin
	situation                 string
	salary, pension, bnc, bic series
	invalide, deceased        bool
}

func (p *person) female() bool { return p.gender == "female" }

// series is an amount per relative year: index 1 is N-1, 2 N-2, 3 N-3.
type series [4]int64

// child is a dependant: a persona, or a person known by the foyer only.
type child struct {
	persona   *person
	prenoms   string
	nom       string
	gender    string
	k         int    // born in year N-k
	monthDay  string // MM-DD
	categorie string
	salary    series // 1CJ
}

// foyer is a generated foyer before it becomes a YAML item.
type foyer struct {
	id         string
	dec1, dec2 *person
	children   []child
	residence  Adresse
	years      [4]*year
	store      [4]year // what years point to
}

// year is what a generated foyer files for one relative year.
type year struct {
	sitFam         string
	parentIsole    bool
	inv1, inv2     bool
	ifi            bool
	none           bool
	adresseFiscale *Adresse
	revenus        amounts
	deathMD        string
	apresDeces     amounts
	rectificatif   *amounts
}

// amounts are the declared amounts, indexed like genCodes.
type amounts [len(genCodes)]int64

// genCodes are the codes the generator declares, in the order written.
var genCodes = [...]string{"1AJ", "1BJ", "1CJ", "1AS", "1BS", "1AO", "2DC", "2TR", "4BA", "4BE", "4BC", "5HQ", "5IQ", "5KP", "5LP", "6GP"}

const (
	c1AJ = iota
	c1BJ
	c1CJ
	c1AS
	c1BS
	c1AO
	c2DC
	c2TR
	c4BA
	c4BE
	c4BC
	c5HQ
	c5IQ
	c5KP
	c5LP
	c6GP
)

// household makes one household: its personas and foyers.
func (g *generator) household() {
	v, _ := g.f.Weighted(householdKinds, householdWeights)
	kind := v.(householdKind)
	if g.left < 2 {
		switch kind {
		case hhMarried, hhPacsed, hhCohabiting, hhMarriedInN1:
			kind = hhSingle
		}
	}
	switch kind {
	case hhSingle, hhSingleSenior, hhDivorced, hhWidowed:
		g.single(kind)
	case hhSingleParent, hhWidowedParent:
		g.singleParent(kind)
	case hhMarried, hhPacsed:
		g.couple(kind)
	case hhCohabiting:
		g.cohabiting()
	case hhMarriedInN1:
		g.marriedInN1()
	}
}

func (g *generator) single(kind householdKind) {
	var p *person
	sitFam := "C"
	switch kind {
	case hhSingle:
		p = g.adult(g.gender(0.5), minDeclarantAge, 27, 64)
	case hhSingleSenior:
		p = g.adult(g.gender(0.6), 65, 72, 95)
	case hhDivorced:
		p = g.adult(g.gender(0.55), 32, 55, 85)
		sitFam = "D"
		if p.female() && g.chance(0.15) {
			p.usage = g.surname(originFrance)
		}
	case hhWidowed:
		p = g.adult(g.gender(0.78), 58, 82, 99)
		sitFam = "V"
		if p.female() && g.chance(0.75) {
			p.usage = g.surname(p.origin)
		}
	}
	g.declarant(p)
	g.incomes(p, sitFam == "V")
	f := g.newFoyer(p, nil)
	g.fileYears(f, sitFam, false)
	if sitFam == "D" && g.chance(0.2) {
		g.foyerSeries(f, c6GP, g.between(1200, 7200), 0.02, 0.0)
	}
	p.situation = g.situation(p, sitFam, 0, "")
	g.emit(f, p)
}

func (g *generator) singleParent(kind householdKind) {
	var p *person
	sitFam := "D"
	if kind == hhWidowedParent {
		p = g.adult(g.gender(0.7), 32, 45, 60)
		sitFam = "V"
	} else {
		p = g.adult(g.gender(0.83), 24, 38, 58)
		if g.chance(0.45) {
			sitFam = "C"
		}
	}
	g.declarant(p)
	g.incomes(p, sitFam == "V")
	nom := p.family
	if p.female() && g.chance(0.4) {
		nom = g.surname(p.origin)
	}
	f := g.newFoyer(p, nil)
	f.children = g.children(p.age, p.age, nom, p.origin, g.count(0, 50, 35, 12, 3), sitFam != "V")
	isole := len(f.children) > 0 && sitFam != "V"
	g.fileYears(f, sitFam, isole)
	if isole && g.chance(0.45) {
		g.foyerSeries(f, c1AO, g.between(1200, 7200), 0.02, 0.0)
	}
	note := ""
	if isole {
		note = "parent isolé"
	}
	p.situation = g.situation(p, sitFam, len(f.children), note)
	g.emit(f, append([]*person{p}, childPersonas(f)...)...)
}

func (g *generator) couple(kind householdKind) {
	sitFam := "M"
	a, b := g.partners(kind == hhPacsed)
	if kind == hhMarried && b.female() && !a.female() && g.chance(0.65) {
		b.usage = a.family
	}
	g.declarant(a)
	g.declarant(b)
	g.incomes(a, false)
	g.incomes(b, false)
	if kind == hhPacsed {
		sitFam = "O"
	}
	f := g.newFoyer(a, b)
	nom := a.family
	if a.female() && !b.female() {
		nom = b.family
	}
	f.children = g.children(min(a.age, b.age), max(a.age, b.age), nom, a.origin, g.childrenWanted(min(a.age, b.age)), false)
	g.fileYears(f, sitFam, false)
	// A few declarants 2 died during N-1: the year has two avis.
	if y := f.years[1]; y != nil && !y.none && y.rectificatif == nil && b.age >= 70 && g.chance(0.02) {
		g.death(f)
	}
	a.situation = g.situation(a, sitFam, len(f.children), ifElse(a.female(), "déclarante 1", "déclarant 1"))
	b.situation = g.situation(b, sitFam, len(f.children), ifElse(b.female(), "déclarante 2", "déclarant 2"))
	if b.deceased {
		b.situation = g.situation(b, sitFam, len(f.children), ifElse(b.female(), "décédée en N-1", "décédé en N-1"))
	}
	g.emit(f, append([]*person{a, b}, childPersonas(f)...)...)
}

// cohabiting makes an unmarried couple: two foyers, the children attached
// to one of them (no case T: the parent does not live alone).
func (g *generator) cohabiting() {
	a, b := g.partners(false)
	g.declarant(a)
	g.declarant(b)
	g.incomes(a, false)
	g.incomes(b, false)
	fa, fb := g.newFoyer(a, nil), g.newFoyer(b, nil)
	fb.residence = fa.residence
	nom := a.family
	if a.female() && !b.female() {
		nom = b.family
	}
	fa.children = g.children(min(a.age, b.age), max(a.age, b.age), nom, a.origin, g.childrenWanted(min(a.age, b.age)), false)
	g.fileYears(fa, "C", false)
	g.fileYears(fb, "C", false)
	a.situation = g.situation(a, "concubinage", len(fa.children), "")
	b.situation = g.situation(b, "concubinage", len(fa.children), "")
	g.emit(fa, append([]*person{a, b}, childPersonas(fa)...)...)
	g.emitFoyer(fb)
}

// marriedInN1 makes a couple married during N-1: joint for N-1, each alone
// before.
func (g *generator) marriedInN1() {
	a := g.adult(g.gender(0.5), 22, 30, 45)
	b := g.spouse(a, false)
	if b.female() && !a.female() && g.chance(0.65) {
		b.usage = a.family
	}
	g.declarant(a)
	g.declarant(b)
	g.incomes(a, false)
	g.incomes(b, false)
	joint := g.newFoyer(a, b)
	g.fileYears(joint, "M", false)
	if min(a.age, b.age)-2 < 18 {
		// Too young to have filed before: a plain married couple.
		a.situation = g.situation(a, "M", 0, "")
		b.situation = g.situation(b, "M", 0, "")
		g.emit(joint, a, b)
		return
	}
	joint.years[2], joint.years[3] = nil, nil
	fa, fb := g.newFoyer(a, nil), g.newFoyer(b, nil)
	g.fileYears(fa, "C", false)
	g.fileYears(fb, "C", false)
	fa.years[1], fb.years[1] = nil, nil
	a.situation = g.situation(a, "M", 0, ifElse(a.female(), "mariée en N-1", "marié en N-1"))
	b.situation = g.situation(b, "M", 0, ifElse(b.female(), "mariée en N-1", "marié en N-1"))
	g.emit(joint, a, b)
	g.emitFoyer(fa)
	g.emitFoyer(fb)
}

// partners makes two partners of a couple; a is declarant 1.
func (g *generator) partners(pacs bool) (*person, *person) {
	hi := 92
	if pacs {
		hi = 70
	}
	a := g.adult(g.gender(0.25), 22, 42, hi)
	return a, g.spouse(a, pacs)
}

// spouse makes the partner of a: mostly of the other sex, a couple of
// years younger when a is the man.
func (g *generator) spouse(a *person, pacs bool) *person {
	same := 0.012
	if pacs {
		same = 0.04
	}
	gender := "female"
	if a.female() {
		gender = "male"
	}
	if g.chance(same) {
		gender = a.gender
	}
	gap := g.triangular(-5, 2, 9) // a older
	if a.female() && gender == "male" {
		gap = -gap
	}
	age := max(a.age-gap, minDeclarantAge)
	return g.adultAged(gender, age, a)
}

// ── People ─────────────────────────────────────────────────────────────

// gender is "female" with probability pf.
func (g *generator) gender(pf float64) string {
	if g.chance(pf) {
		return "female"
	}
	return "male"
}

// adult makes an adult aged lo to hi (mode the most frequent age).
func (g *generator) adult(gender string, lo, mode, hi int) *person {
	return g.adultAged(gender, g.triangular(lo, mode, hi), nil)
}

// adultAged makes an adult of that age; partner, when set, makes the
// country of birth and the names likely to be shared.
func (g *generator) adultAged(gender string, age int, partner *person) *person {
	p := g.newPerson(gender, age)
	switch {
	case partner != nil && partner.country != CountryFrance && g.chance(0.45):
		p.country, p.origin = partner.country, partner.origin
	case g.chance(0.07) && len(g.t.countries) > 0:
		bc := birthCountries[g.t.countries[g.pickCum(g.t.countryCum)]]
		p.country, p.origin = bc.code, bc.origin
		if g.chance(0.15) {
			p.origin = originFrance // French people born abroad
		}
	default:
		p.origin = g.originInFrance()
		if partner != nil && partner.origin != originFrance && g.chance(0.5) {
			p.origin = partner.origin
		}
	}
	g.name(p)
	g.birthdate(p, p.country != CountryFrance && age >= 50 && g.chance(0.06))
	if p.country == CountryFrance {
		p.birthplace = g.t.birthplaces.pick(g.r).Code
	}
	p.invalide = g.chance(0.01 + float64(max(age-40, 0))*0.0007)
	return p
}

// newPerson numbers a new persona.
func (g *generator) newPerson(gender string, age int) *person {
	g.nPersona++
	g.left--
	return &person{num: g.nPersona, id: numbered(6, g.nPersona, "gen-"), gender: gender, age: age, country: CountryFrance}
}

// originInFrance draws the origin of the names of someone born in France.
func (g *generator) originInFrance() origin {
	u := g.r.Float64()
	switch {
	case u < 0.06:
		return originMaghreb
	case u < 0.085:
		return originLusophone
	case u < 0.10:
		return originIberoItalie
	case u < 0.113:
		return originAfrique
	case u < 0.116:
		return originTurquie
	case u < 0.119:
		return originAsie
	}
	return originFrance
}

// name gives p first names (one to three) and a birth name.
func (g *generator) name(p *person) {
	n := 1
	switch u := g.r.Float64(); {
	case u < 0.55:
		n = 2
	case u < 0.78:
		n = 3
	}
	if p.origin != originFrance {
		n = min(n, 2)
	}
	var names []string
	for len(names) < n {
		first := g.firstName(p.gender, genYear-p.age, p.origin, len(names) > 0)
		if !slices.Contains(names, first) {
			names = append(names, first)
		}
	}
	p.given = strings.Join(names, " ")
	p.family = g.surname(p.origin)
}

// firstName draws a first name for someone born in year born; a second or
// third name of someone of foreign origin is often a French one.
func (g *generator) firstName(gender string, born int, o origin, extra bool) string {
	if o != originFrance && !(extra && g.chance(0.4)) {
		if gender == "female" {
			return g.f.RandomString(namesOf[o].female)
		}
		return g.f.RandomString(namesOf[o].male)
	}
	list := frenchMale
	if gender == "female" {
		list = frenchFemale
	}
	// Names of the neighbouring cohort now and then.
	if d := g.r.IntN(10); d == 0 {
		born -= 15
	} else if d == 1 {
		born += 15
	}
	switch {
	case born < 1960:
		return g.f.RandomString(list.before1960)
	case born < 1990:
		return g.f.RandomString(list.from1960)
	}
	return g.f.RandomString(list.from1990)
}

// surname draws a birth name of that origin; French names by frequency.
func (g *generator) surname(o origin) string {
	if o == originFrance {
		return frenchSurnames[g.pickCum(g.t.surnameCum)]
	}
	return g.f.RandomString(namesOf[o].surnames)
}

// birthdate draws a day in the year of birth; presumed dates (day or day
// and month unknown, "00") for a few people born abroad long ago.
func (g *generator) birthdate(p *person, presumed bool) {
	year := genYear - p.age
	d := time.Date(year, time.January, 1+g.r.IntN(365), 0, 0, 0, 0, time.UTC)
	p.birthdate = d.Format(time.DateOnly)
	if presumed {
		if g.chance(0.6) {
			p.birthdate = fmt.Sprintf("%04d-00-00", year)
		} else {
			p.birthdate = p.birthdate[:8] + "00"
		}
	}
}

// declarant gives p an SPI, a login and an email.
func (g *generator) declarant(p *person) {
	g.nSPI++
	first10 := 3_980_000_000 + g.nSPI // 398 then the number on 7 digits
	p.spi = numbered(3, first10%511, strconv.Itoa(first10))
	g.credentials(p)
}

// credentials sets the login and the email from the names.
func (g *generator) credentials(p *person) {
	first, _, _ := strings.Cut(strings.TrimLeft(p.given, " "), " ") // names have single spaces
	first = slug(first)
	last := slug(p.family)
	if p.usage != "" {
		last = slug(p.usage)
	}
	p.login = numbered(6, p.num, "gen.", first, ".", last, ".")
	var local string
	switch g.r.IntN(4) {
	case 0:
		local = first + "." + last
	case 1:
		local = first[:1] + last
	case 2:
		local = first + "-" + last
	default:
		local = last + "." + first
	}
	p.email = numbered(0, p.num, local, ".") + "@bacasable.example"
}

// numbered is the prefix parts then n ≥ 0 in at least width digits
// (fmt.Sprintf("%s%0*d", prefix, width, n)) in one allocation: a large
// population numbers millions of identifiers.
func numbered(width, n int, prefix ...string) string {
	var buf [80]byte
	b := buf[:0]
	for _, s := range prefix {
		b = append(b, s...)
	}
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(n), 10)
	for range width - len(d) {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

// slug is s in lower-case ASCII letters and digits, words joined by
// hyphens: "Jean-Pierre" → "jean-pierre", "N'DIAYE" → "ndiaye", "DA SILVA"
// → "da-silva".
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range Fold(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		case r == ' ' || r == '-':
			hyphen = true
		}
	}
	return b.String()
}

// ── Children ───────────────────────────────────────────────────────────

// childrenWanted draws how many children a couple has had, by the age of
// the younger partner.
func (g *generator) childrenWanted(age int) int {
	switch {
	case age < 25:
		return g.count(75, 22, 3)
	case age < 35:
		return g.count(35, 30, 27, 7, 1)
	case age < 62:
		return g.count(20, 25, 37, 14, 4)
	}
	return 0
}

// children makes up to n children of parents aged younger and older in
// genYear; those who left the household are dropped. alternate allows the
// alternate residence of separated parents.
func (g *generator) children(younger, older int, nom string, o origin, n int, alternate bool) []child {
	var out []child
	// The younger parent was 20 to 42 at the birth, and the child was born
	// before N-3: a dependant's categorie holds for every year declared.
	hi := min(42, younger-4)
	if hi < 20 {
		return nil
	}
	for range n {
		k := younger - g.triangular(20, min(29, hi), hi) // born in N-k
		if k == 20 || k > 25 {
			continue // the child left, or files alone
		}
		c := child{k: k, nom: nom, gender: g.gender(0.49), categorie: CategorieF}
		// Any day but 1 January, so that the age on 1 January is one less
		// than the age reached in the year.
		c.monthDay = time.Date(2023, time.January, 2+g.r.IntN(364), 0, 0, 0, 0, time.UTC).Format("01-02")
		switch {
		case k >= 21:
			if !g.chance(0.5) {
				continue // a student still attached, or not
			}
			c.categorie = CategorieJ
			if g.chance(0.35) {
				c.salary = g.evolve(g.between(1500, 9000), 0.05, 0.15)
			}
		case alternate && g.chance(0.2):
			c.categorie = CategorieH
			if g.chance(0.02) {
				c.categorie = CategorieI
			}
		case g.chance(0.015):
			c.categorie = CategorieG
		}
		origin := originFrance
		if o != originFrance && g.chance(0.5) {
			origin = o
		}
		names := []string{g.firstName(c.gender, genYear-k, origin, false)}
		if g.chance(0.6) {
			if second := g.firstName(c.gender, genYear-k, originFrance, true); second != names[0] {
				names = append(names, second)
			}
		}
		c.prenoms = strings.Join(names, " ")
		if g.left > 0 && g.chance(ifElse(c.categorie == CategorieJ, 0.25, 0.02)) {
			c.persona = g.childPersona(c)
		}
		out = append(out, c)
	}
	// Eldest first.
	sort.SliceStable(out, func(i, j int) bool { return out[i].k > out[j].k })
	return out
}

// childPersona makes the persona of a child (no SPI: not a declarant).
func (g *generator) childPersona(c child) *person {
	p := g.newPerson(c.gender, c.k)
	p.given, p.family, p.origin = c.prenoms, c.nom, originFrance
	p.birthdate = fmt.Sprintf("%04d-%s", genYear-c.k, c.monthDay)
	p.birthplace = g.t.birthplaces.pick(g.r).Code
	g.credentials(p)
	switch {
	case c.categorie == CategorieJ && p.female():
		p.situation = "Généré — étudiante rattachée au foyer parental"
	case c.categorie == CategorieJ:
		p.situation = "Généré — étudiant rattaché au foyer parental"
	default:
		p.situation = "Généré — enfant mineur à charge"
	}
	return p
}

func childPersonas(f *foyer) []*person {
	var out []*person
	for _, c := range f.children {
		if c.persona != nil {
			out = append(out, c.persona)
		}
	}
	return out
}

// ── Incomes ────────────────────────────────────────────────────────────

// incomes draws p's own revenue for N-1 and its past.
func (g *generator) incomes(p *person, widowed bool) {
	a := p.age - 1 // age reached during N-1
	sexFactor, pensionFactor := 1.0, 1.0
	if p.female() {
		sexFactor, pensionFactor = 0.86, 0.72
	}
	if widowed {
		pensionFactor *= 1.3 // the reversion
	}
	salary := func(median float64) int64 {
		m := median * sexFactor
		// The top of the distribution is fatter than a log-normal's.
		switch u := g.r.Float64(); {
		case u < 0.006:
			m *= 6
		case u < 0.035:
			m *= 2.2
		}
		return int64(max(600, min(g.lognormal(m, 0.5), 900_000)))
	}
	u := g.r.Float64()
	switch {
	case a < 22:
		if u < 0.55 {
			p.salary = g.evolve(salary(12000), 0.08, 0.15)
		}
	case a < 62:
		factor := 1.0
		switch {
		case a < 30:
			factor = 0.82
		case a >= 40:
			factor = 1.12
		}
		switch {
		case u < 0.84:
			p.salary = g.evolve(salary(24500*factor), 0.025, 0.04)
		case u < 0.90:
			receipts := int64(max(3000, g.lognormal(30000, 0.7)))
			if g.chance(0.55) {
				p.bnc = g.evolve(min(receipts, 77700), 0.03, 0.12)
			} else {
				p.bic = g.evolve(min(receipts, 77700), 0.03, 0.12)
			}
		}
	case a < 67:
		switch {
		case u < 0.55:
			p.pension = g.evolve(int64(g.lognormal(21000*pensionFactor, 0.45)), 0.03, 0.008)
			// Retired recently: a salary before.
			for off := 3; off >= 2 && g.chance(0.45); off-- {
				p.salary[off] = int64(float64(p.pension[off]) * 1.6)
				p.pension[off] = 0
			}
		case u < 0.88:
			p.salary = g.evolve(salary(26000), 0.02, 0.04)
		}
	default:
		p.pension = g.evolve(int64(max(1200, g.lognormal(19500*pensionFactor, 0.45))), 0.03, 0.008)
	}
	// A first job: nothing the year before.
	if a < 26 && p.salary[1] > 0 && g.chance(0.3) {
		p.salary[3] = 0
	}
	// Nobody declares for a year before their 18th birthday's year.
	for off := 1; off <= 3; off++ {
		if p.age-off < 18 {
			p.salary[off], p.pension[off], p.bnc[off], p.bic[off] = 0, 0, 0, 0
		}
	}
}

// evolve makes a series from the N-1 amount: each earlier year is the
// next one divided by 1 + a yearly growth drawn around drift.
func (g *generator) evolve(n1 int64, drift, sd float64) series {
	s := series{0, n1}
	v := float64(n1)
	for off := 2; off <= 3; off++ {
		growth := max(-0.2, min(drift+sd*g.r.NormFloat64(), 0.3))
		v /= 1 + growth
		s[off] = int64(math.Round(v))
	}
	return s
}

// foyerSeries sets an amount of the foyer for every year it files.
func (g *generator) foyerSeries(f *foyer, code int, n1 int64, drift, sd float64) {
	s := g.evolve(n1, drift, sd)
	for off := 1; off <= 3; off++ {
		if y := f.years[off]; y != nil && !y.none {
			y.revenus[code] = s[off]
			if y.rectificatif != nil {
				y.rectificatif[code] = s[off]
			}
		}
	}
}

// ── Foyers ─────────────────────────────────────────────────────────────

// newFoyer numbers a foyer and gives it an address.
func (g *generator) newFoyer(dec1, dec2 *person) *foyer {
	g.nFoyer++
	var f *foyer
	if n := len(g.spare); n > 0 {
		f, g.spare = g.spare[n-1], g.spare[:n-1]
		*f = foyer{}
	} else {
		f = new(foyer)
	}
	f.id, f.dec1, f.dec2, f.residence = numbered(6, g.nFoyer, "gen-foyer-"), dec1, dec2, g.address()
	return f
}

// fileYears fills the years the foyer files: those its declarants were
// adults in, with the declarants' incomes and the foyer's own.
func (g *generator) fileYears(f *foyer, sitFam string, parentIsole bool) {
	youngest := f.dec1.age
	if f.dec2 != nil {
		youngest = min(youngest, f.dec2.age)
	}
	for off := 1; off <= 3; off++ {
		f.years[off] = nil
		if youngest-off < 18 {
			continue
		}
		y := &f.store[off]
		*y = year{sitFam: sitFam, parentIsole: parentIsole, inv1: f.dec1.invalide}
		y.revenus[c1AJ], y.revenus[c1AS] = f.dec1.salary[off], f.dec1.pension[off]
		y.revenus[c5HQ], y.revenus[c5KP] = f.dec1.bnc[off], f.dec1.bic[off]
		if f.dec2 != nil {
			y.inv2 = f.dec2.invalide
			y.revenus[c1BJ], y.revenus[c1BS] = f.dec2.salary[off], f.dec2.pension[off]
			y.revenus[c5IQ], y.revenus[c5LP] = f.dec2.bnc[off], f.dec2.bic[off]
		}
		for _, c := range f.children {
			if c.categorie == CategorieJ && c.salary[off] > 0 {
				y.revenus[c1CJ] = c.salary[off]
				break
			}
		}
		f.years[off] = y
	}
	if f.years[1] == nil {
		return
	}
	g.capital(f)
	// A year without a declaration (abroad, forgotten), a corrective avis,
	// a move.
	switch u := g.r.Float64(); {
	case u < 0.004 && f.years[2] != nil:
		off := 2 + g.r.IntN(2)
		if f.years[off] != nil {
			*f.years[off] = year{none: true}
		}
	case u < 0.007 && f.years[2] != nil:
		fixed := f.years[2].revenus
		if fixed[c1AJ] > 0 {
			fixed[c1AJ] += int64(float64(fixed[c1AJ]) * g.uniform(0.03, 0.15))
		} else {
			fixed[c2TR] += g.between(150, 900)
		}
		f.years[2].rectificatif = &fixed
	case u < 0.047 && f.years[3] != nil:
		// Moved during N-2 (or N-3): the older avis have the old address.
		old := g.address()
		f.years[3].adresseFiscale = &old
		if f.years[2] != nil && g.chance(0.5) {
			f.years[2].adresseFiscale = &old
		}
	}
}

// capital draws the foyer's capital and rental income, and the IFI.
func (g *generator) capital(f *foyer) {
	var total int64
	for _, v := range f.years[1].revenus {
		total += v
	}
	older := f.dec1.age >= 45
	rich := total >= 90_000
	if g.chance(ifElse(rich, 0.52, 0.22)) {
		g.foyerSeries(f, c2TR, int64(min(20000, max(10, g.lognormal(250, 1.1)))), 0, 0.3)
	}
	if g.chance(ifElse(rich, 0.34, 0.04)) {
		g.foyerSeries(f, c2DC, int64(min(400_000, max(50, g.lognormal(1500, 1.2)))), 0, 0.3)
	}
	if older && g.chance(ifElse(rich, 0.3, 0.05)) {
		if g.chance(0.5) {
			g.foyerSeries(f, c4BA, int64(min(300_000, max(500, g.lognormal(7000, 0.8)))), 0.02, 0.1)
		} else {
			g.foyerSeries(f, c4BE, int64(min(15000, max(1000, g.lognormal(6500, 0.5)))), 0.02, 0.05)
		}
	} else if older && g.chance(0.005) {
		g.foyerSeries(f, c4BC, g.between(800, 10700), 0, 0.2)
	}
	// The IFI: about 0.4 % of foyers, the wealthy ones (high income or
	// capital income late in life).
	y1 := &f.years[1].revenus
	capitalIncome := y1[c2DC] + y1[c4BA] + y1[c4BE]
	if total >= 150_000 && g.chance(0.4) || total >= 90_000 && f.dec1.age >= 55 && g.chance(0.15) ||
		capitalIncome >= 10_000 && f.dec1.age >= 60 && g.chance(0.2) {
		for _, y := range f.years {
			if y != nil {
				y.ifi = true
			}
		}
	}
}

// death makes declarant 2 die during N-1: the couple's revenus until the
// death, then the survivor's, with half the late spouse's pension as a
// reversion.
func (g *generator) death(f *foyer) {
	y := f.years[1]
	day := time.Date(2023, time.January, 15+g.r.IntN(330), 0, 0, 0, 0, time.UTC)
	share := float64(day.YearDay()) / 365
	y.deathMD = day.Format("01-02")
	before := y.revenus
	for i := range before {
		before[i] = int64(math.Round(float64(before[i]) * share))
	}
	after := y.revenus
	for i := range after {
		after[i] = int64(math.Round(float64(after[i]) * (1 - share)))
	}
	after[c1AS] += int64(math.Round(float64(f.dec2.pension[1]+f.dec2.salary[1]/2) * 0.54 * (1 - share)))
	after[c1BJ], after[c1BS], after[c5IQ], after[c5LP] = 0, 0, 0, 0
	y.revenus, y.apresDeces = before, after
	f.dec2.deceased = true
}

// address draws an address in a commune of the COG.
func (g *generator) address() Adresse {
	c := g.t.homes.pick(g.r)
	a := Adresse{CodePostal: c.PostalCodes[g.r.IntN(len(c.PostalCodes))], Commune: c.Name}
	number := strconv.Itoa(1 + int(g.lognormal(12, 1)))
	if len(number) > 3 {
		number = strconv.Itoa(g.f.Number(1, 99))
	}
	if g.chance(0.05) {
		number += " bis"
	}
	st, _ := g.f.Weighted(g.t.streetTypes, g.t.streetWeights)
	a.Voie = number + " " + st.(string) + " " + g.f.RandomString(streetNames)
	if c.Population > 20000 && g.chance(0.15) {
		a.Complement = g.f.RandomString(addressComplements)
	}
	return a
}

// situationKey is what a situation says.
type situationKey struct {
	female       bool
	sitFam, note string
	children     int
}

// situation is the persona's line in the persona list (≤ 60 characters).
func (g *generator) situation(p *person, sitFam string, children int, note string) string {
	k := situationKey{p.female(), sitFam, note, children}
	s, ok := g.situations[k]
	if !ok {
		if g.situations == nil {
			g.situations = map[situationKey]string{}
		}
		s = situationText(p, sitFam, children, note)
		g.situations[k] = s
	}
	return s
}

func situationText(p *person, sitFam string, children int, note string) string {
	e := ""
	if p.female() {
		e = "e"
	}
	var s string
	switch sitFam {
	case "C":
		s = "célibataire"
	case "M":
		s = "marié" + e
	case "O":
		s = "pacsé" + e
	case "D":
		s = "divorcé" + e
	case "V":
		s = ifElse(p.female(), "veuve", "veuf")
	case "concubinage":
		s = "en concubinage"
	}
	switch children {
	case 0:
		if sitFam != "M" && sitFam != "O" {
			s += ", sans enfant"
		}
	case 1:
		s += ", 1 enfant"
	default:
		s += fmt.Sprintf(", %d enfants", children)
	}
	if note != "" {
		s += " — " + note
	}
	return "Généré — " + s
}

// ── Draws ──────────────────────────────────────────────────────────────

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.r.Float64() }

func (g *generator) between(lo, hi int) int64 { return int64(g.f.Number(lo, hi)) }

func (g *generator) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.r.NormFloat64())
}

// triangular draws an integer from lo to hi, mode the most likely.
func (g *generator) triangular(lo, mode, hi int) int {
	a, b, c := float64(lo), float64(mode), float64(hi)+0.999
	u := g.r.Float64()
	var x float64
	if u < (b-a)/(c-a) {
		x = a + math.Sqrt(u*(c-a)*(b-a))
	} else {
		x = c - math.Sqrt((1-u)*(c-a)*(c-b))
	}
	return min(hi, max(lo, int(x)))
}

// count draws 0, 1, 2… with the weights given in that order.
func (g *generator) count(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// pickCum draws an index of a cumulative weight table.
func (g *generator) pickCum(cum []int) int {
	x := g.r.IntN(cum[len(cum)-1])
	return sort.Search(len(cum), func(i int) bool { return cum[i] > x })
}

func ifElse[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// ── Items ──────────────────────────────────────────────────────────────

// emit appends the personas, then the foyer, as the items Build checks.
func (g *generator) emit(f *foyer, people ...*person) {
	for _, p := range people {
		q := g.personaSlab.new()
		*q = p.persona()
		g.personas = append(g.personas, q)
	}
	g.emitFoyer(f)
}

// emitFoyer adds f's spec to the chunk; f is not used after.
func (g *generator) emitFoyer(f *foyer) {
	g.foyers = append(g.foyers, g.spec(f))
	g.spare = append(g.spare, f)
}

// persona is p as an item of personas.yaml.
func (p *person) persona() Persona {
	return Persona{
		ID: p.id, Login: p.login, Password: DefaultPassword, SPI: p.spi,
		GivenName: p.given, FamilyName: p.family, PreferredUsername: p.usage,
		Birthdate: p.birthdate, Gender: p.gender, Birthplace: p.birthplace, Birthcountry: p.country,
		Email: p.email, Situation: p.situation,
	}
}

// spec is f as an item of foyers.yaml.
func (g *generator) spec(f *foyer) *foyerSpec {
	s := g.foyerSlab.new()
	s.ID, s.Declarant1, s.Residence = f.id, f.dec1.id, g.adresseSlab.new()
	s.Residence.Adresse = f.residence
	if f.dec2 != nil {
		s.Declarant2 = f.dec2.id
	}
	if len(f.children) > 0 {
		s.Dependants = make([]dependantSpec, len(f.children))
		for i, c := range f.children {
			d := &s.Dependants[i]
			if c.persona != nil {
				d.Persona = c.persona.id
			} else {
				d.Prenoms, d.Nom, d.DateNaissance = c.prenoms, c.nom, "N-"+strconv.Itoa(c.k)+"-"+c.monthDay
			}
			d.Categorie = c.categorie
		}
	}
	for off := 1; off <= 3; off++ {
		if y := f.years[off]; y != nil {
			s.Annees[off] = g.yearSpec(y)
		}
	}
	return s
}

func (g *generator) yearSpec(y *year) *yearSpec {
	s := g.yearSlab.new()
	s.AucuneDeclaration, s.alone = y.none, y.none
	if y.none {
		return s
	}
	s.SitFam, s.ParentIsole, s.IFI = y.sitFam, y.parentIsole, y.ifi
	s.InvaliditeDeclarant1, s.InvaliditeDeclarant2 = y.inv1, y.inv2
	if y.adresseFiscale != nil {
		s.AdresseFiscale = &adresseSpec{Adresse: *y.adresseFiscale}
	}
	s.montants = y.revenus.declared(&g.montantSlab)
	if y.deathMD != "" {
		s.DecesDeclarant2 = y.deathMD
		s.ApresDeces = &periodSpec{montants: y.apresDeces.declared(&g.montantSlab)}
	}
	if y.rectificatif != nil {
		s.Rectificatif = &periodSpec{montants: y.rectificatif.declared(&g.montantSlab)}
	}
	return s
}

// declared is the amounts declared, in the order of genCodes, from the
// blocks of s.
func (a *amounts) declared(s *slab[montant]) []montant {
	n := 0
	for _, v := range a {
		if v > 0 {
			n++
		}
	}
	m := s.take(n)[:0]
	for i, v := range a {
		if v > 0 {
			m = append(m, montant{genCodes[i], v})
		}
	}
	return m
}

// ── YAML items ─────────────────────────────────────────────────────────

// yamlNode is the item as YAML: its node, or one made from its value.
func (it item) yamlNode(b *nodeBuilder) *yaml.Node {
	switch {
	case it.node != nil:
		return it.node
	case it.persona != nil:
		return b.persona(it.persona)
	default:
		return b.foyer(it.foyer)
	}
}

// nodeBuilder makes the YAML nodes of generated items, for Export. Nodes
// come from slabs, and key nodes and frequent values are shared between
// items: Export only reads nodes.
type nodeBuilder struct {
	slab   []yaml.Node
	ptrs   []*yaml.Node
	keys   map[string]*yaml.Node
	shared map[sharedValue]*yaml.Node
	true_  *yaml.Node
}

type sharedValue struct {
	quoted bool
	value  string
}

func newNodeBuilder() *nodeBuilder {
	b := &nodeBuilder{keys: map[string]*yaml.Node{}, shared: make(map[sharedValue]*yaml.Node, 1<<14)}
	b.true_ = b.scalar("!!bool", "true", 0)
	return b
}

// scalar is a new scalar node.
func (b *nodeBuilder) scalar(tag, value string, style yaml.Style) *yaml.Node {
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]yaml.Node, 0, 4096)
	}
	b.slab = b.slab[:len(b.slab)+1]
	n := &b.slab[len(b.slab)-1]
	n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, tag, value, style
	return n
}

// collection is a new mapping or sequence node with room for n children.
func (b *nodeBuilder) collection(kind yaml.Kind, tag string, style yaml.Style, n int) *yaml.Node {
	c := b.scalar(tag, "", style)
	c.Kind = kind
	if cap(b.ptrs)-len(b.ptrs) < n {
		b.ptrs = make([]*yaml.Node, 0, max(8192, n))
	}
	l := len(b.ptrs)
	b.ptrs = b.ptrs[:l+n]
	c.Content = b.ptrs[l : l : l+n]
	return c
}

func (b *nodeBuilder) key(k string) *yaml.Node {
	n, ok := b.keys[k]
	if !ok {
		n = b.scalar("!!str", k, 0)
		b.keys[k] = n
	}
	return n
}

// str is a new string scalar; quoted as the fixtures quote codes, dates
// and names.
func (b *nodeBuilder) str(v string, quoted bool) *yaml.Node {
	if quoted {
		return b.scalar("!!str", v, yaml.DoubleQuotedStyle)
	}
	return b.scalar("!!str", v, 0)
}

// sharedStr is str for a value many items have.
func (b *nodeBuilder) sharedStr(v string, quoted bool) *yaml.Node {
	k := sharedValue{quoted, v}
	n, ok := b.shared[k]
	if !ok {
		n = b.str(v, quoted)
		b.shared[k] = n
	}
	return n
}

func (b *nodeBuilder) int(v int64) *yaml.Node {
	return b.scalar("!!int", strconv.FormatInt(v, 10), 0)
}

// mapping is a new mapping with room for n pairs, in flow style ({…}) or
// block style.
func (b *nodeBuilder) mapping(flow bool, n int) *yaml.Node {
	style := yaml.Style(0)
	if flow {
		style = yaml.FlowStyle
	}
	return b.collection(yaml.MappingNode, "!!map", style, 2*n)
}

func (b *nodeBuilder) set(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, b.key(key), value)
}

// persona is the item of personas.yaml, keys in the file's order.
func (b *nodeBuilder) persona(p *Persona) *yaml.Node {
	m := b.mapping(false, 12)
	b.set(m, "id", b.str(p.ID, false))
	b.set(m, "login", b.str(p.Login, false))
	if p.Password != DefaultPassword {
		b.set(m, "password", b.str(p.Password, true))
	}
	if p.SPI != "" {
		b.set(m, "spi", b.str(p.SPI, true))
	}
	b.set(m, "given_name", b.str(p.GivenName, true))
	b.set(m, "family_name", b.sharedStr(p.FamilyName, true))
	b.set(m, "preferred_username", b.sharedStr(p.PreferredUsername, true))
	b.set(m, "birthdate", b.str(p.Birthdate, true))
	b.set(m, "gender", b.sharedStr(p.Gender, false))
	b.set(m, "birthplace", b.sharedStr(p.Birthplace, true))
	b.set(m, "birthcountry", b.sharedStr(p.Birthcountry, true))
	b.set(m, "email", b.str(p.Email, true))
	b.set(m, "situation", b.sharedStr(p.Situation, true))
	if p.Scenario != "" {
		b.set(m, "scenario", b.str(p.Scenario, false))
	}
	return m
}

// foyer is the item of foyers.yaml.
func (b *nodeBuilder) foyer(f *foyerSpec) *yaml.Node {
	m := b.mapping(false, 7)
	b.set(m, "id", b.str(f.ID, false))
	b.set(m, "declarant1", b.str(f.Declarant1, false))
	if f.Declarant2 != "" {
		b.set(m, "declarant2", b.str(f.Declarant2, false))
	}
	if len(f.Dependants) > 0 {
		seq := b.collection(yaml.SequenceNode, "!!seq", 0, len(f.Dependants))
		for _, c := range f.Dependants {
			d := b.mapping(true, 4)
			if c.Persona != "" {
				b.set(d, "persona", b.str(c.Persona, false))
			} else {
				b.set(d, "prenoms", b.str(c.Prenoms, true))
				b.set(d, "nom", b.sharedStr(c.Nom, true))
				b.set(d, "date_naissance", b.str(c.DateNaissance, true))
			}
			b.set(d, "categorie", b.sharedStr(c.Categorie, false))
			seq.Content = append(seq.Content, d)
		}
		b.set(m, "dependants", seq)
	}
	if f.Residence != nil {
		b.set(m, "residence", b.address(f.Residence.Adresse))
	}
	if f.AdresseFiscale != nil {
		b.set(m, "adresse_fiscale", b.address(f.AdresseFiscale.Adresse))
	}
	annees := b.mapping(false, 3)
	for off := 1; off <= 3; off++ {
		if y := f.Annees[off]; y != nil {
			b.set(annees, "N-"+strconv.Itoa(off), b.year(y))
		}
	}
	b.set(m, "annees", annees)
	return m
}

func (b *nodeBuilder) address(a Adresse) *yaml.Node {
	m := b.mapping(true, 4)
	if a.Complement != "" {
		b.set(m, "complement", b.sharedStr(a.Complement, true))
	}
	b.set(m, "voie", b.str(a.Voie, true))
	b.set(m, "code_postal", b.sharedStr(a.CodePostal, true))
	b.set(m, "commune", b.sharedStr(a.Commune, true))
	return m
}

func (b *nodeBuilder) year(y *yearSpec) *yaml.Node {
	m := b.mapping(false, 9)
	if y.AucuneDeclaration {
		b.set(m, "aucune_declaration", b.true_)
		return m
	}
	b.set(m, "sitFam", b.sharedStr(y.SitFam, false))
	if y.ParentIsole {
		b.set(m, "parent_isole", b.true_)
	}
	if y.InvaliditeDeclarant1 {
		b.set(m, "invalidite_declarant1", b.true_)
	}
	if y.InvaliditeDeclarant2 {
		b.set(m, "invalidite_declarant2", b.true_)
	}
	if y.IFI {
		b.set(m, "ifi", b.true_)
	}
	if y.AdresseFiscale != nil {
		b.set(m, "adresse_fiscale", b.address(y.AdresseFiscale.Adresse))
	}
	b.set(m, "revenus", b.revenus(y.montants))
	if y.DecesDeclarant2 != "" {
		b.set(m, "deces_declarant2", b.str(y.DecesDeclarant2, true))
		if y.ApresDeces != nil {
			after := b.mapping(false, 1)
			b.set(after, "revenus", b.revenus(y.ApresDeces.montants))
			b.set(m, "apres_deces", after)
		}
	}
	if y.Rectificatif != nil {
		fixed := b.mapping(false, 1)
		b.set(fixed, "revenus", b.revenus(y.Rectificatif.montants))
		b.set(m, "rectificatif", fixed)
	}
	return m
}

// revenus writes the amounts in their order.
func (b *nodeBuilder) revenus(montants []montant) *yaml.Node {
	m := b.mapping(true, len(montants))
	for _, a := range montants {
		b.set(m, a.code, b.int(a.amount))
	}
	return m
}
