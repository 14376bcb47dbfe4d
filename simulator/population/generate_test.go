package population

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/go-json-experiment/json"
	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator/fixture"
)

// generatorCOG is the embedded COG, loaded once for the generator's tests.
var generatorCOG = sync.OnceValues(func() (*COG, error) { return LoadCOG(fixtures.FS()) })

func genCOG(tb testing.TB) *COG {
	tb.Helper()
	cog, err := generatorCOG()
	if err != nil {
		tb.Fatalf("LoadCOG: %v", err)
	}
	return cog
}

// generated builds the embedded fixtures plus a generated population.
func generated(tb testing.TB, g Generator) *Population {
	tb.Helper()
	pop, err := Build(Source{Fixtures: fixtures.FS(), Generate: g.Documents}, genCOG(tb))
	if err != nil {
		tb.Fatalf("Build with %s: %v", g.Name(), err)
	}
	return pop
}

// encoded is the JSON of items as Export writes them (go-json-experiment:
// the amounts are written by their MarshalJSONTo, which encoding/json
// would not call), for comparing generations byte for byte.
func encoded(t *testing.T, items []item) []string {
	t.Helper()
	out := make([]string, len(items))
	for i, it := range items {
		var v any
		if it.persona != nil {
			v = personaJSONOf(it.persona)
		} else {
			v = foyerJSONOf(it.foyer)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

func TestGeneratorIsDeterministic(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	gen := func(seed int64) Document {
		// Three chunks, generated in parallel.
		docs, err := Generator{N: 2*genChunk + 100, Seed: seed}.Documents(cog)
		if err != nil || len(docs) != 1 {
			t.Fatalf("Documents(seed %d) = %d documents, %v", seed, len(docs), err)
		}
		return docs[0]
	}
	a, b := gen(7), gen(7)
	foyers := encoded(t, a.foyerItems())
	if !slices.Equal(encoded(t, a.personaItems()), encoded(t, b.personaItems())) || !slices.Equal(foyers, encoded(t, b.foyerItems())) {
		t.Error("two generations with seed 7 differ")
	}
	// The comparison covers the amounts: "1AJ" is the salaries' code.
	if !slices.ContainsFunc(foyers, func(f string) bool { return strings.Contains(f, `"1AJ"`) }) {
		t.Errorf("no foyer's encoding holds a declared amount: %.300s", foyers[0])
	}
	c := gen(8)
	if slices.Equal(encoded(t, a.personaItems()), encoded(t, c.personaItems())) {
		t.Error("seeds 7 and 8 give the same personas")
	}
	// Seed 0 is a seed like any other (gofakeit would take it for "random").
	if z1, z2 := gen(0), gen(0); !slices.Equal(encoded(t, z1.personaItems()), encoded(t, z2.personaItems())) {
		t.Error("two generations with seed 0 differ")
	}
}

// A smaller population is the beginning of a larger one with the same
// seed: growing --population keeps the people already used in tests.
func TestGeneratorSmallerIsPrefix(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	// Across a chunk: the small population ends in the second chunk, which
	// the large one fills.
	nSmall, nLarge := genChunk+500, 2*genChunk+1500
	small, err := Generator{N: nSmall, Seed: 3}.Documents(cog)
	if err != nil {
		t.Fatal(err)
	}
	large, err := Generator{N: nLarge, Seed: 3}.Documents(cog)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(small[0].personaItems()); n != nSmall {
		t.Fatalf("Generator{N: %d} made %d personas", nSmall, n)
	}
	if n := len(large[0].personaItems()); n != nLarge {
		t.Fatalf("Generator{N: %d} made %d personas", nLarge, n)
	}
	// All but the last household (at most 6 personas, 3 foyers).
	sp, lp := encoded(t, small[0].personaItems()), encoded(t, large[0].personaItems())
	if !slices.Equal(sp[:len(sp)-6], lp[:len(sp)-6]) {
		t.Errorf("the personas of N=%d are not the first of N=%d", nSmall, nLarge)
	}
	sf, lf := encoded(t, small[0].foyerItems()), encoded(t, large[0].foyerItems())
	if !slices.Equal(sf[:len(sf)-3], lf[:len(sf)-3]) {
		t.Errorf("the foyers of N=%d are not the first of N=%d", nSmall, nLarge)
	}
}

func TestGeneratorLimits(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	if docs, err := (Generator{N: 0, Seed: 1}).Documents(cog); err != nil || docs != nil {
		t.Errorf("N=0: %d documents, %v; want none", len(docs), err)
	}
	for _, n := range []int{-1, MaxGenerated + 1} {
		if _, err := (Generator{N: n}).Documents(cog); err == nil {
			t.Errorf("N=%d: no error", n)
		}
	}
	empty, err := LoadCOG(fstest.MapFS{
		COGCommunesFile:  {Data: []byte("code,nom,departement,codes_postaux,population,type\n01001,Nulle-Part,01,,0,commune-actuelle\n")},
		COGCountriesFile: {Data: []byte("code,nom\n99100,France\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (Generator{N: 10}).Documents(empty); err == nil || !strings.Contains(err.Error(), "no inhabited commune") {
		t.Errorf("a COG without inhabited commune: %v", err)
	}
	// Exactly N personas, whatever N.
	for _, n := range []int{1, 2, 3, 17} {
		docs, err := Generator{N: n, Seed: int64(n)}.Documents(cog)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(docs[0].personaItems()); got != n {
			t.Errorf("N=%d: %d personas", n, got)
		}
	}
}

var (
	genIDPattern    = regexp.MustCompile(`^gen-[0-9]{6}$`)
	genLoginPattern = regexp.MustCompile(`^gen\.[a-z0-9-]+\.[a-z0-9-]+\.[0-9]{6}$`)
	genFoyerPattern = regexp.MustCompile(`^gen-foyer-[0-9]{6}$`)
)

// TestGeneratedPopulationIsCoherent builds fixtures plus 2 000 generated
// personas (Build applies every fixture check) and checks what the checks
// do not: identifiers out of the fixtures' ranges, valid SPI keys, an avis
// for N-1 for every declarant, with the parts of its household.
func TestGeneratedPopulationIsCoherent(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	g := Generator{N: 2000, Seed: 42}
	pop := generated(t, g)
	docs, err := g.Documents(cog)
	if err != nil {
		t.Fatal(err)
	}
	// The N-1 of each generated foyer as written, for what the avis does
	// not show (a declarant's disability).
	n1 := map[string]*yaml.Node{}
	nb := newNodeBuilder()
	for _, it := range docs[0].foyerItems() {
		item := it.yamlNode(nb)
		n1[fixture.Key(item, "id").Value] = fixture.Key(fixture.Key(item, "annees"), "N-1")
	}
	fixturesOnly, err := Load(fixtures.FS(), cog)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pop.Personas()), len(fixturesOnly.Personas())+2000; got != want {
		t.Fatalf("%d personas, want %d", got, want)
	}
	var gen []*Persona
	for _, p := range pop.Personas() {
		if _, fixture := fixturesOnly.ByID(p.ID); !fixture {
			gen = append(gen, p)
		}
	}
	declarants := 0
	for _, p := range gen {
		if problems := Check(p, cog); len(problems) > 0 {
			t.Errorf("persona %s: %v", p.ID, problems)
		}
		if !genIDPattern.MatchString(p.ID) || !genLoginPattern.MatchString(p.Login) || !strings.HasSuffix(p.Email, "@bacasable.example") {
			t.Errorf("persona %s: login %q, email %q", p.ID, p.Login, p.Email)
		}
		if p.Situation == "" || len([]rune(p.Situation)) > 60 {
			t.Errorf("persona %s: situation %q (1 to 60 characters)", p.ID, p.Situation)
		}
		if p.SPI == "" {
			if pop.FoyerRole(p.ID) != RoleDependant {
				t.Errorf("persona %s has no SPI and is no dependant", p.ID)
			}
			continue
		}
		declarants++
		if !strings.HasPrefix(p.SPI, "398") || !spiKeyValid(p.SPI) {
			t.Errorf("persona %s: SPI %s out of the generated range or with a wrong key", p.ID, p.SPI)
		}
		if pop.FoyerRole(p.ID) != RoleDeclarant {
			t.Errorf("persona %s has an SPI and is no declarant", p.ID)
		}
		f, avis, ok := pop.AvisBySPI(p.SPI, ref, ref)
		if !ok || len(avis) == 0 {
			t.Errorf("persona %s (SPI %s): no avis for N-1", p.ID, p.SPI)
			continue
		}
		a := avis[0]
		if a.Dec1.SPI != p.SPI && (a.Dec2 == nil || a.Dec2.SPI != p.SPI) {
			t.Errorf("SPI %s: the avis of foyer %s names %s and %v", p.SPI, f.ID, a.Dec1.SPI, a.Dec2)
		}
		if want := expectedParts(f, a, n1[f.ID]); a.NbPart != want {
			t.Errorf("foyer %s: nbPart %v, want %v for sitFam %s, %s", f.ID, a.NbPart, want, a.SitFam, a.Pac)
		}
	}
	if declarants < 1500 {
		t.Errorf("only %d declarants among 2000 personas", declarants)
	}
	for _, f := range pop.Foyers() {
		if _, fixture := fixturesOnly.FoyerByID(f.ID); !fixture && !genFoyerPattern.MatchString(f.ID) {
			t.Errorf("foyer id %q", f.ID)
		}
	}
}

// expectedParts recounts the parts of a's household from the dependants'
// categories and the case T, independently of NbPart: 1 (2 for a couple or a
// widow(er) with children), +0.5 for each of the first two children in
// exclusive residence and +1 from the third, alternate residence counting
// half, +0.5 per disability card, +0.5 for case T, +0.5 per disabled
// declarant (read in the year's item n1).
func expectedParts(f *Foyer, a *Avis, n1 *yaml.Node) float64 {
	parts := 1.0
	children := 0
	for _, d := range f.Dependants {
		if d.Categorie != CategorieR {
			children++
		}
	}
	if a.SitFam == "M" || a.SitFam == "O" || a.SitFam == "V" && children > 0 {
		parts = 2
	}
	rank := 0
	var exclusive, alternate []string
	for _, d := range f.Dependants {
		if d.Categorie == CategorieH || d.Categorie == CategorieI {
			alternate = append(alternate, d.Categorie)
		} else {
			exclusive = append(exclusive, d.Categorie)
		}
	}
	for _, c := range append(exclusive, alternate...) {
		rank++
		share := 1.0
		if c == CategorieH || c == CategorieI {
			share = 0.5
		}
		if rank <= 2 {
			parts += 0.5 * share
		} else {
			parts += share
		}
		switch c {
		case CategorieG, CategorieR:
			parts += 0.5
		case CategorieI:
			parts += 0.25
		}
	}
	if a.SitParIso == "T" {
		if len(exclusive) > 0 {
			parts += 0.5
		} else {
			parts += 0.25
		}
	}
	for _, key := range []string{"invalidite_declarant1", "invalidite_declarant2"} {
		if v := fixture.Key(n1, key); v != nil && v.Value == "true" {
			parts += 0.5
		}
	}
	return parts
}

// spiKeyValid checks the key of an SPI: the first 10 digits modulo 511.
func spiKeyValid(spi string) bool {
	n, err := strconv.ParseInt(spi[:10], 10, 64)
	return err == nil && fmt.Sprintf("%03d", n%511) == spi[10:]
}

func TestSPIKeyOfFixtures(t *testing.T) {
	for _, spi := range []string{"3999999887219", "3999999810142", "3999999834166"} {
		if !spiKeyValid(spi) {
			t.Errorf("the key rule does not hold for the fixture SPI %s", spi)
		}
	}
}

// TestGeneratedDistributions checks the population looks like France's:
// births abroad about 8 %, birthplaces communes or arrondissements of the
// COG, addresses with a real postal code, sexes balanced, salaries around
// the French median, few IFI.
func TestGeneratedDistributions(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("12 000 personas")
	}
	cog := genCOG(t)
	pop, err := Build(Source{Generate: Generator{N: 12000, Seed: 5}.Documents}, cog)
	if err != nil {
		t.Fatal(err)
	}
	var abroad, female, adults, inParisArr int
	countries := map[string]int{}
	for _, p := range pop.Personas() {
		if p.Gender == "female" {
			female++
		}
		if p.SPI == "" {
			continue
		}
		adults++
		if !p.BornInFrance() {
			abroad++
			countries[p.Birthcountry]++
			continue
		}
		c, ok := cog.Commune(p.Birthplace)
		switch {
		case !ok:
			t.Errorf("%s: birthplace %s is not in the COG", p.ID, p.Birthplace)
		case c.Type != CommuneActuelle && c.Type != ArrondissementMunicipal:
			t.Errorf("%s: birthplace %s is a %s", p.ID, p.Birthplace, c.Type)
		case communesWithArrondissements[c.Code]:
			t.Errorf("%s: born in %s, not in one of its arrondissements", p.ID, c.Name)
		case c.Type == ArrondissementMunicipal:
			inParisArr++
		}
	}
	share := func(n, of int) float64 { return float64(n) / float64(of) }
	if s := share(abroad, adults); s < 0.06 || s > 0.11 {
		t.Errorf("%.1f %% of declarants born abroad, want about 8 %%", 100*s)
	}
	if countries["99352"] <= countries["99131"] || countries["99350"] == 0 || countries["99139"] == 0 {
		t.Errorf("countries of birth: %v (Algeria, Morocco, Portugal first)", countries)
	}
	if s := share(female, len(pop.Personas())); s < 0.45 || s > 0.57 {
		t.Errorf("%.1f %% women", 100*s)
	}
	if s := share(inParisArr, adults-abroad); s < 0.02 || s > 0.08 {
		t.Errorf("%.1f %% born in an arrondissement of Paris, Lyon or Marseille", 100*s)
	}

	var salaries []int64
	var couples, singles, withChildren, ifi, deaths, rectificatifs int
	for _, f := range pop.Foyers() {
		for _, a := range []Adresse{f.Residence} {
			found := false
			for _, c := range cog.CommunesByPostalCode(a.CodePostal) {
				found = found || c.Name == a.Commune
			}
			if !found {
				t.Errorf("foyer %s: %s is not a commune of %s", f.ID, a.Commune, a.CodePostal)
			}
		}
		avis := f.Avis(ref, ref)
		if len(avis) == 0 {
			continue
		}
		a := avis[0]
		if f.Declarant2 != nil {
			couples++
		} else {
			singles++
		}
		if len(f.Dependants) > 0 {
			withChildren++
		}
		if a.IFI {
			ifi++
		}
		if len(avis) == 2 {
			deaths++
		}
		if older := f.Avis(ref-1, ref); len(older) == 1 && older[0].Rectificatif {
			rectificatifs++
		}
		for _, l := range a.Rev.Tspr {
			if l.Code == "1AJ" || l.Code == "1BJ" {
				v, _ := strconv.ParseInt(l.Valeur, 10, 64)
				salaries = append(salaries, v)
			}
		}
	}
	foyers := couples + singles
	slices.Sort(salaries)
	if median := salaries[len(salaries)/2]; median < 18000 || median > 30000 {
		t.Errorf("median salary %d €, want about 22 000 €", median)
	}
	if s := share(couples, foyers); s < 0.3 || s > 0.5 {
		t.Errorf("%.1f %% of foyers are couples", 100*s)
	}
	if s := share(withChildren, foyers); s < 0.15 || s > 0.4 {
		t.Errorf("%.1f %% of foyers have dependants", 100*s)
	}
	if s := share(ifi, foyers); s == 0 || s > 0.02 {
		t.Errorf("%.2f %% of foyers subject to the IFI", 100*s)
	}
	if deaths == 0 || rectificatifs == 0 {
		t.Errorf("%d deaths in N-1, %d corrective avis for N-2: want a few of each", deaths, rectificatifs)
	}
	t.Logf("%d foyers: %.0f %% couples, %.0f %% with dependants, median salary %d €, %.1f %% born abroad, %d IFI",
		foyers, 100*share(couples, foyers), 100*share(withChildren, foyers), salaries[len(salaries)/2], 100*share(abroad, adults), ifi)
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Jean-Pierre": "jean-pierre", "N'DIAYE": "ndiaye", "DA SILVA": "da-silva", "Maëlys": "maelys",
		"GONÇALVES": "goncalves", "Conceição": "conceicao", "LEMAÎTRE": "lemaitre", "Œdipe": "oedipe",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// The name lists have no duplicates (a duplicate would double a name's
// weight) and follow the registry's spelling.
func TestNameLists(t *testing.T) {
	check := func(what string, list []string, upper bool) {
		seen := map[string]bool{}
		for _, n := range list {
			if seen[n] {
				t.Errorf("%s: %q twice", what, n)
			}
			seen[n] = true
			if upper != (n == strings.ToUpper(n)) || strings.TrimSpace(n) != n || n == "" {
				t.Errorf("%s: %q", what, n)
			}
		}
	}
	for _, fn := range []struct {
		sex string
		fn  firstNames
	}{{"female", frenchFemale}, {"male", frenchMale}} {
		check(fn.sex+" before 1960", fn.fn.before1960, false)
		check(fn.sex+" 1960-1989", fn.fn.from1960, false)
		check(fn.sex+" from 1990", fn.fn.from1990, false)
	}
	check("surnames", frenchSurnames, true)
	for o := originMaghreb; o < originCount; o++ {
		check(fmt.Sprint("origin ", o), namesOf[o].female, false)
		check(fmt.Sprint("origin ", o), namesOf[o].male, false)
		check(fmt.Sprint("origin ", o), namesOf[o].surnames, true)
	}
	for _, code := range genCodes {
		if _, ok := RevenueCodeOf(code); !ok {
			t.Errorf("the generator declares %s, which the computation does not know", code)
		}
	}
	cog := genCOG(t)
	for _, bc := range birthCountries {
		if _, ok := cog.Country(bc.code); !ok {
			t.Errorf("country %s is not in the COG", bc.code)
		}
	}
}

// BenchmarkGenerateAndBuild100k measures what --population 100000 adds to
// the start: generating the items and building the population from them
// with the embedded fixtures.
func BenchmarkGenerateAndBuild100k(b *testing.B) {
	cog := genCOG(b)
	b.ReportAllocs()
	for b.Loop() {
		pop, err := Build(Source{Fixtures: fixtures.FS(), Generate: Generator{N: 100_000, Seed: 1}.Documents}, cog)
		if err != nil {
			b.Fatal(err)
		}
		if len(pop.Personas()) < 100_000 {
			b.Fatal(len(pop.Personas()))
		}
	}
}

// BenchmarkGenerate100k is the generation alone.
func BenchmarkGenerate100k(b *testing.B) {
	cog := genCOG(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Generator{N: 100_000, Seed: 1}).Documents(cog); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild100k is Build alone, from items generated beforehand.
func BenchmarkBuild100k(b *testing.B) {
	cog := genCOG(b)
	docs, err := Generator{N: 100_000, Seed: 1}.Documents(cog)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(Source{Fixtures: fixtures.FS(), Documents: docs}, cog); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookups100k measures the lookups the services make on a large
// population: by SPI, by login, and the avis of a year.
func BenchmarkLookups100k(b *testing.B) {
	pop := generated(b, Generator{N: 100_000, Seed: 1})
	var spis []string
	for _, p := range pop.Personas() {
		if p.SPI != "" {
			spis = append(spis, p.SPI)
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		spi := spis[i%len(spis)]
		i++
		if _, _, ok := pop.AvisBySPI(spi, ref, ref); !ok {
			b.Fatal(spi)
		}
	}
}
