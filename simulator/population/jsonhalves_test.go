package population

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// exportedFoyers is foyers.json as Export writes it for n generated
// personas.
func exportedFoyers(t *testing.T, n int) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := Export(generated(t, Generator{N: n, Seed: 5}), dir, FormatJSON); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FoyersJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// foyersInOne decodes foyers.json with one decoder, as when the halves
// are not used.
func foyersInOne(t *testing.T, data []byte) ([]*foyerSpec, error) {
	t.Helper()
	var foyers []*foyerSpec
	read := foyerReader{file: FoyersJSONFile, shared: map[string]string{}, errs: new(fixture.Errors)}
	err := decodeJSONList(data, FoyersJSONFile, "foyers", read.next, func(f *foyerJSON, line int) {
		foyers = append(foyers, read.spec(f, line))
	})
	return foyers, err
}

// A large foyers.json decoded in two halves gives the foyers, lines and
// problems one decoder gives, and leaves the file as it was.
func TestFoyerHalvesAsOne(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 12 000 personas")
	}
	data := exportedFoyers(t, 12_000)
	want, err := foyersInOne(t, data)
	if err != nil {
		t.Fatal(err)
	}
	before := bytes.Clone(data)
	got, errs, ok := decodeFoyerHalves(data, FoyersJSONFile, "foyers")
	if !ok {
		t.Fatalf("the export of 12 000 personas (%d bytes) was not decoded in halves", len(data))
	}
	if len(errs) != 0 {
		t.Errorf("problems: %v", errs)
	}
	if !bytes.Equal(data, before) {
		t.Error("the file was changed")
	}
	if len(got) != len(want) {
		t.Fatalf("%d foyers in halves, %d in one", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("foyer %d in halves: %+v\nin one: %+v", i, got[i], want[i])
		}
	}
}

// An error in either half, or a file not as an export writes it, is
// reported as one decoder reports it.
func TestFoyerHalvesErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 12 000 personas")
	}
	data := exportedFoyers(t, 12_000)
	lines := strings.SplitAfter(string(data), "\n")
	edits := map[string]func([]string){
		"duplicate key in the second half": func(l []string) {
			i := len(l) * 3 / 4
			l[i] = strings.Replace(l[i], `{"id":`, `{"id":"x","id":`, 1)
		},
		"unknown key in the first half": func(l []string) {
			i := len(l) / 4
			l[i] = strings.Replace(l[i], `"declarant1":`, `"declarant_1":`, 1)
		},
		"comment after the list": func(l []string) {
			l[len(l)-1] = strings.Replace(l[len(l)-1], "]}", `], "comment": "again"}`, 1)
		},
		"text after the object": func(l []string) {
			l[len(l)-1] += "{}"
		},
		"item on two lines": func(l []string) {
			i := len(l)/2 + 1
			l[i] = strings.Replace(l[i], `,"residence":`, ",\n"+`"residence":`, 1)
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			l := append([]string(nil), lines...)
			edit(l)
			file := []byte(strings.Join(l, ""))
			_, want := foyersInOne(t, file)
			doc, got := readJSONList(file, FoyersJSONFile, "foyers")
			if want == nil {
				if got != nil || doc == nil {
					t.Fatalf("readJSONList: %v, want no error", got)
				}
				return
			}
			if got == nil || got.Error() != want.Error() {
				t.Errorf("readJSONList: %v\nwant %v", got, want)
			}
		})
	}
}

// personas.json decoded by personaDecoder gives what the general decoder
// gives, escapes included; an item it does not know is left to the
// general decoder.
func TestPersonaDecoderAsGeneral(t *testing.T) {
	data := []byte(`{"comment": "c",
"personas": [
{"id":"a","login":"a.b","spi":"3999999887219","given_name":"Ana \"Lou\" \u00e9","family_name":"B\\C","preferred_username":"","birthdate":"1962-08-24","gender":"female","birthplace":"75107","birthcountry":"99100","email":"a@b.example","situation":"x","scenario":"s","password":"p"},
{"id":"b","login":"b","given_name":"B","family_name":"B\\C","preferred_username":"","birthdate":"1962-08-24","gender":"female","birthplace":"75107","birthcountry":"99100","email":"b@b.example","situation":"x"}
]}`)
	decode := func(fast bool) []*Persona {
		var got []*Persona
		var decoder func(*jsontext.Decoder, *Persona) error
		if fast {
			decoder = (&personaDecoder{shared: map[string]string{}}).decode
		}
		err := decodeJSONListWith(data, PersonasJSONFile, "personas", decoder, func() *Persona { return new(Persona) }, func(p *Persona, _ int) {
			got = append(got, p)
		})
		if err != nil {
			t.Fatalf("fast %v: %v", fast, err)
		}
		return got
	}
	if got, want := decode(true), decode(false); !reflect.DeepEqual(got, want) {
		t.Errorf("fast: %+v\ngeneral: %+v", got, want)
	}
	for _, item := range []string{`{"id":null}`, `{"id":1}`, `{"ID":"a"}`, `{"\u0069d":"a"}`, `[]`} {
		err := decodeJSONListWith([]byte(`{"personas":[`+item+`]}`), PersonasJSONFile, "personas", (&personaDecoder{shared: map[string]string{}}).decode, func() *Persona { return new(Persona) }, func(*Persona, int) {})
		if err != errGeneralDecoder {
			t.Errorf("%s: %v, want errGeneralDecoder", item, err)
		}
	}
}
