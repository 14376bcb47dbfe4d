package population

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// Export writes pop as a fixture directory that --fixtures can load: its
// personas in personas.yaml and its foyers in foyers.yaml, whatever they
// came from (fixture files, the generator, documents applied later), and a
// copy of every other file of the fixtures it was loaded from (clients,
// habilitations, the COG reference…), so that the directory is complete.
// Files already in dir that the export does not write are left alone.
//
// The items are written as their sources wrote them, comments included
// (generated items, kept as values, are written as YAML here), so that
// loading the directory gives the same population, and exporting the same
// population twice gives the same bytes. Each file starts with a header
// naming where its items came from, followed by the documentation of the
// keys when the source fixture file had one.
func Export(pop *Population, dir string) error {
	src := pop.Source()
	docs := src.documents()
	roots := map[string]*yaml.Node{} // the fixture files, comments included
	for i, d := range docs {
		if d.data == "" {
			continue
		}
		var err error
		if docs[i], roots[d.File], err = d.nodes(); err != nil {
			return err
		}
	}
	personas := mergeItems(docs, Document.personaItems)
	foyers := mergeItems(docs, Document.foyerItems)

	type file struct {
		name string
		data []byte
	}
	var files []file
	for _, f := range []struct {
		name, key string
		items     []item
	}{{PersonasFile, "personas", personas}, {FoyersFile, "foyers", foyers}} {
		data, err := encodeItems(f.key, exportHeader(roots[f.name], f.name, f.items), f.items)
		if err != nil {
			return fmt.Errorf("export %s: %w", f.name, err)
		}
		files = append(files, file{f.name, data})
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
			case d.IsDir() || name == PersonasFile || name == FoyersFile:
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
	return nil
}

// exportHeader says where the items of an exported file come from, then
// repeats the documentation of the source fixture file (root), if any.
func exportHeader(root *yaml.Node, file string, items []item) string {
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
	lines := []string{
		"# Exported by `bacasable export` from: " + from + ".",
		"# Load this directory with `bacasable --fixtures DIR`; after an edit, `bacasable check DIR`",
		"# names the file, the line and the rule broken. Every person here is fictitious.",
	}
	if root != nil && len(root.Content) > 0 && root.Content[0].HeadComment != "" {
		lines = append(lines, "#", "# The header of the original "+file+":", "#", root.Content[0].HeadComment)
	}
	return strings.Join(lines, "\n")
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
	var plain []byte
	b := newNodeBuilder()
	for i, it := range items {
		if i > 0 {
			buf.WriteByte('\n')
		}
		node := it.yamlNode(b)
		// Items made of plain shapes (the generated ones) are written
		// directly; the others by yaml.v3.
		var ok bool
		if plain, ok = appendPlainItem(plain[:0], node); ok {
			buf.Write(plain)
			continue
		}
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

// appendPlainItem appends item as an entry of the block sequence, laid out
// as yaml.v3 lays it out with an indent of 2, when it is made only of block
// mappings, block sequences of flow mappings or scalars, flow mappings of
// scalars, and scalars that are double-quoted strings, simple plain
// strings, integers or booleans, without comments, anchors or tags to
// write. ok is false for anything else.
func appendPlainItem(dst []byte, item *yaml.Node) (out []byte, ok bool) {
	if item.Kind != yaml.MappingNode || item.Style != 0 || len(item.Content) == 0 || hasExtras(item) {
		return dst, false
	}
	return appendBlockMapping(dst, item, 4, "  - ")
}

// appendBlockMapping appends the pairs of m, one per line at indent ind;
// the first line starts with first instead.
func appendBlockMapping(dst []byte, m *yaml.Node, ind int, first string) ([]byte, bool) {
	ok := true
	for i := 0; i+1 < len(m.Content) && ok; i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if i == 0 {
			dst = append(dst, first...)
		} else {
			dst = appendSpaces(dst, ind)
		}
		if hasExtras(k) || k.Tag != "!!str" {
			return dst, false
		}
		if dst, ok = appendScalar(dst, k); !ok {
			return dst, false
		}
		if hasExtras(v) {
			return dst, false
		}
		switch {
		case v.Kind == yaml.ScalarNode:
			dst = append(dst, ": "...)
			dst, ok = appendScalar(dst, v)
			dst = append(dst, '\n')
		case v.Kind == yaml.MappingNode && (v.Style == yaml.FlowStyle || len(v.Content) == 0):
			dst = append(dst, ": "...)
			dst, ok = appendFlowMapping(dst, v)
			dst = append(dst, '\n')
		case v.Kind == yaml.MappingNode && v.Style == 0:
			dst = append(dst, ":\n"...)
			dst = appendSpaces(dst, ind+2)
			dst, ok = appendBlockMapping(dst, v, ind+2, "")
		case v.Kind == yaml.SequenceNode && v.Style == 0 && len(v.Content) > 0:
			dst = append(dst, ":\n"...)
			for _, e := range v.Content {
				dst = appendSpaces(dst, ind+2)
				dst = append(dst, "- "...)
				switch {
				case hasExtras(e):
					return dst, false
				case e.Kind == yaml.ScalarNode:
					dst, ok = appendScalar(dst, e)
				case e.Kind == yaml.MappingNode && (e.Style == yaml.FlowStyle || len(e.Content) == 0):
					dst, ok = appendFlowMapping(dst, e)
				default:
					return dst, false
				}
				if !ok {
					return dst, false
				}
				dst = append(dst, '\n')
			}
		default:
			return dst, false
		}
	}
	return dst, ok
}

// appendFlowMapping appends {k: v, …}, every key and value a scalar.
func appendFlowMapping(dst []byte, m *yaml.Node) ([]byte, bool) {
	dst = append(dst, '{')
	for i := 0; i+1 < len(m.Content); i += 2 {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || k.Tag != "!!str" || hasExtras(k) || hasExtras(v) {
			return dst, false
		}
		var ok bool
		if dst, ok = appendScalar(dst, k); !ok {
			return dst, false
		}
		dst = append(dst, ": "...)
		if dst, ok = appendScalar(dst, v); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// appendScalar appends a scalar in its style, when it is one of the simple
// ones (see appendPlainItem).
func appendScalar(dst []byte, n *yaml.Node) ([]byte, bool) {
	if n.Kind != yaml.ScalarNode {
		return dst, false
	}
	switch {
	case n.Style == yaml.DoubleQuotedStyle && n.Tag == "!!str":
		for _, r := range n.Value {
			if r < ' ' || r == utf8.RuneError || r == '\u0085' || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
				return dst, false // escapes: left to yaml.v3
			}
		}
		return strconv.AppendQuote(dst, n.Value), true
	case n.Style != 0:
		return dst, false
	case n.Tag == "!!str" && fixture.IsPlainWord(n.Value), // as fixture.ParseList reads them back
		n.Tag == "!!int" && fixture.IsPlainInteger(n.Value),
		n.Tag == "!!bool" && (n.Value == "true" || n.Value == "false"):
		return append(dst, n.Value...), true
	}
	return dst, false
}

// hasExtras tells whether n has what appendPlainItem does not write.
func hasExtras(n *yaml.Node) bool {
	return n.Anchor != "" || n.Alias != nil || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" ||
		n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode
}

func appendSpaces(dst []byte, n int) []byte {
	for range n {
		dst = append(dst, ' ')
	}
	return dst
}
