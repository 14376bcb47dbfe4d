package population

import (
	"io/fs"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
)

// watchedCOG is the embedded fixtures, counting the opens of their COG
// files: read tells whether a LazyCOG of it was read.
type watchedCOG struct {
	fs.FS
	opened atomic.Int32
}

func newWatchedCOG() *watchedCOG { return &watchedCOG{FS: fixtures.FS()} }

func (w *watchedCOG) Open(name string) (fs.File, error) {
	if strings.HasPrefix(name, "cog/") {
		w.opened.Add(1)
	}
	return w.FS.Open(name)
}

func (w *watchedCOG) read() bool { return w.opened.Load() > 0 }

// The embedded defaults, which the tests check against the embedded COG
// (embedded, TestEmbedded*), build without reading a LazyCOG: the
// population is the one a full check builds, and the COG is read on its
// first use, by the first avis.
func TestCOGCheckedLeavesTheLazyCOGUnread(t *testing.T) {
	watched := newWatchedCOG()
	pop, err := Build(Source{Fixtures: fixtures.FS(), COGChecked: true}, LazyCOG(watched))
	if err != nil {
		t.Fatal(err)
	}
	if watched.read() {
		t.Fatal("Build read the COG of fixtures the tests checked")
	}
	full := embedded(t)
	if !reflect.DeepEqual(pop.Personas(), full.Personas()) {
		t.Error("the personas differ from those of a build checked against the COG")
	}
	if got, want := len(pop.Foyers()), len(full.Foyers()); got != want {
		t.Fatalf("%d foyers, want %d", got, want)
	}
	for i, f := range pop.Foyers() {
		if g := full.Foyers()[i]; f.ID != g.ID || f.Residence != g.Residence {
			t.Errorf("foyer %d: %s %+v, want %s %+v", i, f.ID, f.Residence, g.ID, g.Residence)
		}
	}
	_, got := avisOf(t, pop, spiAngela, ref)
	if !watched.read() {
		t.Fatal("an avis, which names the declarants' birthplaces, did not read the COG")
	}
	if _, want := avisOf(t, full, spiAngela, ref); !reflect.DeepEqual(got, want) {
		t.Errorf("avis of %s:\n got %+v\nwant %+v", spiAngela, got, want)
	}
}

// Only the fixture files are trusted: a document applied later (the
// control API's) is checked against the COG, which is then read.
func TestCOGCheckedStillChecksLaterDocuments(t *testing.T) {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(`
id: nee-nulle-part
login: nee.nulle.part
given_name: Anne
family_name: NULLEPART
birthdate: "1980-01-01"
gender: female
birthplace: "00000"
birthcountry: "99100"
`), &node); err != nil {
		t.Fatal(err)
	}
	watched := newWatchedCOG()
	_, err := Build(Source{Fixtures: fixtures.FS(), COGChecked: true,
		Documents: []Document{{File: "control API", Personas: []*yaml.Node{node.Content[0]}}}}, LazyCOG(watched))
	if err == nil || !strings.Contains(err.Error(), `birthplace "00000" is not an Insee commune code`) {
		t.Fatalf("Build = %v, want the birthplace refused", err)
	}
	if !watched.read() {
		t.Error("the document was checked without reading the COG")
	}
}

// COGChecked trusts the files: their codes are not looked up (that is the
// point), while the rules that need no COG still apply.
func TestCOGCheckedTrustsTheFilesCodes(t *testing.T) {
	const persona = `personas:
  - id: a
    login: a
    given_name: Anne
    family_name: A
    birthdate: "1980-01-01"
    gender: female
    birthplace: "BIRTHPLACE"
    birthcountry: "COUNTRY"
`
	for _, tc := range []struct {
		name, birthplace, country, wantErr string
	}{
		{"unknown commune, trusted", "00000", "99100", ""},
		{"unknown country, trusted", "", "99999", ""},
		{"born abroad with a birthplace", "75107", "99134", "birthplace must be empty when born abroad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.NewReplacer("BIRTHPLACE", tc.birthplace, "COUNTRY", tc.country).Replace(persona)
			watched := newWatchedCOG()
			_, err := Build(Source{Fixtures: fstest.MapFS{PersonasFile: {Data: []byte(data)}}, COGChecked: true}, LazyCOG(watched))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Build: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Build = %v, want %q", err, tc.wantErr)
			}
			if watched.read() {
				t.Error("Build read the COG")
			}
		})
	}
}

// A LazyCOG of files that do not load is a defect of the build: its first
// use says why.
func TestLazyCOGThatDoesNotLoad(t *testing.T) {
	cog := LazyCOG(fstest.MapFS{})
	defer func() {
		if v, _ := recover().(string); !strings.Contains(v, "the COG reference does not load") {
			t.Fatalf("recover() = %v, want the load's error", v)
		}
	}()
	cog.Commune("75107")
	t.Fatal("no panic")
}
