package control_test

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/population"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	raw, err := fs.ReadFile(openapi.FS(), control.ContractFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestFixtureEntriesAreValidBodies: every entry of the fixture files, sent
// as JSON, passes the contract, so the contract refuses no key the loader
// knows.
func TestFixtureEntriesAreValidBodies(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t)
	for _, tc := range []struct{ file, key, schema string }{
		{population.PersonasFile, "personas", "Persona"},
		{population.FoyersFile, "foyers", "FoyerFixture"},
	} {
		raw, err := fs.ReadFile(fixtures.FS(), tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var file map[string][]any
		if err := yaml.Unmarshal(raw, &file); err != nil {
			t.Fatal(err)
		}
		schema := doc.Components.Schemas[tc.schema].Value
		for _, entry := range file[tc.key] {
			data, err := json.Marshal(entry)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			if err := schema.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
				t.Errorf("%s, entry %v: %v", tc.file, v.(map[string]any)["id"], err)
			}
		}
		if len(file[tc.key]) == 0 {
			t.Errorf("%s: no entry", tc.file)
		}
	}
}

// TestPersonaSchemaFollowsTheStruct: each key of population.Persona is a
// property of the Persona schema, named alike in YAML and JSON (the API
// shows a persona with its fixture keys).
func TestPersonaSchemaFollowsTheStruct(t *testing.T) {
	t.Parallel()
	props := loadDoc(t).Components.Schemas["Persona"].Value.Properties
	typ := reflect.TypeOf(population.Persona{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		y, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		j, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if y == "" || y == "-" {
			continue
		}
		if y != j {
			t.Errorf("Persona.%s: yaml %q, json %q", f.Name, y, j)
		}
		if props[y] == nil {
			t.Errorf("Persona.%s: %q is not a property of the contract's Persona", f.Name, y)
		}
	}
}
