package control

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlNode turns a JSON document into the YAML node the fixture loader
// checks, each node carrying the line it has in the document, so that a
// broken rule is reported at the request body's line. (JSON is nearly YAML,
// but a YAML parser refuses the "\/" escape many encoders emit, PHP's
// first; reading JSON as JSON avoids the difference.)
func yamlNode(data []byte) (*yaml.Node, error) {
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(data)), data: data, line: 1}
	p.dec.UseNumber()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, fmt.Errorf("line %d: %v", p.lineNow(), err)
	}
	return p.value(tok)
}

type jsonParser struct {
	dec  *json.Decoder
	data []byte
	pos  int // bytes of data counted into line
	line int
}

// lineNow is the line of the token just read: JSON tokens hold no raw
// newline, so the line where a token ends is the line where it starts.
func (p *jsonParser) lineNow() int {
	end := min(int(p.dec.InputOffset()), len(p.data))
	if end > p.pos {
		p.line += bytes.Count(p.data[p.pos:end], []byte{'\n'})
		p.pos = end
	}
	return p.line
}

func (p *jsonParser) value(tok json.Token) (*yaml.Node, error) {
	line := p.lineNow()
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return p.object(line)
		case '[':
			return p.array(line)
		}
		return nil, fmt.Errorf("line %d: unexpected %q", line, v)
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: v, Line: line}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(v.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String(), Line: line}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v), Line: line}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
	}
	return nil, fmt.Errorf("line %d: unexpected token %v", line, tok)
}

func (p *jsonParser) object(line int) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
	seen := map[string]int{}
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", p.lineNow(), err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("line %d: an object key must be a string", p.lineNow())
		}
		keyLine := p.lineNow()
		if first, dup := seen[key]; dup {
			return nil, fmt.Errorf("line %d: key %q is already given at line %d", keyLine, key, first)
		}
		seen[key] = keyLine
		tok, err = p.dec.Token()
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", p.lineNow(), err)
		}
		v, err := p.value(tok)
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: keyLine}, v)
	}
	if _, err := p.dec.Token(); err != nil { // }
		return nil, fmt.Errorf("line %d: %v", p.lineNow(), err)
	}
	return n, nil
}

func (p *jsonParser) array(line int) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", p.lineNow(), err)
		}
		v, err := p.value(tok)
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, v)
	}
	if _, err := p.dec.Token(); err != nil { // ]
		return nil, fmt.Errorf("line %d: %v", p.lineNow(), err)
	}
	return n, nil
}

// withoutKeys returns the mapping m without the given keys.
func withoutKeys(m *yaml.Node, keys []string) *yaml.Node {
	if len(keys) == 0 || m.Kind != yaml.MappingNode {
		return m
	}
	out := *m
	out.Content = nil
	for i := 0; i+1 < len(m.Content); i += 2 {
		drop := false
		for _, k := range keys {
			drop = drop || m.Content[i].Value == k
		}
		if !drop {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	return &out
}
