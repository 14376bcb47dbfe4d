package population

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// The population's lists in JSON: what `bacasable export` writes, and what
// a fixture directory may hold in place of personas.yaml and foyers.yaml.
// Each file is one JSON object, as the YAML file is one mapping (a YAML
// tool reads it too), with the items one per line:
//
//	{"comment": "Exported by `bacasable export` from: …",
//	"personas": [
//	{"id":"gen-000001","login":"gen.lea.martin.000001",…},
//	…
//	]}
//
// They are read and written with github.com/go-json-experiment/json, the
// implementation of Go's encoding/json/v2 (GOEXPERIMENT=jsonv2 in Go 1.25
// and 1.26): it decodes these files three times faster than encoding/json,
// strictly (a key the item does not have, or the same key twice, is an
// error), and a message names the file and the line of the item, or of the
// character the decoder stopped at.

// The JSON files of the lists; when the fixtures have one, its YAML file
// is not read.
const (
	PersonasJSONFile = "personas.json"
	FoyersJSONFile   = "foyers.json"
)

// jsonComment is the key of the top-level object that holds a free text,
// ignored: JSON has no comments.
const jsonComment = "comment"

// jsonRead are the options items are decoded with.
var jsonRead = json.JoinOptions(json.RejectUnknownMembers(true))

// decodeJSONList decodes data, the content of file: an object holding key,
// an array of items, and optionally jsonComment. It decodes each item into
// the zero value next gives, then calls item with it and the line the item
// starts on.
func decodeJSONList[T any](data []byte, file, key string, next func() *T, item func(v *T, line int)) error {
	return decodeJSONListWith(data, file, key, nil, next, item)
}

// errGeneralDecoder is what a fast item decoder returns for an item it
// leaves to json.UnmarshalDecode: the list is then decoded again without
// it, so that what is decoded, and the message of an error, are the
// general decoder's.
var errGeneralDecoder = errors.New("an item left to the general decoder")

// decodeJSONListWith is decodeJSONList decoding each item with fast,
// unless nil; when fast returns errGeneralDecoder, so does it, at once.
func decodeJSONListWith[T any](data []byte, file, key string, fast func(*jsontext.Decoder, *T) error, next func() *T, item func(v *T, line int)) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	lines := lineCounter{data: data}
	errorAt := func(offset int64, format string, args ...any) error {
		return &fixture.Error{File: file, Line: lines.at(offset), Msg: fmt.Sprintf(format, args...)}
	}
	fail := func(err error) error {
		var syntax *jsontext.SyntacticError
		var semantic *json.SemanticError
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return errorAt(int64(len(data)), "unexpected end of the file")
		case errors.As(err, &semantic):
			where := itemPath(semantic.JSONPointer)
			switch {
			case errors.Is(err, json.ErrUnknownName):
				return errorAt(semantic.ByteOffset, "unknown key %q", semantic.JSONPointer.LastToken())
			case semantic.JSONKind != 0 && semantic.GoType != nil:
				return errorAt(semantic.ByteOffset, "%s: a JSON %s where %s is expected", where, jsonKindName(semantic.JSONKind), goKindName(semantic.GoType))
			}
			return errorAt(semantic.ByteOffset, "%s: %v", where, semantic.Err)
		case errors.As(err, &syntax) && errors.Is(err, jsontext.ErrDuplicateName):
			return errorAt(syntax.ByteOffset, "key %q is given twice", syntax.JSONPointer.LastToken())
		case errors.As(err, &syntax):
			return errorAt(syntax.ByteOffset, "%v", syntax.Err)
		}
		return errorAt(dec.InputOffset(), "%v", err)
	}
	delim := func(want jsontext.Kind) error {
		offset := dec.InputOffset()
		tok, err := dec.ReadToken()
		if err != nil {
			return fail(err)
		}
		if tok.Kind() != want {
			return errorAt(offset, "expected %q, found %s", want.String(), tok)
		}
		return nil
	}
	if err := delim('{'); err != nil {
		return err
	}
	found := false
	for dec.PeekKind() == '"' {
		offset := dec.InputOffset()
		name, err := dec.ReadToken()
		if err != nil {
			return fail(err)
		}
		switch name.String() {
		case jsonComment:
			var comment string
			if err := json.UnmarshalDecode(dec, &comment); err != nil {
				return fail(err)
			}
			continue
		case key:
		default:
			return errorAt(offset, "unknown key %q (known keys: %s, %s)", name.String(), jsonComment, key)
		}
		found = true
		if err := delim('['); err != nil {
			return err
		}
		for dec.PeekKind() != ']' && dec.PeekKind() != 0 {
			start := dec.InputOffset()
			v := next()
			if fast != nil {
				if err := fast(dec, v); err != nil {
					return errGeneralDecoder
				}
			} else if err := json.UnmarshalDecode(dec, v, jsonRead); err != nil {
				return fail(err)
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
	if _, err := dec.ReadToken(); err != io.EOF {
		return errorAt(dec.InputOffset(), "text after the object")
	}
	if !found {
		return &fixture.Error{File: file, Msg: fmt.Sprintf("missing top-level key %q", key)}
	}
	return nil
}

// personaDecoder decodes the items of personas.json as
// json.UnmarshalDecode with jsonRead would, at less cost, when
// each is an object of Persona's keys, once each, with string values: any
// other item (a null, a number, an unknown or escaped key, an error) is
// left to the general decoder. The values of the fields many personas
// share are kept once, in shared.
// The other values of an item are kept in one string, sliced.
type personaDecoder struct {
	shared   interned
	unquoted []byte
	own      []byte // the values of the item's other fields, one after another
	owners   []ownedValue
}

// ownedValue is a field and where its value is in personaDecoder.own.
type ownedValue struct {
	field  *string
	lo, hi int
}

func (pd *personaDecoder) decode(dec *jsontext.Decoder, p *Persona) error {
	if dec.PeekKind() != '{' {
		return errGeneralDecoder
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	pd.own, pd.owners = pd.own[:0], pd.owners[:0]
	for dec.PeekKind() == '"' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		var field *string
		share := false
		switch string(name) {
		case `"id"`:
			field = &p.ID
		case `"login"`:
			field = &p.Login
		case `"password"`:
			field, share = &p.Password, true
		case `"spi"`:
			field = &p.SPI
		case `"given_name"`:
			field = &p.GivenName
		case `"family_name"`:
			field, share = &p.FamilyName, true
		case `"preferred_username"`:
			field, share = &p.PreferredUsername, true
		case `"birthdate"`:
			field = &p.Birthdate
		case `"gender"`:
			field, share = &p.Gender, true
		case `"birthplace"`:
			field, share = &p.Birthplace, true
		case `"birthcountry"`:
			field, share = &p.Birthcountry, true
		case `"email"`:
			field = &p.Email
		case `"situation"`:
			field, share = &p.Situation, true
		case `"scenario"`:
			field = &p.Scenario
		default:
			return errGeneralDecoder
		}
		if dec.PeekKind() != '"' {
			return errGeneralDecoder
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		text := raw[1 : len(raw)-1]
		if bytes.IndexByte(text, '\\') >= 0 {
			if pd.unquoted, err = jsontext.AppendUnquote(pd.unquoted[:0], raw); err != nil {
				return err
			}
			text = pd.unquoted
		}
		if !share {
			pd.owners = append(pd.owners, ownedValue{field, len(pd.own), len(pd.own) + len(text)})
			pd.own = append(pd.own, text...)
		} else {
			*field = pd.shared.of(text)
		}
	}
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '}' {
		return errGeneralDecoder
	}
	own := string(pd.own)
	for _, o := range pd.owners {
		*o.field = own[o.lo:o.hi]
	}
	return nil
}

// itemPath is where p points inside an item, keys joined by dots (p
// starts with the list's key and the item's index).
func itemPath(p jsontext.Pointer) string {
	var keys []string
	for k := range p.Tokens() {
		keys = append(keys, k)
	}
	return strings.Join(keys[min(2, len(keys)):], ".")
}

// jsonKindName names a JSON kind in a message.
func jsonKindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '{':
		return "object"
	case '[':
		return "list"
	}
	return k.String()
}

// goKindName names what a Go type is read from.
func goKindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	}
	return "an object"
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
	offset = min(max(offset, 0), int64(len(data)))
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
	AucuneDeclaration    bool     `json:"aucune_declaration,omitzero"`
	SitFam               string   `json:"sitFam,omitempty"`
	ParentIsole          bool     `json:"parent_isole,omitzero"`
	InvaliditeDeclarant1 bool     `json:"invalidite_declarant1,omitzero"`
	InvaliditeDeclarant2 bool     `json:"invalidite_declarant2,omitzero"`
	IFI                  bool     `json:"ifi,omitzero"`
	AdresseFiscale       *Adresse `json:"adresse_fiscale,omitempty"`
	periodJSON
	DecesDeclarant2 string      `json:"deces_declarant2,omitempty"`
	ApresDeces      *periodJSON `json:"apres_deces,omitempty"`
	Rectificatif    *periodJSON `json:"rectificatif,omitempty"`
}

// periodJSON is the revenus of an avis and the values the fixture states.
type periodJSON struct {
	Revenus montantsJSON `json:"revenus,omitzero"`
	statedValues
}

// montantsJSON is revenus: an object of codes and amounts, read and written
// in its order, without a map.
type montantsJSON []montant

// UnmarshalJSONFrom reads {"1AJ": 30000, …}.
func (m *montantsJSON) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		*m = nil
		return err
	}
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return fmt.Errorf("revenus must map declaration codes to amounts in euros, e.g. {\"1AJ\": 30000}")
	}
	out := montantsJSON{}
	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		code := tok.String() // before the next token voids tok
		amount, err := dec.ReadToken()
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(amount.String(), 10, 64)
		if amount.Kind() != '0' || err != nil {
			return fmt.Errorf("%s: the amount must be a whole number of euros, not %s", code, amount)
		}
		out = append(out, montant{code, n})
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*m = slices.Clip(out)
	return nil
}

// MarshalJSONTo writes the codes in their order.
func (m montantsJSON) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	for _, a := range m {
		if err := enc.WriteToken(jsontext.String(a.code)); err != nil {
			return err
		}
		if err := enc.WriteToken(jsontext.Int(a.amount)); err != nil {
			return err
		}
	}
	return enc.WriteToken(jsontext.EndObject)
}

// spec is the foyerSpec of an item of foyers.json at line; a problem of
// its shape, which foyers.yaml's reader would report, is recorded in errs.
func (j *foyerJSON) spec(file string, line int, errs *fixture.Errors) *foyerSpec {
	add := func(format string, args ...any) { errs.AddLine(file, line, format, args...) }
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

// spec is the periodSpec of p.
func (p *periodJSON) spec() periodSpec {
	s := periodSpec{}
	if p.statedValues != (statedValues{}) {
		stated := p.statedValues
		s.src = &periodSource{stated: &stated}
	}
	s.montants = p.Revenus
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
	if st := p.stated(); st != nil {
		j.statedValues = *st
	}
	j.Revenus = p.montants
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
// decodeJSONList), one item a line, maps in the order of their keys.
func encodeJSONList[T any](key, comment string, items []T) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(items) * 400)
	opts := json.Deterministic(true)
	buf.WriteString(`{"` + jsonComment + `": `)
	quoted, err := json.Marshal(comment, opts)
	if err != nil {
		return nil, err
	}
	buf.Write(quoted)
	buf.WriteString(",\n\"" + key + "\": [")
	var one []byte
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if one, err = json.Marshal(it, opts); err != nil {
			return nil, err
		}
		buf.Write(one)
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}
