package population

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// PersonasFile is the fixture file holding the personas.
const PersonasFile = "personas.yaml"

// Population is the loaded set of personas and of the foyers fiscaux they
// make up. It is immutable once loaded and safe for concurrent reads.
type Population struct {
	personas []*Persona
	byID     lookup[*Persona]
	byLogin  lookup[*Persona]
	bySPI    lookup[*Persona]
	cog      *COG

	foyers    []*Foyer
	foyerByID lookup[*Foyer]
	spiFoyers lookup[*declarantFoyers]
	roles     lookup[string] // persona id → RoleDeclarant or RoleDependant
	claims    *claims

	source       Source
	personasFile string // where the personas were read: personas.yaml or personas.json
	searchOnce   sync.Once
	search       *searchIndex // built on first use
	identityOnce sync.Once
	identities   *identityIndex // built on first use
	membersOnce  sync.Once
	members      map[string][]string // persona id → foyer ids, built on first use
}

// Load reads the personas of fsys and checks each one against the rules
// below and the Insee reference cog, then the foyers fiscaux of foyers.yaml
// when fsys has that file (see loadFoyers). Every problem is reported with
// the file and the line.
func Load(fsys fs.FS, cog *COG) (*Population, error) {
	return Build(Source{Fixtures: fsys}, cog)
}

// Document is a set of fixture items from one origin: a fixture file, a
// control API request, the generator. Each item is a YAML mapping shaped
// like an entry of personas.yaml or foyers.yaml.
type Document struct {
	File     string // named in error messages
	Personas []*yaml.Node
	Foyers   []*yaml.Node

	// made are items the generator gives as values rather than YAML: the
	// same checks apply, without the cost of YAML for a large population
	// (Export writes them as YAML). They are shared by every snapshot
	// built from them, so nothing changes them: a made persona comes with
	// its password.
	madePersonas []*Persona
	madeFoyers   []*foyerSpec
	// personaLines are the lines of madePersonas in their file, when
	// read from one (personas.json); a foyerSpec has its own.
	personaLines []int

	// data is the content of the fixture file the items were read from,
	// and key its top-level key: Export reads it again for the comments.
	// The values read from it share its memory.
	data string
	key  string
	// cogChecked is set on the fixture files' documents when the source
	// says the tests checked them against the COG (Source.COGChecked).
	cogChecked bool
}

// Source is everything a population is built from: the fixture files, then
// documents applied in order. An item of a document whose id is already
// known replaces the earlier one (that is how the control API replaces a
// persona); within one document an id is unique.
type Source struct {
	Fixtures  fs.FS
	Documents []Document
	// Generate, when set, adds documents made on the fly, after the
	// fixtures.
	Generate func(cog *COG) ([]Document, error)
	// COGChecked says the fixture files were checked against the COG by
	// the tests (the embedded defaults): their birthplaces, countries and
	// addresses are not looked up in the COG again, so that a LazyCOG is
	// not read before the sandbox answers. Every other rule still applies
	// to them, and every rule to the documents applied later.
	COGChecked bool

	// base is the documents of the fixture files and of Generate, once
	// Build has read and made them: the population keeps them in its
	// source, and later builds start from them, so that a change (see
	// Live) never depends on files edited since the start.
	base   []Document
	loaded bool
}

// item is one fixture entry with the file it comes from: a YAML mapping,
// or a value (made by the generator, or read from a JSON file at line).
type item struct {
	file    string
	id      string
	line    int
	node    *yaml.Node
	persona *Persona
	foyer   *foyerSpec
	// cogChecked: the item's Insee codes and addresses were checked by
	// the tests (Source.COGChecked).
	cogChecked bool
}

// personaItems and foyerItems list the items of d, YAML first.
func (d Document) personaItems() []item {
	return d.appendPersonaItems(make([]item, 0, d.personaCount()))
}

func (d Document) foyerItems() []item {
	return d.appendFoyerItems(make([]item, 0, d.foyerCount()))
}

// personaCount and foyerCount are how many items personaItems and
// foyerItems list.
func (d Document) personaCount() int { return len(d.Personas) + len(d.madePersonas) }
func (d Document) foyerCount() int   { return len(d.Foyers) + len(d.madeFoyers) }

// appendPersonaItems and appendFoyerItems append what personaItems and
// foyerItems list to out.
func (d Document) appendPersonaItems(out []item) []item {
	return appendItems(out, d, d.Personas, d.madePersonas, func(i int, p *Persona) item {
		it := item{id: p.ID, persona: p}
		if d.personaLines != nil {
			it.line = d.personaLines[i]
		}
		return it
	})
}

func (d Document) appendFoyerItems(out []item) []item {
	return appendItems(out, d, d.Foyers, d.madeFoyers, func(_ int, f *foyerSpec) item { return item{id: f.ID, line: f.line, foyer: f} })
}

func appendItems[T any](out []item, d Document, nodes []*yaml.Node, made []T, value func(int, T) item) []item {
	start := len(out)
	out = appendNodeItems(out, d.File, nodes)
	for i := range out[start:] {
		out[start+i].cogChecked = d.cogChecked
	}
	// The made items (a generated population's) are written in parallel
	// ranges: 100 000 of them are 7 MB to fault in and fill.
	base := len(out)
	out = slices.Grow(out, len(made))[:base+len(made)]
	inRanges(len(made), func(lo, hi int, _ *fixture.Errors) {
		for i := lo; i < hi; i++ {
			it := value(i, made[i])
			it.file, it.cogChecked = d.File, d.cogChecked
			out[base+i] = it
		}
	})
	return out
}

func appendNodeItems(out []item, file string, nodes []*yaml.Node) []item {
	for _, n := range nodes {
		it := item{file: file, node: n}
		if v := fixture.Key(n, "id"); v != nil {
			it.id = v.Value
		}
		out = append(out, it)
	}
	return out
}

// Build checks every item of src and makes the population. The result
// keeps src, so that a change can rebuild from it (see Live).
func Build(src Source, cog *COG) (*Population, error) {
	first := !src.loaded
	if first {
		base, err := src.load(cog)
		if err != nil {
			return nil, err
		}
		src.base, src.loaded, src.Generate = base, true, nil
	}
	pop, specs, err := build(src, cog)
	if err != nil {
		if again, ok := src.withNodes(); ok {
			// The files' items were settled into values: build again from
			// their YAML, for messages with lines.
			_, _, err = build(again, cog)
		}
		return nil, err
	}
	if first && len(src.Documents) == 0 && !replaced(pop.source.base, pop.personas, specs) {
		pop.source.base = settle(pop.source.base, pop.personas, specs)
	}
	return pop, nil
}

// replaced tells whether a document's items replaced an earlier one's
// (mergeItems): the population then has fewer personas or foyers than the
// documents have items, and is not in their order, which settle needs.
// It happens when the generated population takes the ids of a fixture
// directory's (its own export, with the same --population and --seed):
// the documents then keep their items as read.
func replaced(base []Document, personas []*Persona, foyers []*foyerSpec) bool {
	np, nf := 0, 0
	for _, d := range base {
		np += d.personaCount()
		nf += d.foyerCount()
	}
	return len(personas) != np || len(foyers) != nf
}

// build checks the documents of src and makes the population; specs are
// its foyers' specs, in item order.
func build(src Source, cog *COG) (_ *Population, specs []*foyerSpec, err error) {
	docs := src.documents()
	personasFile := PersonasFile
	if slices.ContainsFunc(docs, func(d Document) bool { return d.File == PersonasJSONFile }) {
		personasFile = PersonasJSONFile
	}
	var errs fixture.Errors
	personaItems := mergeItems(docs, Document.personaCount, Document.appendPersonaItems)
	foyerItems := mergeItems(docs, Document.foyerCount, Document.appendFoyerItems)
	personas := checkPersonas(personaItems, cog, &errs)
	if len(personas) == 0 && len(errs) == 0 {
		errs.Add(personasFile, nil, "no persona declared")
	}
	pop := &Population{cog: cog, source: src, personasFile: personasFile}
	for _, dup := range pop.index(personas) {
		errs = append(errs, &fixture.Error{File: personasFile, Msg: dup})
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	if specs, err = pop.loadFoyers(foyerItems); err != nil {
		return nil, nil, err
	}
	return pop, specs, nil
}

// withNodes is src with the YAML items of the files read at start, when
// settle made them values; false when it did not.
func (src Source) withNodes() (Source, bool) {
	base := slices.Clone(src.base)
	settled := false
	for i, d := range base {
		if d.data == "" || d.Personas != nil || d.Foyers != nil {
			continue
		}
		nodes, _, err := d.nodes()
		if err != nil {
			return src, false
		}
		base[i], settled = nodes, true
	}
	src.base = base
	return src, settled
}

// nodes is d, read from its file's content (data) again: YAML items with
// their comments and lines; root is the file's top mapping.
func (d Document) nodes() (_ Document, root *yaml.Node, err error) {
	if root, err = fixture.ParseDocument([]byte(d.data), d.File); err != nil {
		return d, nil, err
	}
	var errs fixture.Errors
	items := fixture.Items(root, d.key, true, d.File, &errs)
	if err := errs.Err(); err != nil {
		return d, nil, err
	}
	if d.key == "personas" {
		d.Personas, d.madePersonas = items, nil
	} else {
		d.Foyers, d.madeFoyers = items, nil
	}
	return d, root, nil
}

// settle turns the YAML items of the documents read at start into the
// values they were checked as (personas and foyers are in the documents'
// order when no other document replaced any), and lets go of the nodes
// of the files' items: the nodes of 100 000 items take gigabytes, and
// later builds need only the values. Export reads the files' content
// again for their comments.
func settle(base []Document, personas []*Persona, foyers []*foyerSpec) []Document {
	out := make([]Document, len(base))
	for i, d := range base {
		if n := len(d.Personas); n > 0 {
			d.madePersonas, d.Personas, personas = personas[:n:n], nil, personas[n:]
		} else {
			personas = personas[len(d.madePersonas):]
		}
		if n := len(d.Foyers); n > 0 {
			d.madeFoyers, d.Foyers, foyers = foyers[:n:n], nil, foyers[n:]
		} else {
			foyers = foyers[len(d.madeFoyers):]
		}
		if d.data != "" {
			for _, f := range d.madeFoyers {
				f.strip()
			}
		}
		out[i] = d
	}
	return out
}

// checkPersonas decodes and checks the persona items, in parallel for a
// large population; the personas and the errors come in item order.
func checkPersonas(items []item, cog *COG, errs *fixture.Errors) []*Persona {
	checked := make([]*Persona, len(items))
	rangeErrs := inRanges(len(items), func(lo, hi int, errs *fixture.Errors) {
		for i, it := range items[lo:hi] {
			p := it.persona // made by the generator, with its password
			if p == nil {
				p = &Persona{}
				if !fixture.Decode(it.file, it.node, p, errs) {
					continue
				}
				if p.Password == "" {
					p.Password = DefaultPassword
				}
			}
			for _, problem := range check(p, cog, !it.cogChecked) {
				line := it.line
				if it.node != nil {
					line = fixture.ValueNode(it.node, problem.Field).Line
				}
				errs.AddLine(it.file, line, "persona %q: %s", p.ID, problem.Msg)
			}
			checked[lo+i] = p
		}
	})
	for _, e := range rangeErrs {
		*errs = append(*errs, e...)
	}
	personas := make([]*Persona, 0, len(items))
	for _, p := range checked {
		if p != nil {
			personas = append(personas, p)
		}
	}
	return personas
}

// inRanges calls fn on consecutive ranges of [0, n), in parallel when n is
// large, and returns what each recorded in its errors, in range order.
func inRanges(n int, fn func(lo, hi int, errs *fixture.Errors)) []fixture.Errors {
	const minRange = 4096
	parts := max(1, min(runtime.GOMAXPROCS(0), n/minRange))
	errs := make([]fixture.Errors, parts)
	if parts == 1 { // a small population, a control API change: no goroutine
		fn(0, n, &errs[0])
		return errs
	}
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { fn(i*n/parts, (i+1)*n/parts, &errs[i]) })
	}
	wg.Wait()
	return errs
}

// documents lists the documents the population is built from, in order.
func (src Source) documents() []Document {
	return append(slices.Clip(src.base), src.Documents...)
}

// load reads the fixture files and runs Generate: the first documents.
// The two files are read at the same time.
func (src Source) load(cog *COG) ([]Document, error) {
	var docs []Document
	if src.Fixtures != nil {
		lists := []struct {
			yaml, json, key string
			optional        bool
			doc             *Document
			err             error
		}{{yaml: PersonasFile, json: PersonasJSONFile, key: "personas"}, {yaml: FoyersFile, json: FoyersJSONFile, key: "foyers", optional: true}}
		var wg sync.WaitGroup
		for i := range lists {
			f := &lists[i]
			wg.Go(func() { f.doc, f.err = readList(src.Fixtures, f.yaml, f.json, f.key, f.optional) })
		}
		wg.Wait()
		for _, f := range lists {
			if f.err != nil {
				return nil, f.err
			}
			if f.doc != nil {
				f.doc.cogChecked = src.COGChecked
				docs = append(docs, *f.doc)
			}
		}
	}
	if src.Generate != nil {
		gen, err := src.Generate(cog)
		if err != nil {
			return nil, err
		}
		docs = append(docs, gen...)
	}
	return docs, nil
}

// readList reads the list key of the fixtures: from its JSON file when
// there is one, decoded into values, else from its YAML file, as the YAML
// library's nodes (Build settles them into values once checked); nil when
// there is neither and the list is optional.
func readList(fsys fs.FS, yamlFile, jsonFile, key string, optional bool) (*Document, error) {
	data, err := fs.ReadFile(fsys, jsonFile)
	switch {
	case err == nil:
		return readJSONList(data, jsonFile, key)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, &fixture.Error{File: jsonFile, Msg: err.Error()}
	}
	data, err = fs.ReadFile(fsys, yamlFile)
	if errors.Is(err, fs.ErrNotExist) && optional {
		return nil, nil
	} else if err != nil {
		return nil, &fixture.Error{File: yamlFile, Msg: err.Error()}
	}
	d, _, err := Document{File: yamlFile, data: string(data), key: key}.nodes()
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// readJSONList decodes data, the content of a JSON list file.
func readJSONList(data []byte, file, key string) (*Document, error) {
	d := &Document{File: file}
	var errs fixture.Errors
	var err error
	// The values many items share (a surname, a commune, a revenue
	// code…) are kept once: each was a string of its own as decoded.
	shared := interned{}
	if key == "personas" {
		// Decoded fast, sharing values as it goes; else, when an item is
		// not as an export writes it, again by the general decoder.
		fast := &personaDecoder{shared: shared}
		for _, decode := range []func(*jsontext.Decoder, *Persona) error{fast.decode, nil} {
			var personas slab[Persona]
			d.madePersonas, d.personaLines = nil, nil
			err = decodeJSONListWith(data, file, key, decode, personas.new, func(p *Persona, line int) {
				if p.Password == "" {
					p.Password = DefaultPassword
				}
				if decode == nil {
					for _, s := range []*string{&p.Password, &p.FamilyName, &p.PreferredUsername, &p.Gender, &p.Birthplace, &p.Birthcountry, &p.Situation} {
						shared.share(s)
					}
				}
				d.madePersonas = append(d.madePersonas, p)
				d.personaLines = append(d.personaLines, line)
			})
			if err != errGeneralDecoder {
				break
			}
		}
	} else {
		// In two halves at once; else, when the file is not as an
		// export writes it, in one.
		var ok bool
		if d.madeFoyers, errs, ok = decodeFoyerHalves(data, file, key); !ok {
			d.madeFoyers, errs = nil, nil
			read := foyerReader{file: file, shared: shared, errs: &errs}
			err = decodeJSONList(data, file, key, read.next, func(f *foyerJSON, line int) {
				d.madeFoyers = append(d.madeFoyers, read.spec(f, line))
			})
		}
	}
	if err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

// interned keeps each string value once: values many items share (a
// surname, a commune, a revenue code…) were each a string of their own as
// decoded.
type interned map[string]string

// share makes *s the value kept for its text, keeping it if it is the first.
func (m interned) share(s *string) {
	if v, ok := m[*s]; ok {
		*s = v
	} else {
		m[*s] = *s
	}
}

// of is the value kept for text, made and kept if it is the first.
func (m interned) of(text []byte) string {
	if v, ok := m[string(text)]; ok {
		return v
	}
	v := string(text)
	m[v] = v
	return v
}

// foyerReader turns the items of foyers.json into specs, one at a time:
// the spec is what is kept. The values many foyers share are kept once,
// in shared.
type foyerReader struct {
	file   string
	shared interned
	errs   *fixture.Errors
	one    foyerJSON
}

func (r *foyerReader) next() *foyerJSON {
	r.one = foyerJSON{}
	return &r.one
}

// spec is the spec of f, the item at line.
func (r *foyerReader) spec(f *foyerJSON, line int) *foyerSpec {
	spec := f.spec(r.file, line, r.errs)
	for _, a := range []*adresseSpec{spec.Residence, spec.AdresseFiscale} {
		if a != nil {
			r.shared.share(&a.Complement)
			r.shared.share(&a.CodePostal)
			r.shared.share(&a.Commune)
		}
	}
	for i := range spec.Dependants {
		r.shared.share(&spec.Dependants[i].Nom)
		r.shared.share(&spec.Dependants[i].Categorie)
	}
	for _, y := range spec.Annees {
		if y == nil {
			continue
		}
		r.shared.share(&y.SitFam)
		for _, p := range []*periodSpec{&y.periodSpec, y.ApresDeces, y.Rectificatif} {
			for i := range p.nCodes() {
				r.shared.share(&p.montants[i].code)
			}
		}
	}
	return spec
}

// decodeFoyerHalves decodes data, foyers.json, as decodeJSONList would,
// in two halves at the same time: the items before the first line of the
// second half that starts an item, with the file's beginning, and the
// items from it on, with the file's end. It reports false when data is
// too small, or not as an export writes it (an item a line, the list
// last), or has any error: the caller then decodes it in one, for the
// message.
func decodeFoyerHalves(data []byte, file, key string) (foyers []*foyerSpec, errs fixture.Errors, ok bool) {
	const minHalf = 1 << 20
	if len(data) < 2*minHalf || runtime.GOMAXPROCS(0) < 2 {
		return nil, nil, false
	}
	// data[m:] starts an item, after ",\n"; data[end:] is "}" and blanks.
	m := bytes.Index(data[len(data)/2:], []byte(",\n{"))
	end := len(bytes.TrimRight(data, " \t\r\n")) - 1
	if m < 0 || end < 0 || data[end] != '}' {
		return nil, nil, false
	}
	m += len(data)/2 + 2
	var first, second struct {
		foyers []*foyerSpec
		errs   fixture.Errors
		err    error
	}
	// The first half closes the list and the object where the second
	// starts: its ",\n" is "]}" until both are decoded.
	linesBefore := bytes.Count(data[:m], []byte{'\n'})
	data[m-2], data[m-1] = ']', '}'
	defer func() { data[m-2], data[m-1] = ',', '\n' }()
	var wg sync.WaitGroup
	wg.Go(func() {
		head := data[:m:m]
		read := foyerReader{file: file, shared: interned{}, errs: &first.errs}
		first.err = decodeJSONList(head, file, key, read.next, func(f *foyerJSON, line int) {
			first.foyers = append(first.foyers, read.spec(f, line))
		})
	})
	wg.Go(func() {
		read := foyerReader{file: file, shared: interned{}, errs: &second.errs}
		lines := lineCounter{data: data[m:end]}
		dec := jsontext.NewDecoder(io.MultiReader(strings.NewReader("["), bytes.NewReader(data[m:end])))
		if _, err := dec.ReadToken(); err != nil {
			second.err = err
			return
		}
		for dec.PeekKind() != ']' {
			start := dec.InputOffset() - 1 // in data[m:]
			v := read.next()
			if err := json.UnmarshalDecode(dec, v, jsonRead); err != nil {
				second.err = err
				return
			}
			second.foyers = append(second.foyers, read.spec(v, linesBefore+lines.at(start)))
		}
		// The list ends the object: nothing is left but its "}".
		if _, err := dec.ReadToken(); err != nil {
			second.err = err
		} else if len(bytes.Trim(data[m+int(dec.InputOffset())-1:end], " \t\r\n")) != 0 {
			second.err = errGeneralDecoder
		}
	})
	wg.Wait()
	if first.err != nil || second.err != nil {
		return nil, nil, false
	}
	return append(first.foyers, second.foyers...), append(first.errs, second.errs...), true
}

// mergeItems lists the items of every document in order; an id seen in an
// earlier document is replaced in place, an id twice in one document is an
// error left to the duplicate checks. count and appendItems are a
// document's personaCount and appendPersonaItems, or its foyers': the
// items are appended straight into the list returned, sized once (100 000
// generated personas make a list of 7 MB), not listed apart and copied.
func mergeItems(docs []Document, count func(Document) int, appendItems func(Document, []item) []item) []item {
	type place struct{ index, doc int }
	if len(docs) == 0 {
		return nil
	}
	n := 0
	for _, d := range docs {
		n += count(d)
	}
	out := make([]item, 0, n)
	// id → where it is in out, from which document; the ids of the last
	// document are only looked up (the generated population, usually).
	where := make(map[string]place, n-count(docs[len(docs)-1]))
	for di, d := range docs {
		last := di == len(docs)-1
		start := len(out)
		out = appendItems(d, out)
		// Keep the document's items that replace none, in place.
		kept := start
		for _, it := range out[start:] {
			id := it.id
			if p, ok := where[id]; ok && id != "" && p.doc != di {
				out[p.index] = it // p.index < start
				where[id] = place{p.index, di}
				continue
			}
			if id != "" && !last {
				where[id] = place{kept, di}
			}
			out[kept] = it
			kept++
		}
		clear(out[kept:])
		out = out[:kept]
	}
	return out
}

// Source returns what the population was built from.
func (pop *Population) Source() Source { return pop.source }

// index fills the lookup maps and returns one message per duplicate key.
func (pop *Population) index(personas []*Persona) []string {
	pop.personas = personas
	// The three maps are filled at once (100 000 personas: some 40 ms of
	// a start, on one core); the duplicates come in the personas' order,
	// and for one persona id, login, then SPI.
	type dup struct {
		at, kind int
		msg      string
	}
	var dups [3][]dup
	fill := func(kind int, key func(*Persona) string, msg func(p, other *Persona) string) map[string]*Persona {
		m := make(map[string]*Persona, len(personas))
		for i, p := range personas {
			k := key(p)
			if kind == 2 && k == "" { // a persona without an SPI
				continue
			}
			if other, ok := m[k]; ok && k != "" {
				dups[kind] = append(dups[kind], dup{i, kind, msg(p, other)})
			}
			m[k] = p
		}
		return m
	}
	var byID, byLogin, bySPI map[string]*Persona
	var wg sync.WaitGroup
	wg.Go(func() {
		byID = fill(0, func(p *Persona) string { return p.ID },
			func(p, other *Persona) string { return fmt.Sprintf("id %q is used twice (%s)", p.ID, other.Login) })
	})
	wg.Go(func() {
		byLogin = fill(1, func(p *Persona) string { return p.Login },
			func(p, _ *Persona) string { return fmt.Sprintf("login %q is used twice", p.Login) })
	})
	bySPI = fill(2, func(p *Persona) string { return p.SPI },
		func(p, other *Persona) string {
			return fmt.Sprintf("SPI %s is held by both %q and %q", p.SPI, other.ID, p.ID)
		})
	wg.Wait()
	all := slices.Concat(dups[0], dups[1], dups[2])
	slices.SortFunc(all, func(a, b dup) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.kind, b.kind)) })
	var msgs []string
	for _, d := range all {
		msgs = append(msgs, d.msg)
	}
	pop.byID, pop.byLogin, pop.bySPI = lookup[*Persona]{base: byID}, lookup[*Persona]{base: byLogin}, lookup[*Persona]{base: bySPI}
	return msgs
}

// Problem is one broken rule of a persona; Field names the offending key.
type Problem struct {
	Field string
	Msg   string
}

// isID tells whether s is an identifier of the fixtures: lower-case
// letters, digits and hyphens, not starting with a hyphen.
func isID(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Check returns the rules p breaks: identifiers, the identité pivot formats
// FranceConnect emits, and the Insee codes of cog.
func Check(p *Persona, cog *COG) []Problem {
	return check(p, cog, true)
}

// check is Check, the Insee codes looked up in cog only when lookup is
// set (see Source.COGChecked).
func check(p *Persona, cog *COG, lookup bool) []Problem {
	var out []Problem
	bad := func(field, format string, args ...any) {
		out = append(out, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !isID(p.ID) {
		bad("id", "id %q must be lower-case letters, digits and hyphens", p.ID)
	}
	if p.Login == "" || strings.ContainsAny(p.Login, " \t\n") {
		bad("login", "login %q must be non-empty and without spaces", p.Login)
	}
	if p.SPI != "" && !cogDigits(p.SPI, 13) {
		bad("spi", "SPI %q must be 13 digits", p.SPI)
	}
	if strings.TrimSpace(p.GivenName) == "" && strings.TrimSpace(p.FamilyName) == "" {
		bad("given_name", "a persona needs a first name or a birth name")
	}
	if !singleSpaced(p.GivenName) {
		bad("given_name", "given_name %q has extra spaces", p.GivenName)
	}
	switch p.Gender {
	case GenderFemale, GenderMale, GenderUnspecified:
	default:
		bad("gender", "gender %q must be male, female or unspecified", p.Gender)
	}
	checkBirthdate(p.Birthdate, bad)
	countryKnown, communeKnown := true, true
	if lookup {
		_, countryKnown = cog.Country(p.Birthcountry)
		if countryKnown && p.BornInFrance() {
			_, communeKnown = cog.Commune(p.Birthplace)
		}
	}
	switch {
	case !countryKnown:
		bad("birthcountry", "birthcountry %q is not an Insee country code (99xxx) of the COG reference", p.Birthcountry)
	case p.BornInFrance():
		if !communeKnown {
			bad("birthplace", "birthplace %q is not an Insee commune code of the COG reference", p.Birthplace)
		}
	case p.Birthplace != "":
		bad("birthplace", "birthplace must be empty when born abroad (birthcountry %s), got %q", p.Birthcountry, p.Birthplace)
	}
	if p.Email != "" && !plainAddress(p.Email) {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			bad("email", "email %q is not a plain RFC 5322 address", p.Email)
		}
	}
	return out
}

// singleSpaced tells whether s is its words joined by single spaces
// (strings.Join(strings.Fields(s), " ") == s), without making them.
func singleSpaced(s string) bool {
	space := true // before the first word
	for _, r := range s {
		switch {
		case !unicode.IsSpace(r):
			space = false
		case r != ' ' || space:
			return false
		default:
			space = true
		}
	}
	return !space || s == ""
}

// plainAddress tells, without net/mail's allocations, whether s is an
// address net/mail reads as itself for sure: dot-atoms of letters, digits,
// "_", "+" and "-" on each side of one "@". Anything else is left to
// net/mail.
func plainAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && dotAtom(local) && dotAtom(domain)
}

func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._+-", c) >= 0) {
			return false
		}
	}
	return true
}

func checkBirthdate(d string, bad func(field, format string, args ...any)) {
	if len(d) != 10 || !cogDigits(d[:4], 4) || d[4] != '-' || !cogDigits(d[5:7], 2) || d[7] != '-' || !cogDigits(d[8:], 2) {
		bad("birthdate", "birthdate %q must be YYYY-MM-DD (00 allowed for a presumed day or month)", d)
		return
	}
	month, day := d[5:7], d[8:]
	if month == "00" || day == "00" {
		if month > "12" || day > "31" {
			bad("birthdate", "birthdate %q is not a date", d)
		}
		return
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		bad("birthdate", "birthdate %q is not a date", d)
	}
}

// Personas returns every persona, in file order.
func (pop *Population) Personas() []*Persona { return pop.personas }

// ByID returns the persona with that id.
func (pop *Population) ByID(id string) (*Persona, bool) {
	p, ok := pop.byID.get(id)
	return p, ok
}

// ByLogin returns the persona with that login (Démonstration provider).
func (pop *Population) ByLogin(login string) (*Persona, bool) {
	p, ok := pop.byLogin.get(login)
	return p, ok
}

// BySPI returns the declarant holding that SPI (impots.gouv.fr provider).
func (pop *Population) BySPI(spi string) (*Persona, bool) {
	p, ok := pop.bySPI.get(spi)
	return p, ok
}

// COG returns the Insee reference the population was checked against.
func (pop *Population) COG() *COG { return pop.cog }

// Fold lower-cases s and strips the French diacritics, for searching.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(unicode.ToLower(r)))
	}
	return b.String()
}

// appendFold appends Fold(s) to b.
func appendFold(b []byte, s string) []byte {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = utf8.AppendRune(b, foldRune(unicode.ToLower(r)))
	}
	return b
}

// foldRune is r without its diacritic, for the lower-case letters of
// French (and a few of its neighbours).
func foldRune(r rune) rune {
	if r < rune(len(foldTable)) && foldTable[r] != 0 {
		return foldTable[r]
	}
	return r
}

var foldTable = func() (t [0x100]rune) {
	for base, variants := range map[rune]string{
		'a': "àâäáã", 'c': "ç", 'e': "éèêë", 'i': "îïíì", 'o': "ôöóò", 'u': "ùûüú", 'y': "ÿ", 'n': "ñ",
	} {
		for _, v := range variants {
			t[v] = base
		}
	}
	return t
}()
