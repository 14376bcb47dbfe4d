package population_test

// Fuzz targets of the population's files (docs/fuzzing.md): personas.yaml,
// foyers.yaml and the Insee COG's two CSV files. Loading any bytes gives
// an error naming the file, or a population that Export writes and Load
// reads back the same.

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator/population"
)

// fuzzMaxFile bounds the files the targets load: the time a load takes
// grows with its input.
const fuzzMaxFile = 8 << 10

var (
	fuzzCOGOnce sync.Once
	fuzzCOG     *population.COG
)

// realCOG is the embedded Insee reference, loaded once per process.
func realCOG(f *testing.F) *population.COG {
	f.Helper()
	fuzzCOGOnce.Do(func() {
		cog, err := population.LoadCOG(fixtures.FS())
		if err != nil {
			panic(err)
		}
		fuzzCOG = cog
	})
	return fuzzCOG
}

func fixtureText(f *testing.F, name string) string {
	f.Helper()
	data, err := fs.ReadFile(fixtures.FS(), name)
	if err != nil {
		f.Fatal(err)
	}
	return string(data)
}

// fixtureItems cuts a fixture list file into its items' text.
func fixtureItems(text, key string) []string {
	_, list, _ := strings.Cut(text, "\n"+key+":\n")
	var items []string
	for _, it := range strings.Split(list, "\n  - ")[1:] {
		items = append(items, "  - "+strings.TrimRight(it, "\n ")+"\n")
	}
	return items
}

// basePersonas are the first ten personas of the fixtures, the declarants
// of the first foyers among them: what the foyers target loads its foyers
// against, small enough to load in a millisecond.
func basePersonas(f *testing.F) string {
	items := fixtureItems(fixtureText(f, population.PersonasFile), "personas")
	return "personas:\n" + strings.Join(items[:10], "")
}

// checkLoaded asserts what a load must give: an error naming one of the
// files, or a population that Export writes and Load reads back the same.
func checkLoaded(t *testing.T, fsys fstest.MapFS, cog *population.COG, pop *population.Population, err error) {
	t.Helper()
	if err != nil {
		if msg := err.Error(); !strings.Contains(msg, population.PersonasFile) && !strings.Contains(msg, population.FoyersFile) {
			t.Fatalf("the error names neither file: %v", err)
		}
		return
	}
	for _, format := range []population.Format{population.FormatJSON, population.FormatYAML} {
		dir := t.TempDir()
		if err := population.Export(pop, dir, format); err != nil {
			t.Fatalf("a population loaded but not exported in %s: %v", format, err)
		}
		again, err := population.Load(os.DirFS(dir), cog)
		if err != nil {
			exported, _ := os.ReadFile(filepath.Join(dir, population.PersonasJSONFile))
			if format == population.FormatYAML {
				exported, _ = os.ReadFile(filepath.Join(dir, population.PersonasFile))
			}
			t.Fatalf("an exported population does not load (%s): %v\n%s", format, err, exported)
		}
		if !reflect.DeepEqual(again.Personas(), pop.Personas()) {
			t.Fatalf("the personas changed through Export (%s) and Load:\n%+v\n%+v", format, pop.Personas(), again.Personas())
		}
		if len(again.Foyers()) != len(pop.Foyers()) {
			t.Fatalf("%d foyers loaded, %d after Export (%s) and Load", len(pop.Foyers()), len(again.Foyers()), format)
		}
		for _, fo := range pop.Foyers() {
			if _, ok := again.FoyerByID(fo.ID); !ok {
				t.Fatalf("foyer %q lost through Export (%s) and Load", fo.ID, format)
			}
		}
	}
}

// FuzzPersonasFile loads personas.yaml from any bytes.
func FuzzPersonasFile(f *testing.F) {
	items := fixtureItems(fixtureText(f, population.PersonasFile), "personas")
	f.Add([]byte(basePersonas(f)))
	for _, it := range items[:40] {
		f.Add([]byte("personas:\n" + it))
	}
	for _, s := range []string{
		"personas:\n  - id: a\n    login: a\n    given_name: \"A\"\n    family_name: \"B\"\n    birthdate: \"1987-00-00\"\n    gender: unspecified\n    birthplace: \"\"\n    birthcountry: \"99134\"\n",
		"personas:\n  - {id: a, login: a, given_name: A, family_name: B, birthdate: \"2000-02-30\", gender: x, birthplace: \"2A004\", birthcountry: \"99100\"}\n",
		"personas:\n  - id: a\n    spi: \"123\"\n  - id: a\n    spi: \"123\"\n",
		"personas:\n  - id: \"A B\"\n    login: \"a b\"\n    inconnu: 1\n",
		"personas: []\n", "personas: {}\n", "- 1\n", "",
	} {
		f.Add([]byte(s))
	}
	cog := realCOG(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxFile {
			t.Skip()
		}
		fsys := fstest.MapFS{population.PersonasFile: {Data: data}}
		pop, err := population.Load(fsys, cog)
		checkLoaded(t, fsys, cog, pop, err)
	})
}

// FuzzFoyersFile loads foyers.yaml from any bytes, against ten personas.
func FuzzFoyersFile(f *testing.F) {
	for _, it := range fixtureItems(fixtureText(f, population.FoyersFile), "foyers")[:8] {
		f.Add([]byte("foyers:\n" + it))
	}
	for _, s := range []string{
		"foyers:\n  - id: f\n    declarant1: julien-roux\n    residence: {voie: \"1 rue A\", code_postal: \"33000\", commune: \"Bordeaux\"}\n" +
			"    annees:\n      N-1:\n        sitFam: C\n        revenus: {1AJ: 28000, 2TR: 10}\n        rfr: 1\n      N-2:\n        aucune_declaration: true\n",
		"foyers:\n  - id: f\n    declarant1: angela-dubois\n    declarant2: gerard-perrin\n    dependants:\n      - {prenoms: \"A\", nom: \"B\", date_naissance: \"N-30-02-29\", categorie: F}\n" +
			"    residence: {voie: \"1 rue A\", code_postal: \"99999\", commune: \"Nulle part\"}\n    annees:\n      N-1:\n        sitFam: M\n        deces_declarant2: \"13-45\"\n        apres_deces: {revenus: {1AJ: -1}}\n",
		"foyers:\n  - id: f\n    declarant1: hugo-bertin\n    annees: {N-4: {sitFam: Z}}\n",
		"foyers:\n  - id: f\n    declarant1: julien-roux\n  - id: f\n    declarant1: julien-roux\n",
		"foyers: []\n", "foyers:\n  - 1\n", "",
	} {
		f.Add([]byte(s))
	}
	cog := realCOG(f)
	personas := []byte(basePersonas(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxFile {
			t.Skip()
		}
		fsys := fstest.MapFS{population.PersonasFile: {Data: personas}, population.FoyersFile: {Data: data}}
		pop, err := population.Load(fsys, cog)
		checkLoaded(t, fsys, cog, pop, err)
	})
}

// FuzzCOG loads the Insee reference from any two CSV files: an error names
// the file and the line; what loads writes back, as CSV, to files that
// load the same.
func FuzzCOG(f *testing.F) {
	const (
		communes = "code,nom,departement,codes_postaux,population,type\n"
		pays     = "code,nom\n99100,France\n99134,Espagne\n"
	)
	for _, c := range [][2]string{
		{communes + "01001,L'Abergement-Clémenciat,01,01400,860,commune-actuelle\n2A004,Ajaccio,2A,20000 20090,71361,commune-actuelle\n75107,Paris 7e Arrondissement,75,75007,,arrondissement-municipal\n", pays},
		{communes + "01001,\"Nom, avec virgule\",01,,0,commune-deleguee\r\n01002,\"Dit \"\"le\"\" Nom\",01,,,commune-associee\r\n", pays},
		{"\ufeff" + communes + "\n\n01001,A,01,01400,1,commune-actuelle\n", "\ufeffcode,nom\r\n99100,\"France\"\r\n"},
		{communes + "01002,A,01,01400,1,commune-actuelle\n01001,B,01,01400,1,commune-actuelle\n", pays},
		{communes + "1001,A,01,1400,-1,ville\n", "code,nom\n99100,France\n99100,France\n"},
		{communes + "01001,\"A\nB\",01,01400,1,commune-actuelle\n01002,\"non fermé,01,,,commune-actuelle\n", "code,nom\n99100,\"\"x\n"},
		{"code,nom\n", "code,nom,departement\n"},
		{"", ""},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, communes, pays string) {
		if len(communes)+len(pays) > fuzzMaxFile {
			t.Skip()
		}
		cog, err := population.LoadCOG(fstest.MapFS{population.COGCommunesFile: {Data: []byte(communes)}, population.COGCountriesFile: {Data: []byte(pays)}})
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, population.COGCommunesFile) && !strings.HasPrefix(msg, population.COGCountriesFile) {
				t.Fatalf("the error does not start with the file: %v", err)
			}
			return
		}
		var c, p bytes.Buffer
		cw, pw := csv.NewWriter(&c), csv.NewWriter(&p)
		_ = cw.Write([]string{"code", "nom", "departement", "codes_postaux", "population", "type"})
		for _, m := range cog.Communes() {
			_ = cw.Write([]string{m.Code, m.Name, m.Departement, strings.Join(m.PostalCodes, " "), strconv.Itoa(m.Population), m.Type})
		}
		_ = pw.Write([]string{"code", "nom"})
		for _, k := range cog.Countries() {
			_ = pw.Write([]string{k.Code, k.Name})
		}
		cw.Flush()
		pw.Flush()
		again, err := population.LoadCOG(fstest.MapFS{population.COGCommunesFile: {Data: c.Bytes()}, population.COGCountriesFile: {Data: p.Bytes()}})
		if err != nil {
			t.Fatalf("the reference written back does not load: %v\n%s\n%s", err, c.Bytes(), p.Bytes())
		}
		if !reflect.DeepEqual(again.Communes(), cog.Communes()) || !reflect.DeepEqual(again.Countries(), cog.Countries()) {
			t.Fatalf("the reference changed through CSV:\n%+v\n%+v", cog.Communes(), again.Communes())
		}
		for _, m := range cog.Communes() {
			if got, ok := cog.Commune(m.Code); !ok || !reflect.DeepEqual(got, m) {
				t.Fatalf("commune %q not found by its code", m.Code)
			}
		}
	})
}
