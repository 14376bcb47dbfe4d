package population

import (
	"fmt"
	"io/fs"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// PersonasFile is the fixture file holding the personas.
const PersonasFile = "personas.yaml"

// Population is the loaded set of personas and of the foyers fiscaux they
// make up. It is immutable once loaded and safe for concurrent reads.
type Population struct {
	personas []*Persona
	byID     map[string]*Persona
	byLogin  map[string]*Persona
	bySPI    map[string]*Persona
	cog      *COG

	foyers    []*Foyer
	foyerByID map[string]*Foyer
	spiFoyers map[string]*declarantFoyers
	roles     map[string]string // persona id → RoleDeclarant or RoleDependant

	source       Source
	searchOnce   sync.Once
	searchText   []string // folded names, login, SPI and situation, by persona
	identityOnce sync.Once
	identities   map[string]*Persona // identité pivot → persona, built on first use
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
}

// Source is everything a population is built from: the fixture files, then
// documents applied in order. An item of a document whose id is already
// known replaces the earlier one (that is how the control API replaces a
// persona); within one document an id is unique.
type Source struct {
	Fixtures  fs.FS
	Documents []Document
	// Generate, when set, adds documents made on the fly (a generated
	// population is rebuilt from its seed rather than kept as YAML).
	Generate func(cog *COG) ([]Document, error)
}

// item is one fixture entry with the file it comes from.
type item struct {
	file string
	node *yaml.Node
}

// Build checks every item of src and makes the population. The result
// keeps src, so that a change can rebuild from it (see Live).
func Build(src Source, cog *COG) (*Population, error) {
	docs, err := src.documents(cog)
	if err != nil {
		return nil, err
	}
	var errs fixture.Errors
	personaItems := mergeItems(docs, func(d Document) []*yaml.Node { return d.Personas }, &errs)
	foyerItems := mergeItems(docs, func(d Document) []*yaml.Node { return d.Foyers }, &errs)
	var personas []*Persona
	for _, it := range personaItems {
		p := &Persona{}
		if !fixture.Decode(it.file, it.node, p, &errs) {
			continue
		}
		for _, problem := range Check(p, cog) {
			errs.Add(it.file, fixture.ValueNode(it.node, problem.Field), "persona %q: %s", p.ID, problem.Msg)
		}
		personas = append(personas, p)
	}
	if len(personas) == 0 && len(errs) == 0 {
		errs.Add(PersonasFile, nil, "no persona declared")
	}
	pop := &Population{cog: cog, source: src}
	for _, dup := range pop.index(personas) {
		errs = append(errs, &fixture.Error{File: PersonasFile, Msg: dup})
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := pop.loadFoyers(foyerItems); err != nil {
		return nil, err
	}
	return pop, nil
}

// documents reads the fixture files as the first documents.
func (src Source) documents(cog *COG) ([]Document, error) {
	var docs []Document
	if src.Fixtures != nil {
		root, err := fixture.ReadDocument(src.Fixtures, PersonasFile)
		if err != nil {
			return nil, err
		}
		var errs fixture.Errors
		doc := Document{File: PersonasFile, Personas: fixture.Items(root, "personas", true, PersonasFile, &errs)}
		if err := errs.Err(); err != nil {
			return nil, err
		}
		docs = append(docs, doc)
		if _, err := fs.Stat(src.Fixtures, FoyersFile); err == nil {
			root, err := fixture.ReadDocument(src.Fixtures, FoyersFile)
			if err != nil {
				return nil, err
			}
			doc := Document{File: FoyersFile, Foyers: fixture.Items(root, "foyers", true, FoyersFile, &errs)}
			if err := errs.Err(); err != nil {
				return nil, err
			}
			docs = append(docs, doc)
		}
	}
	if src.Generate != nil {
		gen, err := src.Generate(cog)
		if err != nil {
			return nil, err
		}
		docs = append(docs, gen...)
	}
	return append(docs, src.Documents...), nil
}

// mergeItems lists the items of every document in order; an id seen in an
// earlier document is replaced in place, an id twice in one document is an
// error left to the duplicate checks.
func mergeItems(docs []Document, items func(Document) []*yaml.Node, errs *fixture.Errors) []item {
	var out []item
	where := map[string]int{} // id → index in out
	for _, d := range docs {
		seenHere := map[string]bool{}
		for _, n := range items(d) {
			id := ""
			if v := fixture.Key(n, "id"); v != nil {
				id = v.Value
			}
			if i, ok := where[id]; ok && id != "" && !seenHere[id] {
				out[i] = item{file: d.File, node: n}
				seenHere[id] = true
				continue
			}
			if id != "" {
				where[id] = len(out)
				seenHere[id] = true
			}
			out = append(out, item{file: d.File, node: n})
		}
	}
	return out
}

// Source returns what the population was built from.
func (pop *Population) Source() Source { return pop.source }

// index fills the lookup maps and returns one message per duplicate key.
func (pop *Population) index(personas []*Persona) []string {
	pop.personas = personas
	pop.byID = make(map[string]*Persona, len(personas))
	pop.byLogin = make(map[string]*Persona, len(personas))
	pop.bySPI = make(map[string]*Persona, len(personas))
	var dups []string
	for _, p := range personas {
		if p.Password == "" {
			p.Password = DefaultPassword
		}
		if other, ok := pop.byID[p.ID]; ok && p.ID != "" {
			dups = append(dups, fmt.Sprintf("id %q is used twice (%s)", p.ID, other.Login))
		}
		pop.byID[p.ID] = p
		if _, ok := pop.byLogin[p.Login]; ok && p.Login != "" {
			dups = append(dups, fmt.Sprintf("login %q is used twice", p.Login))
		}
		pop.byLogin[p.Login] = p
		if p.SPI != "" {
			if other, ok := pop.bySPI[p.SPI]; ok {
				dups = append(dups, fmt.Sprintf("SPI %s is held by both %q and %q", p.SPI, other.ID, p.ID))
			}
			pop.bySPI[p.SPI] = p
		}
	}
	return dups
}

// Problem is one broken rule of a persona; Field names the offending key.
type Problem struct {
	Field string
	Msg   string
}

var (
	idPattern        = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	spiPattern       = regexp.MustCompile(`^[0-9]{13}$`)
	birthdatePattern = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
)

// Check returns the rules p breaks: identifiers, the identité pivot formats
// FranceConnect emits, and the Insee codes of cog.
func Check(p *Persona, cog *COG) []Problem {
	var out []Problem
	bad := func(field, format string, args ...any) {
		out = append(out, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !idPattern.MatchString(p.ID) {
		bad("id", "id %q must be lower-case letters, digits and hyphens", p.ID)
	}
	if p.Login == "" || strings.ContainsAny(p.Login, " \t\n") {
		bad("login", "login %q must be non-empty and without spaces", p.Login)
	}
	if p.SPI != "" && !spiPattern.MatchString(p.SPI) {
		bad("spi", "SPI %q must be 13 digits", p.SPI)
	}
	if strings.TrimSpace(p.GivenName) == "" && strings.TrimSpace(p.FamilyName) == "" {
		bad("given_name", "a persona needs a first name or a birth name")
	}
	if p.GivenName != strings.Join(strings.Fields(p.GivenName), " ") {
		bad("given_name", "given_name %q has extra spaces", p.GivenName)
	}
	if p.Gender != "male" && p.Gender != "female" {
		bad("gender", "gender %q must be male or female", p.Gender)
	}
	checkBirthdate(p.Birthdate, bad)
	if _, ok := cog.Country(p.Birthcountry); !ok {
		bad("birthcountry", "birthcountry %q is not an Insee country code (99xxx) of the COG reference", p.Birthcountry)
	} else if p.BornInFrance() {
		if _, ok := cog.Commune(p.Birthplace); !ok {
			bad("birthplace", "birthplace %q is not an Insee commune code of the COG reference", p.Birthplace)
		}
	} else if p.Birthplace != "" {
		bad("birthplace", "birthplace must be empty when born abroad (birthcountry %s), got %q", p.Birthcountry, p.Birthplace)
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			bad("email", "email %q is not a plain RFC 5322 address", p.Email)
		}
	}
	return out
}

func checkBirthdate(d string, bad func(field, format string, args ...any)) {
	m := birthdatePattern.FindStringSubmatch(d)
	if m == nil {
		bad("birthdate", "birthdate %q must be YYYY-MM-DD (00 allowed for a presumed day or month)", d)
		return
	}
	if m[2] == "00" || m[3] == "00" {
		if m[2] > "12" || m[3] > "31" {
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
	p, ok := pop.byID[id]
	return p, ok
}

// ByLogin returns the persona with that login (Démonstration provider).
func (pop *Population) ByLogin(login string) (*Persona, bool) {
	p, ok := pop.byLogin[login]
	return p, ok
}

// BySPI returns the declarant holding that SPI (impots.gouv.fr provider).
func (pop *Population) BySPI(spi string) (*Persona, bool) {
	p, ok := pop.bySPI[spi]
	return p, ok
}

// COG returns the Insee reference the population was checked against.
func (pop *Population) COG() *COG { return pop.cog }

// Search returns the personas whose names, login, SPI or situation contain
// every word of query (case and accents ignored), in file order.
func (pop *Population) Search(query string) []*Persona {
	words := strings.Fields(Fold(query))
	if len(words) == 0 {
		return pop.personas
	}
	pop.searchOnce.Do(func() {
		pop.searchText = make([]string, len(pop.personas))
		for i, p := range pop.personas {
			pop.searchText[i] = Fold(strings.Join([]string{p.GivenName, p.FamilyName, p.PreferredUsername, p.Login, p.SPI, p.Situation, p.ID}, " "))
		}
	})
	var out []*Persona
	for i, p := range pop.personas {
		hay := pop.searchText[i]
		all := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				all = false
				break
			}
		}
		if all {
			out = append(out, p)
		}
	}
	return out
}

// Fold lower-cases s and strips the French diacritics, for searching.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if f, ok := foldTable[r]; ok {
			return f
		}
		return r
	}, strings.ToLower(s))
}

var foldTable = func() map[rune]rune {
	m := map[rune]rune{}
	for base, variants := range map[rune]string{
		'a': "àâäáã", 'c': "ç", 'e': "éèêë", 'i': "îïíì", 'o': "ôöóò", 'u': "ùûüú", 'y': "ÿ", 'n': "ñ",
	} {
		for _, v := range variants {
			m[v] = base
		}
	}
	return m
}()
