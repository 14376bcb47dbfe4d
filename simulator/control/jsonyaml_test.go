package control_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/population"
)

func TestYAMLNodeKeepsTheBodyLines(t *testing.T) {
	t.Parallel()
	body := "{\n\t\"id\": \"jeanne-martin\",\n  \"situation\": \"cantine\\/parking \\u00e9t\\u00e9\",\n  \"n\": [1, 2.5,\n    {\"b\": null, \"c\": true}]\n}"
	n, err := control.YAMLNode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind != yaml.MappingNode || len(n.Content) != 6 {
		t.Fatalf("root: kind %v, %d children", n.Kind, len(n.Content))
	}
	want := []struct {
		key, value, tag string
		line            int
	}{
		{"id", "jeanne-martin", "!!str", 2},
		{"situation", "cantine/parking été", "!!str", 3},
		{"n", "", "!!seq", 4},
	}
	for i, w := range want {
		k, v := n.Content[2*i], n.Content[2*i+1]
		if k.Value != w.key || v.Value != w.value || v.Tag != w.tag || k.Line != w.line || v.Line != w.line {
			t.Errorf("%s: got key %q line %d, value %q tag %s line %d", w.key, k.Value, k.Line, v.Value, v.Tag, v.Line)
		}
	}
	seq := n.Content[5]
	if seq.Content[0].Tag != "!!int" || seq.Content[1].Tag != "!!float" || seq.Content[2].Line != 5 {
		t.Errorf("sequence: %+v %+v line %d", seq.Content[0], seq.Content[1], seq.Content[2].Line)
	}
	obj := seq.Content[2]
	if obj.Content[1].Tag != "!!null" || obj.Content[3].Tag != "!!bool" || obj.Content[3].Value != "true" {
		t.Errorf("object: %+v", obj.Content)
	}
}

func TestYAMLNodeDecodesLikeAFixture(t *testing.T) {
	t.Parallel()
	n, err := control.YAMLNode([]byte(`{"id": "x", "login": "x", "spi": "3999999887219", "birthdate": "1990-01-01"}`))
	if err != nil {
		t.Fatal(err)
	}
	var p population.Persona
	if err := n.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.ID != "x" || p.SPI != "3999999887219" || p.Birthdate != "1990-01-01" {
		t.Errorf("decoded %+v", p)
	}
}

func TestYAMLNodeRefusesDuplicateKeys(t *testing.T) {
	t.Parallel()
	_, err := control.YAMLNode([]byte("{\"id\": \"a\",\n \"id\": \"b\"}"))
	if err == nil || !strings.Contains(err.Error(), `line 2: key "id" is already given at line 1`) {
		t.Errorf("err = %v", err)
	}
}
