package population

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format is how Export writes the personas and the foyers.
type Format string

const (
	// FormatJSON writes personas.json and foyers.json, one item a line:
	// what reads back fast at any size (go-json-experiment), and what a YAML
	// tool reads too. The items' comments are not kept.
	FormatJSON Format = "json"
	// FormatYAML writes personas.yaml and foyers.yaml, comments included,
	// for a population edited by hand: the YAML library reads them, about
	// ten times slower than JSON.
	FormatYAML Format = "yaml"
)

// Export writes pop as a fixture directory that --fixtures can load: its
// personas and its foyers in the format asked, whatever they came from
// (fixture files, the generator, documents applied later), and a copy of
// every other file of the fixtures it was loaded from (clients,
// habilitations, the COG reference…), so that the directory is complete.
// A list file of the other format in dir is removed (the JSON one would
// be read in its place); other files already in dir are left alone.
//
// Loading the directory gives the same population, and exporting the same
// population twice gives the same bytes. Each file starts with a header
// naming where its items came from (in JSON, the "comment" key). In YAML
// the items are written as their sources wrote them, comments included
// (generated items, kept as values, are written as YAML here), followed by
// the documentation of the keys when the source fixture file had one.
func Export(pop *Population, dir string, format Format) error {
	src := pop.Source()
	docs := src.documents()
	roots := map[string]*yaml.Node{} // the fixture files, comments included
	if format == FormatYAML {
		for i, d := range docs {
			if d.data == "" {
				continue
			}
			var err error
			if docs[i], roots[d.File], err = d.nodes(); err != nil {
				return err
			}
		}
	} else if format != FormatJSON {
		return fmt.Errorf("export: format %q: json or yaml", format)
	}
	personas := mergeItems(docs, Document.personaCount, Document.appendPersonaItems)
	foyers := mergeItems(docs, Document.foyerCount, Document.appendFoyerItems)

	type file struct {
		name string
		data []byte
	}
	var files []file
	var stale []string // the lists' files of the other format
	for _, f := range []struct {
		yaml, json, key string
		items           []item
	}{{PersonasFile, PersonasJSONFile, "personas", personas}, {FoyersFile, FoyersJSONFile, "foyers", foyers}} {
		var data []byte
		var err error
		name := f.json
		if format == FormatYAML {
			name = f.yaml
			data, err = encodeItems(f.key, exportHeader(roots[f.yaml], f.yaml, f.items), f.items)
			stale = append(stale, f.json)
		} else {
			data, err = encodeJSONItems(f.key, f.items)
			stale = append(stale, f.yaml)
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		files = append(files, file{name, data})
	}
	if src.Fixtures != nil {
		// Everything else the fixtures hold, read before anything is
		// written: dir may be the directory the population came from.
		err := fs.WalkDir(src.Fixtures, ".", func(name string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case name != "." && strings.HasPrefix(d.Name(), "."):
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			case d.IsDir() || slices.Contains([]string{PersonasFile, FoyersFile, PersonasJSONFile, FoyersJSONFile}, name):
				return nil
			}
			data, err := fs.ReadFile(src.Fixtures, name)
			if err != nil {
				return err
			}
			files = append(files, file{name, data})
			return nil
		})
		if err != nil {
			return fmt.Errorf("export: reading the fixtures: %w", err)
		}
	}
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, f.data, 0o644); err != nil {
			return err
		}
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// encodeJSONItems writes the items as a JSON list file, the header in
// its "comment".
func encodeJSONItems(key string, items []item) ([]byte, error) {
	comment := exportOrigin(items) + " Load this directory with `bacasable --fixtures DIR`; after an edit, " +
		"`bacasable check DIR` names the file, the line and the rule broken. Every person here is fictitious."
	if key == "personas" {
		values := make([]*Persona, len(items))
		for i, it := range items {
			p := it.persona
			if p == nil {
				p = &Persona{}
				if err := it.node.Decode(p); err != nil {
					return nil, err
				}
			}
			values[i] = personaJSONOf(p)
		}
		return encodeJSONList(key, comment, values)
	}
	values := make([]*foyerJSON, len(items))
	for i, it := range items {
		spec := it.foyer
		if spec == nil {
			l := &foyerLoader{file: it.file}
			if spec = l.parseFoyer(it.node); spec == nil || l.errs != nil {
				return nil, l.errs.Err()
			}
		}
		values[i] = foyerJSONOf(spec)
	}
	return encodeJSONList(key, comment, values)
}

// exportHeader says where the items of an exported file come from, then
// repeats the documentation of the source fixture file (root), if any.
func exportHeader(root *yaml.Node, file string, items []item) string {
	lines := []string{
		"# " + exportOrigin(items),
		"# Load this directory with `bacasable --fixtures DIR`; after an edit, `bacasable check DIR`",
		"# names the file, the line and the rule broken. Every person here is fictitious.",
	}
	if root != nil && len(root.Content) > 0 && root.Content[0].HeadComment != "" {
		lines = append(lines, "#", "# The header of the original "+file+":", "#", root.Content[0].HeadComment)
	}
	return strings.Join(lines, "\n")
}

// exportOrigin says where the items come from.
func exportOrigin(items []item) string {
	var origins []string
	for _, it := range items {
		if !slices.Contains(origins, it.file) {
			origins = append(origins, it.file)
		}
	}
	from := "nothing (no item)"
	if len(origins) > 0 {
		from = strings.Join(origins, ", ")
	}
	return "Exported by `bacasable export` from: " + from + "."
}

// encodeItems writes header, "key:" and the items, a blank line between
// items as the fixture files have. Each item is encoded on its own and
// indented into the sequence: yaml.v3's emitter keeps every event of a
// document, which makes one document of 100 000 items take gigabytes.
func encodeItems(key, header string, items []item) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(items) * 512)
	buf.WriteString(header)
	buf.WriteByte('\n')
	if len(items) == 0 {
		buf.WriteString(key + ": []\n")
		return buf.Bytes(), nil
	}
	buf.WriteString(key + ":\n")
	var one bytes.Buffer
	b := newNodeBuilder()
	for i, it := range items {
		if i > 0 {
			buf.WriteByte('\n')
		}
		node := it.yamlNode(b)
		one.Reset()
		enc := yaml.NewEncoder(&one)
		enc.SetIndent(2)
		if err := enc.Encode(node); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		indentItem(&buf, one.Bytes())
	}
	return buf.Bytes(), nil
}

// indentItem writes the YAML of one item as an entry of a block sequence
// indented by two spaces: its comments, "  - " before its first line and
// four spaces before the others (empty lines, which may belong to a block
// scalar, stay empty).
func indentItem(buf *bytes.Buffer, data []byte) {
	first := true
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		switch {
		case len(bytes.TrimSpace(line)) == 0:
		case first && line[0] == '#':
			buf.WriteString("  ")
		case first:
			buf.WriteString("  - ")
			first = false
		default:
			buf.WriteString("    ")
		}
		buf.Write(line)
	}
}
