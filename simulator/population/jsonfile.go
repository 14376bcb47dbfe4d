package population

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// The population's lists in JSON: what `bacasable export` writes, and what
// a fixture directory may hold in place of personas.yaml and foyers.yaml.
// Each file is one JSON object, as the YAML file is one mapping (a YAML
// tool reads it too), with the items one per line:
//
//	{"comment": "Exported by `bacasable export` from: …",
//	"personas": [
//	{"id": "gen-000001", "login": "gen.lea.martin.000001", …},
//	…
//	]}
//
// encoding/json decodes it, strictly (a key the item does not have is an
// error), and a message names the file and the line of the item, or of
// the character the decoder stopped at.

// The JSON files of the lists; when the fixtures have one, its YAML file
// is not read.
const (
	PersonasJSONFile = "personas.json"
	FoyersJSONFile   = "foyers.json"
)

// jsonComment is the key of the top-level object that holds a free text,
// ignored: JSON has no comments.
const jsonComment = "comment"

// decodeJSONList decodes data, the content of file: an object holding key,
// an array of items, and optionally jsonComment. It calls item with a new
// value of each item and the line the item starts on.
func decodeJSONList[T any](data []byte, file, key string, item func(v *T, line int)) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	lines := lineCounter{data: data}
	// fail reports err, met at offset; a type error counts its offset
	// from the start of the value decoded, at offset.
	fail := func(err error, offset int64) error {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		msg := err.Error()
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			offset, msg = int64(len(data)), "unexpected end of the file"
		case errors.As(err, &syntax):
			offset = syntax.Offset
		case errors.As(err, &typ):
			offset = skipBlanks(data, offset) + typ.Offset
			msg = fmt.Sprintf("%s: a JSON %s where %s is expected", typ.Field, typ.Value, jsonKind(typ.Type.String()))
		}
		return &fixture.Error{File: file, Line: lines.at(offset), Msg: msgWithoutPrefix(msg)}
	}
	delim := func(want json.Delim) error {
		offset := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(err, offset)
		}
		if tok != want {
			return &fixture.Error{File: file, Line: lines.at(offset), Msg: fmt.Sprintf("expected %q, found %v", want, tok)}
		}
		return nil
	}
	if err := delim('{'); err != nil {
		return err
	}
	found := false
	for dec.More() {
		offset := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(err, offset)
		}
		switch tok {
		case jsonComment:
			var comment string
			if err := dec.Decode(&comment); err != nil {
				return fail(err, dec.InputOffset())
			}
			continue
		case key:
		default:
			return &fixture.Error{File: file, Line: lines.at(offset), Msg: fmt.Sprintf("unknown key %v (known keys: %s, %s)", strconv.Quote(fmt.Sprint(tok)), jsonComment, key)}
		}
		if found {
			return &fixture.Error{File: file, Line: lines.at(offset), Msg: fmt.Sprintf("%q is given twice", key)}
		}
		found = true
		if err := delim('['); err != nil {
			return err
		}
		for dec.More() {
			start := dec.InputOffset()
			v := new(T)
			if err := dec.Decode(v); err != nil {
				return fail(err, start)
			}
			item(v, lines.at(start))
		}
		if err := delim(']'); err != nil {
			return err
		}
	}
	if err := delim('}'); err != nil {
		return err
	}
	if offset := dec.InputOffset(); len(bytes.TrimSpace(data[offset:])) > 0 {
		return &fixture.Error{File: file, Line: lines.at(offset), Msg: "text after the object"}
	}
	if !found {
		return &fixture.Error{File: file, Msg: fmt.Sprintf("missing top-level key %q", key)}
	}
	return nil
}

// msgWithoutPrefix drops encoding/json's "json: " from its messages.
func msgWithoutPrefix(msg string) string {
	if len(msg) > 6 && msg[:6] == "json: " {
		return msg[6:]
	}
	return msg
}

// jsonKind names a Go type as the file's reader knows it.
func jsonKind(goType string) string {
	switch goType {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int64", "float64":
		return "a number"
	}
	return "an object or a list"
}

// lineCounter gives the line of an offset of data; offsets asked in
// increasing order cost only the bytes between them.
type lineCounter struct {
	data         []byte
	offset, line int64
}

func (c *lineCounter) at(offset int64) int {
	offset = skipBlanks(c.data, offset)
	if offset < c.offset {
		c.offset, c.line = 0, 0
	}
	c.line += int64(bytes.Count(c.data[c.offset:offset], []byte{'\n'}))
	c.offset = offset
	return int(c.line) + 1
}

// skipBlanks is the offset of the first character of data from offset on
// that is not a blank or a comma (between two items): where the next value
// starts.
func skipBlanks(data []byte, offset int64) int64 {
	offset = min(offset, int64(len(data)))
	for offset < int64(len(data)) && slices.Contains([]byte(" \t\r\n,"), data[offset]) {
		offset++
	}
	return offset
}

// foyerJSON is an item of foyers.json: the keys of foyers.yaml.
type foyerJSON struct {
	ID             string          `json:"id"`
	Declarant1     string          `json:"declarant1"`
	Declarant2     string          `json:"declarant2,omitempty"`
	Dependants     []dependantSpec `json:"dependants,omitempty"`
	Residence      *Adresse        `json:"residence,omitempty"`
	AdresseFiscale *Adresse        `json:"adresse_fiscale,omitempty"`
	Annees         *anneesJSON     `json:"annees,omitempty"`
}

type anneesJSON struct {
	N1 *yearJSON `json:"N-1,omitempty"`
	N2 *yearJSON `json:"N-2,omitempty"`
	N3 *yearJSON `json:"N-3,omitempty"`
}

type yearJSON struct {
	AucuneDeclaration    bool     `json:"aucune_declaration,omitempty"`
	SitFam               string   `json:"sitFam,omitempty"`
	ParentIsole          bool     `json:"parent_isole,omitempty"`
	InvaliditeDeclarant1 bool     `json:"invalidite_declarant1,omitempty"`
	InvaliditeDeclarant2 bool     `json:"invalidite_declarant2,omitempty"`
	IFI                  bool     `json:"ifi,omitempty"`
	AdresseFiscale       *Adresse `json:"adresse_fiscale,omitempty"`
	periodJSON
	DecesDeclarant2 string      `json:"deces_declarant2,omitempty"`
	ApresDeces      *periodJSON `json:"apres_deces,omitempty"`
	Rectificatif    *periodJSON `json:"rectificatif,omitempty"`
}

// periodJSON is the revenus of an avis (codes in the order of the codes,
// as encoding/json writes a map) and the values the fixture states.
type periodJSON struct {
	Revenus map[string]int64 `json:"revenus,omitzero"`
	statedValues
}

// spec is the foyerSpec of an item of foyers.json at line; a problem of
// its shape, which foyers.yaml's reader would report, is recorded in errs.
func (j *foyerJSON) spec(file string, line int, errs *fixture.Errors) *foyerSpec {
	add := func(format string, args ...any) {
		*errs = append(*errs, &fixture.Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	s := &foyerSpec{line: line, ID: j.ID, Declarant1: j.Declarant1, Declarant2: j.Declarant2, Dependants: j.Dependants}
	if j.Residence == nil {
		add("foyer %q: missing key \"residence\" (the address where the household lives)", j.ID)
	} else {
		s.Residence = &adresseSpec{Adresse: *j.Residence}
	}
	if j.AdresseFiscale != nil {
		s.AdresseFiscale = &adresseSpec{Adresse: *j.AdresseFiscale}
	}
	switch a := j.Annees; {
	case a == nil:
		add("foyer %q: missing key \"annees\" (N-1, N-2, N-3)", j.ID)
	case a.N1 == nil && a.N2 == nil && a.N3 == nil:
		add("foyer %q: \"annees\" must map N-1, N-2 or N-3 to the year's declaration", j.ID)
	default:
		for off, y := range [4]*yearJSON{1: a.N1, 2: a.N2, 3: a.N3} {
			if y != nil {
				s.Annees[off] = y.spec()
			}
		}
	}
	return s
}

func (y *yearJSON) spec() *yearSpec {
	s := &yearSpec{
		SitFam: y.SitFam, ParentIsole: y.ParentIsole, IFI: y.IFI, AucuneDeclaration: y.AucuneDeclaration,
		InvaliditeDeclarant1: y.InvaliditeDeclarant1, InvaliditeDeclarant2: y.InvaliditeDeclarant2,
		DecesDeclarant2: y.DecesDeclarant2, periodSpec: y.periodJSON.spec(),
	}
	// aucune_declaration excludes every other key: it is alone when no
	// other is set.
	s.alone = y.SitFam == "" && !y.ParentIsole && !y.IFI && !y.InvaliditeDeclarant1 && !y.InvaliditeDeclarant2 &&
		y.AdresseFiscale == nil && y.Revenus == nil && y.statedValues == (statedValues{}) && y.DecesDeclarant2 == "" &&
		y.ApresDeces == nil && y.Rectificatif == nil
	if y.AdresseFiscale != nil {
		s.AdresseFiscale = &adresseSpec{Adresse: *y.AdresseFiscale}
	}
	for _, p := range []struct {
		from *periodJSON
		to   **periodSpec
	}{{y.ApresDeces, &s.ApresDeces}, {y.Rectificatif, &s.Rectificatif}} {
		if p.from != nil {
			spec := p.from.spec()
			*p.to = &spec
		}
	}
	return s
}

// spec is the periodSpec of p, its codes in their order.
func (p *periodJSON) spec() periodSpec {
	s := periodSpec{}
	if p.statedValues != (statedValues{}) {
		stated := p.statedValues
		s.stated = &stated
	}
	if p.Revenus != nil {
		s.montants = make([]montant, 0, len(p.Revenus))
		for code, amount := range p.Revenus {
			s.montants = append(s.montants, montant{code, amount})
		}
		slices.SortFunc(s.montants, func(a, b montant) int { return strings.Compare(a.code, b.code) })
	}
	return s
}

// foyerJSONOf is spec as an item of foyers.json.
func foyerJSONOf(spec *foyerSpec) *foyerJSON {
	j := &foyerJSON{ID: spec.ID, Declarant1: spec.Declarant1, Declarant2: spec.Declarant2, Dependants: spec.Dependants}
	if spec.Residence != nil {
		j.Residence = &spec.Residence.Adresse
	}
	if spec.AdresseFiscale != nil {
		j.AdresseFiscale = &spec.AdresseFiscale.Adresse
	}
	annees := [4]*yearJSON{}
	for off, ys := range spec.Annees {
		if ys == nil {
			continue
		}
		y := &yearJSON{
			AucuneDeclaration: ys.AucuneDeclaration, SitFam: ys.SitFam, ParentIsole: ys.ParentIsole, IFI: ys.IFI,
			InvaliditeDeclarant1: ys.InvaliditeDeclarant1, InvaliditeDeclarant2: ys.InvaliditeDeclarant2,
			DecesDeclarant2: ys.DecesDeclarant2, periodJSON: periodJSONOf(&ys.periodSpec),
		}
		if ys.AdresseFiscale != nil {
			y.AdresseFiscale = &ys.AdresseFiscale.Adresse
		}
		if p := ys.ApresDeces; p != nil {
			after := periodJSONOf(p)
			y.ApresDeces = &after
		}
		if p := ys.Rectificatif; p != nil {
			fixed := periodJSONOf(p)
			y.Rectificatif = &fixed
		}
		annees[off] = y
	}
	if annees != [4]*yearJSON{} {
		j.Annees = &anneesJSON{N1: annees[1], N2: annees[2], N3: annees[3]}
	}
	return j
}

func periodJSONOf(p *periodSpec) periodJSON {
	j := periodJSON{}
	if p.stated != nil {
		j.statedValues = *p.stated
	}
	if p.montants != nil {
		j.Revenus = make(map[string]int64, len(p.montants))
		for _, m := range p.montants {
			j.Revenus[m.code] = m.amount
		}
	}
	return j
}

// personaJSONOf is p as an item of personas.json: the default password
// left out, as personas.yaml leaves it.
func personaJSONOf(p *Persona) *Persona {
	if p.Password != DefaultPassword {
		return p
	}
	q := *p
	q.Password = ""
	return &q
}

// encodeJSONList writes the items as a JSON list file (see
// decodeJSONList), one item a line.
func encodeJSONList[T any](key, comment string, items []T) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(items) * 400)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteString(`{"` + jsonComment + `": `)
	if err := enc.Encode(comment); err != nil {
		return nil, err
	}
	buf.Truncate(buf.Len() - 1) // Encode's line break
	buf.WriteString(",\n\"" + key + "\": [")
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if err := enc.Encode(it); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}
