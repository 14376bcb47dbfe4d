package population

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/simulator/fixture"
)

// jsonFixtures is a directory holding the embedded fixtures exported in
// JSON, and the lines of its two lists.
func jsonFixtures(t *testing.T) (dir string, lines map[string][]string) {
	t.Helper()
	pop, err := Build(Source{Fixtures: fixtures.FS()}, genCOG(t))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if err := Export(pop, dir, FormatJSON); err != nil {
		t.Fatal(err)
	}
	lines = map[string][]string{}
	for _, f := range []string{PersonasJSONFile, FoyersJSONFile} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		lines[f] = strings.Split(string(data), "\n")
	}
	return dir, lines
}

// lineOf is the 1-based line of lines holding s.
func lineOf(t *testing.T, lines []string, s string) int {
	t.Helper()
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, s) })
	if i < 0 {
		t.Fatalf("no line holds %q", s)
	}
	return i + 1
}

// A problem in a JSON list is reported with the file and the line: of the
// item for a broken rule or a key the item does not have, of the character
// the decoder stopped at for broken JSON.
func TestJSONErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	_, lines := jsonFixtures(t)
	angela := lineOf(t, lines[PersonasJSONFile], `{"id":"angela-dubois"`)
	dubois := lineOf(t, lines[FoyersJSONFile], `{"id":"dubois-perrin"`)
	tests := []struct {
		name, file string
		edit       func(l string) string // of the item's line
		line       int
		want       string
	}{
		{"rule", PersonasJSONFile, func(l string) string { return strings.Replace(l, `"gender":"female"`, `"gender":"femme"`, 1) },
			angela, `persona "angela-dubois": gender "femme" must be male, female or unspecified`},
		{"unknown key", PersonasJSONFile, func(l string) string { return strings.Replace(l, `"birthdate"`, `"birth_date"`, 1) },
			angela, `unknown key "birth_date"`},
		{"type", PersonasJSONFile, func(l string) string { return strings.Replace(l, `"spi":"3999999887219"`, `"spi":3999999887219`, 1) },
			angela, "spi: a JSON number where a string is expected"},
		{"syntax", PersonasJSONFile, func(l string) string { return strings.Replace(l, `"login":`, `"login"`, 1) },
			angela, `invalid character '"' after object name (expecting ':')`},
		{"foyer rule", FoyersJSONFile, func(l string) string {
			return strings.Replace(l, `"declarant1":"angela-dubois"`, `"declarant1":"personne"`, 1)
		},
			dubois, `declarant1 "personne" is not a persona id of personas.json`},
		{"foyer shape", FoyersJSONFile, func(l string) string { return strings.Replace(l, `"residence"`, `"residance"`, 1) },
			dubois, `unknown key "residance"`},
		{"year", FoyersJSONFile, func(l string) string { return strings.Replace(l, `"N-1"`, `"N-4"`, 1) },
			dubois, `unknown key "N-4"`},
		{"amount", FoyersJSONFile, func(l string) string { return strings.Replace(l, `"1AJ":`, `"1AJ":1.5,"1ZZ":`, 1) },
			dubois, "annees.N-1.revenus: 1AJ: the amount must be a whole number of euros, not 1.5"},
		{"revenus", FoyersJSONFile, func(l string) string { return strings.Replace(l, `"revenus":{`, `"revenus":[],"x":{`, 1) },
			dubois, "annees.N-1.revenus: revenus must map declaration codes to amounts"},
		{"revenue code", FoyersJSONFile, func(l string) string { return strings.Replace(l, `"1AJ"`, `"1ZZ"`, 1) },
			dubois, `unknown revenue code "1ZZ"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, lines := jsonFixtures(t)
			edited := slices.Clone(lines[tt.file])
			if edited[tt.line-1] = tt.edit(edited[tt.line-1]); edited[tt.line-1] == lines[tt.file][tt.line-1] {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(strings.Join(edited, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(os.DirFS(dir), genCOG(t))
			var fe fixture.Errors
			var one *fixture.Error
			switch {
			case errors.As(err, &fe) && len(fe) > 0:
				one = fe[0]
			case errors.As(err, &one):
			default:
				t.Fatalf("Load = %v, want a fixture error", err)
			}
			if one.File != tt.file || one.Line != tt.line || !strings.Contains(one.Msg, tt.want) {
				t.Errorf("Load = %v, want %s:%d: …%s…", err, tt.file, tt.line, tt.want)
			}
		})
	}
}

// The shape of the file: one object, its list and a comment.
func TestJSONFileShape(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ data, want string }{
		{`{"personas": [`, "personas.json:1: unexpected end of the file"},
		{`[]`, `personas.json:1: expected "{", found [`},
		{`{"comment": "x"}`, `personas.json: missing top-level key "personas"`},
		{"{\"personas\": [],\n\"foyers\": []}", `personas.json:2: unknown key "foyers" (known keys: comment, personas)`},
		{`{"personas": []} {}`, "personas.json:1: text after the object"},
		{"{\"personas\": [\n{\"id\": 1}]}", "personas.json:2: id: a JSON number where a string is expected"},
		{"{\"personas\": [\n{\"id\": \"a\",\n\"id\": \"b\"}]}", `personas.json:3: key "id" is given twice`},
		{"{\"personas\": [],\n\"personas\": []}", `personas.json:2: key "personas" is given twice`},
	} {
		_, err := readJSONList([]byte(tt.data), PersonasJSONFile, "personas")
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v, want %s", tt.data, err, tt.want)
		}
	}
}

// A control API change that breaks a foyer of foyers.json names the
// foyer's line there, as it does for foyers.yaml.
func TestJSONLineAfterAChange(t *testing.T) {
	t.Parallel()
	dir, lines := jsonFixtures(t)
	pop, err := Load(os.DirFS(dir), genCOG(t))
	if err != nil {
		t.Fatal(err)
	}
	p := *mustPersona(t, pop, "angela-dubois")
	p.SPI = ""
	_, err = NewLive(pop).Apply(Document{File: "control API", Personas: []*yaml.Node{newNodeBuilder().persona(&p)}})
	want := lineOf(t, lines[FoyersJSONFile], `{"id":"dubois-perrin"`)
	var errs fixture.Errors
	if !errors.As(err, &errs) || !slices.ContainsFunc(errs, func(e *fixture.Error) bool {
		return e.File == FoyersJSONFile && e.Line == want && strings.Contains(e.Msg, `"angela-dubois" has no SPI in personas.json`)
	}) {
		t.Errorf("Apply = %v, want foyers.json:%d", err, want)
	}
}

// A file laid out by hand (indented, items over several lines) names the
// line where the item starts, or where the decoder stopped.
func TestJSONLinesOfAnIndentedFile(t *testing.T) {
	t.Parallel()
	data := "{\n  \"comment\": \"by hand\",\n  \"personas\": [\n    {\n      \"id\": \"a\"\n    },\n\n    {\n      \"id\": \"b\",\n      \"birth_date\": \"x\"\n    }\n  ]\n}\n"
	var lines []int
	_, err := readJSONList([]byte(data), PersonasJSONFile, "personas")
	if err == nil || err.Error() != `personas.json:10: unknown key "birth_date"` {
		t.Errorf("error = %v", err)
	}
	err = decodeJSONList([]byte(strings.Replace(data, `"birth_date": "x"`, `"login": "b"`, 1)), PersonasJSONFile, "personas",
		func() *Persona { return new(Persona) }, func(_ *Persona, line int) { lines = append(lines, line) })
	if err != nil || !slices.Equal(lines, []int{4, 8}) {
		t.Errorf("items at lines %v (%v), want 4 and 8", lines, err)
	}
}
