package population

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
)

// loadDir loads a fixture directory as --fixtures does.
func loadDir(t *testing.T, dir string) *Population {
	t.Helper()
	fsys := os.DirFS(dir)
	cog, err := LoadCOG(fsys)
	if err != nil {
		t.Fatalf("LoadCOG(%s): %v", dir, err)
	}
	pop, err := Load(fsys, cog)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return pop
}

// samePopulation reports every difference a service could see between two
// populations: personas, foyers, roles and the avis of every SPI.
func samePopulation(t *testing.T, want, got *Population) {
	t.Helper()
	if len(got.Personas()) != len(want.Personas()) {
		t.Fatalf("%d personas, want %d", len(got.Personas()), len(want.Personas()))
	}
	for i, w := range want.Personas() {
		if g := got.Personas()[i]; !reflect.DeepEqual(*g, *w) {
			t.Errorf("persona %d:\n got %+v\nwant %+v", i, *g, *w)
		}
		if got.FoyerRole(w.ID) != want.FoyerRole(w.ID) {
			t.Errorf("persona %s: role %q, want %q", w.ID, got.FoyerRole(w.ID), want.FoyerRole(w.ID))
		}
	}
	if len(got.Foyers()) != len(want.Foyers()) {
		t.Fatalf("%d foyers, want %d", len(got.Foyers()), len(want.Foyers()))
	}
	id := func(p *Persona) string {
		if p == nil {
			return ""
		}
		return p.ID
	}
	for i, w := range want.Foyers() {
		g := got.Foyers()[i]
		if g.ID != w.ID || id(g.Declarant1) != id(w.Declarant1) || id(g.Declarant2) != id(w.Declarant2) || g.Residence != w.Residence {
			t.Errorf("foyer %d: got %s (%s, %s, %v), want %s (%s, %s, %v)", i, g.ID, id(g.Declarant1), id(g.Declarant2), g.Residence,
				w.ID, id(w.Declarant1), id(w.Declarant2), w.Residence)
		}
		if len(g.Dependants) != len(w.Dependants) {
			t.Errorf("foyer %s: %d dependants, want %d", w.ID, len(g.Dependants), len(w.Dependants))
			continue
		}
		for j, wd := range w.Dependants {
			gd := g.Dependants[j]
			if id(gd.Persona) != id(wd.Persona) || gd.Prenoms != wd.Prenoms || gd.Nom != wd.Nom || gd.DateNaissance != wd.DateNaissance ||
				gd.Categorie != wd.Categorie || gd.BirthDate(ref) != wd.BirthDate(ref) {
				t.Errorf("foyer %s, dependant %d: got %+v, want %+v", w.ID, j, gd, wd)
			}
		}
	}
	for _, p := range want.Personas() {
		if p.SPI == "" {
			continue
		}
		for annrev := ref - 3; annrev <= ref; annrev++ {
			wf, wa, wok := want.AvisBySPI(p.SPI, annrev, ref)
			gf, ga, gok := got.AvisBySPI(p.SPI, annrev, ref)
			if wok != gok || (wf == nil) != (gf == nil) || wf != nil && wf.ID != gf.ID || !reflect.DeepEqual(ga, wa) {
				t.Errorf("AvisBySPI(%s, %d) differs:\n got %v %+v\nwant %v %+v", p.SPI, annrev, gok, ga, wok, wa)
			}
		}
	}
}

// Both formats read back as the population exported, whatever its items
// came from: a fixture file, a later document, the generator.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	// A later document replaces a fixture persona, as the control API does:
	// the export holds the replacement.
	replacement := Document{File: "control API", Personas: []*yaml.Node{mustNode(t, `
id: julien-roux
login: julien.roux
spi: "3999999811143"
given_name: "Julien Marc"
family_name: "ROUX"
preferred_username: ""
birthdate: "1994-06-02"
gender: male
birthplace: "69383"
birthcountry: "99100"
email: "julien.roux@bacasable.example"
situation: "Remplacé par l'API de contrôle"
`)}}
	g := Generator{N: 600, Seed: 11}
	pop, err := Build(Source{Fixtures: fixtures.FS(), Generate: g.Documents, Documents: []Document{replacement}}, cog)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format          Format
		personas, stale string
		content         []string
	}{
		{FormatJSON, PersonasJSONFile, PersonasFile, []string{
			"{\"comment\": \"Exported by `bacasable export` from: personas.yaml, control API, " + g.Name() + ".",
			"\n\"personas\": [\n{\"id\":\"angela-dubois\",", // one item a line
			"\n{\"id\":\"gen-000001\",\"login\":\"gen.",     // the default password left out
			`"situation":"Remplacé par l'API de contrôle"}`, // not escaped
		}},
		{FormatYAML, PersonasFile, PersonasJSONFile, []string{
			"# Exported by `bacasable export` from: personas.yaml, control API, " + g.Name() + ".",
			"# Keys of each persona:",                                 // the original header
			"# ── The real platform's demo account and her household", // the items' comments
			"\n\n  - id: gen-000001\n",                                // a blank line between items
		}},
	} {
		t.Run(string(c.format), func(t *testing.T) {
			dir := t.TempDir()
			// A list of the other format would be read in place of the
			// exported one: the export removes it.
			if err := os.WriteFile(filepath.Join(dir, c.stale), []byte("stale"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := Export(pop, dir, c.format); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, c.stale)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s is still there (%v)", c.stale, err)
			}
			back := loadDir(t, dir)
			samePopulation(t, pop, back)
			if p, _ := back.ByID("julien-roux"); p.GivenName != "Julien Marc" {
				t.Errorf("the replaced persona was exported as %+v", p)
			}
			personas, err := os.ReadFile(filepath.Join(dir, c.personas))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range c.content {
				if !bytes.Contains(personas, []byte(want)) {
					t.Errorf("%s lacks %q", c.personas, want)
				}
			}
			// The other fixture files are copied as they are.
			err = fs.WalkDir(fixtures.FS(), ".", func(name string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || name == PersonasFile || name == FoyersFile {
					return err
				}
				want, _ := fs.ReadFile(fixtures.FS(), name)
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s is not a copy of the fixtures' (%v)", name, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// Exported again from the directory (into itself), in either
			// format: the same population.
			for _, again := range []Format{c.format, FormatJSON, FormatYAML} {
				if err := Export(loadDir(t, dir), dir, again); err != nil {
					t.Fatal(err)
				}
				samePopulation(t, pop, loadDir(t, dir))
			}
		})
	}
}

func mustNode(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// TestExportIsDeterministic: the same seed exports the same bytes, another
// seed other bytes, in either format.
func TestExportIsDeterministic(t *testing.T) {
	t.Parallel()
	for _, format := range []Format{FormatJSON, FormatYAML} {
		files := []string{PersonasJSONFile, FoyersJSONFile}
		if format == FormatYAML {
			files = []string{PersonasFile, FoyersFile}
		}
		export := func(seed int64) map[string][]byte {
			pop := generated(t, Generator{N: 800, Seed: seed})
			dir := t.TempDir()
			if err := Export(pop, dir, format); err != nil {
				t.Fatal(err)
			}
			out := map[string][]byte{}
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				out[f] = data
			}
			return out
		}
		a, b, c := export(21), export(21), export(22)
		for _, f := range files {
			if !bytes.Equal(a[f], b[f]) {
				t.Errorf("%s: two exports with seed 21 differ", f)
			}
			if bytes.Equal(a[f], c[f]) {
				t.Errorf("%s: seeds 21 and 22 export the same bytes", f)
			}
		}
		if !strings.Contains(string(a[files[1]]), "--seed 21") {
			t.Errorf("%s does not name the seed", files[1])
		}
	}
}

// An export without foyers (fixtures without foyers.yaml) still loads.
func TestExportWithoutFoyers(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	if err := os.CopyFS(src, fixtures.FS()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(src, FoyersFile)); err != nil {
		t.Fatal(err)
	}
	pop := loadDir(t, src)
	dir := t.TempDir()
	if err := Export(pop, dir, FormatJSON); err != nil {
		t.Fatal(err)
	}
	back := loadDir(t, dir)
	samePopulation(t, pop, back)
	if len(back.Foyers()) != 0 {
		t.Errorf("%d foyers", len(back.Foyers()))
	}
}

// BenchmarkExport100k measures bacasable export --population 100000 (in
// JSON).
func BenchmarkExport100k(b *testing.B) {
	pop := generated(b, Generator{N: 100_000, Seed: 1})
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := Export(pop, dir, FormatJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadJSON100k measures what `bacasable --fixtures DIR` does with
// the JSON export of --population 100000: read the files, check and build
// the population.
func BenchmarkLoadJSON100k(b *testing.B) {
	dir := b.TempDir()
	if err := Export(generated(b, Generator{N: 100_000, Seed: 1}), dir, FormatJSON); err != nil {
		b.Fatal(err)
	}
	fsys := os.DirFS(dir)
	cog, err := LoadCOG(fsys)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		pop, err := Load(fsys, cog)
		if err != nil {
			b.Fatal(err)
		}
		if len(pop.Personas()) < 100_000 {
			b.Fatal(len(pop.Personas()))
		}
	}
}

// 5 000 generated personas and their foyers read back as exported, in
// either format.
func TestExportRoundTrip5000(t *testing.T) {
	if testing.Short() {
		t.Skip("exports and reads 5 000 personas twice")
	}
	t.Parallel()
	pop := generated(t, Generator{N: 5000, Seed: 3})
	for _, format := range []Format{FormatJSON, FormatYAML} {
		dir := t.TempDir()
		if err := Export(pop, dir, format); err != nil {
			t.Fatal(err)
		}
		samePopulation(t, pop, loadDir(t, dir))
	}
}

// TestExportThenGenerateSame: a directory exported with --population N
// --seed S, read back with the same --population and --seed, has its
// generated personas and foyers replaced by the same ones (ids equal):
// the population builds, without the panic settle had when the items were
// not in the documents' order.
func TestExportThenGenerateSame(t *testing.T) {
	t.Parallel()
	cog := genCOG(t)
	g := Generator{N: 300, Seed: 5}
	pop, err := Build(Source{Fixtures: fixtures.FS(), Generate: g.Documents}, cog)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []Format{FormatJSON, FormatYAML} {
		t.Run(string(format), func(t *testing.T) {
			dir := t.TempDir()
			if err := Export(pop, dir, format); err != nil {
				t.Fatal(err)
			}
			fsys := os.DirFS(dir)
			again, err := Build(Source{Fixtures: fsys, Generate: g.Documents}, cog)
			if err != nil {
				t.Fatalf("the export with its own generator again: %v", err)
			}
			samePopulation(t, pop, again)
			// The population rebuilds from its source (as a reset does).
			if _, err := Build(again.Source(), cog); err != nil {
				t.Fatalf("rebuilt: %v", err)
			}
		})
	}
}
