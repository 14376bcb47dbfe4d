package population

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Files of the Insee reference inside the fixtures file system, as written
// by the generator in fixtures/gen/cog. COGHorsCOGFile may be absent (a
// fixture directory exported before it existed): then no code outside the
// current COG is a birthplace.
const (
	COGCommunesFile  = "cog/communes.csv"
	COGCountriesFile = "cog/pays.csv"
	COGHorsCOGFile   = "cog/hors-cog.csv"
)

// Types of COG communes, as in the Type field of Commune.
const (
	// CommuneActuelle is a current commune.
	CommuneActuelle = "commune-actuelle"
	// ArrondissementMunicipal is a municipal arrondissement of Paris,
	// Marseille or Lyon (e.g. 75107, Paris 7e), used as a birthplace.
	ArrondissementMunicipal = "arrondissement-municipal"
	// CommuneDeleguee is a former commune merged into a commune nouvelle
	// that keeps a code of its own.
	CommuneDeleguee = "commune-deleguee"
	// CommuneAssociee is a former commune associated with another one
	// that keeps a code of its own.
	CommuneAssociee = "commune-associee"
	// CodeHorsCOG is a birthplace code the civil registry holds but the
	// current COG does not: a former code (75012, Boulogne-Billancourt
	// while in the Seine; 985xx, Mayotte's communes before 976xx) or a code
	// the integration platform's demo accounts use (69674). They come from
	// the hand-maintained cog/hors-cog.csv; their Name says what they were.
	CodeHorsCOG = "hors-cog"
)

var (
	cogCommunesHeader  = []string{"code", "nom", "departement", "codes_postaux", "population", "type"}
	cogCountriesHeader = []string{"code", "nom"}
	cogHorsCOGHeader   = []string{"code", "nom", "aujourdhui", "source"}
)

// Commune is one entry of the Insee COG.
type Commune struct {
	// Code is the Insee code (5 characters, e.g. "75107", "2A004").
	Code string
	// Name is the commune's name, e.g. "Paris 7e Arrondissement"; for a
	// CodeHorsCOG, what the code was, e.g. "Boulogne-Billancourt (ancien
	// code de la Seine, avant 1968)".
	Name string
	// Departement is the département's code, e.g. "75", "2A", "974"; for a
	// CodeHorsCOG, the code's own prefix (75 for 75012, 985 for 98511).
	Departement string
	// PostalCodes are the commune's postal codes, sorted; none for the
	// communes déléguées and associées.
	PostalCodes []string
	// Population is the legal population, 0 when unknown (communes
	// déléguées and associées, uninhabited territories).
	Population int
	// Type is one of CommuneActuelle, ArrondissementMunicipal,
	// CommuneDeleguee, CommuneAssociee and CodeHorsCOG.
	Type string
	// CurrentCode is, for a CodeHorsCOG, the code of the commune it is
	// part of today (92012 for 75012), empty when unknown; empty for the
	// others.
	CurrentCode string
}

// Country is one Insee country or territory of the COG (code 99xxx).
type Country struct {
	// Code is the Insee code, e.g. "99100" for France.
	Code string
	// Name is Insee's short name, e.g. "Algérie".
	Name string
}

// COG is the Insee reference: communes and countries, looked up by code.
// Its communes include the CodeHorsCOG birthplace codes, so that a persona
// born there is accepted and named like any other. It is read-only once
// loaded and safe for concurrent use. A nil *COG knows no code.
type COG struct {
	communes  []Commune // the current COG, sorted by code
	horsCOG   []Commune // the CodeHorsCOG entries, sorted by code
	countries []Country // sorted by code

	// lazy, for a COG made by LazyCOG: the files are read on first use.
	lazy     sync.Once
	lazyFrom fs.FS

	// The postal index, built on first use: the communes (indexes in
	// communes, in code order) of postal code n are
	// postalCommunes[postalStart[n]:postalStart[n+1]]. Postal codes are
	// five digits: counting them is cheaper than sorting them.
	postalOnce     sync.Once
	postalStart    []int32
	postalCommunes []int32
}

// LoadCOG reads cog/communes.csv, cog/pays.csv and, when present,
// cog/hors-cog.csv from fsys. The files must have their header line and be
// sorted by code without duplicates, as the generator writes them; a code
// of cog/hors-cog.csv must not be in cog/communes.csv, and the commune it
// is part of today must be. Errors name the file and the line.
func LoadCOG(fsys fs.FS) (*COG, error) {
	c := &COG{}
	data, err := fs.ReadFile(fsys, COGCommunesFile)
	if err != nil {
		return nil, err
	}
	if c.communes, err = parseCOGCommunes(string(data)); err != nil {
		return nil, err
	}
	data, err = fs.ReadFile(fsys, COGHorsCOGFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if c.horsCOG, err = parseCOGHorsCOG(string(data), c.communes); err != nil {
			return nil, err
		}
	}
	data, err = fs.ReadFile(fsys, COGCountriesFile)
	if err != nil {
		return nil, err
	}
	if c.countries, err = parseCOGCountries(string(data)); err != nil {
		return nil, err
	}
	return c, nil
}

// LazyCOG is the COG of fsys, read on its first use (or by Warm) rather
// than now: the sandbox's embedded reference, about 1.8 MB of CSV and a
// third of a start's work, is then read once the sandbox answers. fsys
// must hold a COG that loads — the embedded one, which the tests load:
// a COG that does not is a defect of the build, and its first use panics
// with why.
func LazyCOG(fsys fs.FS) *COG {
	return &COG{lazyFrom: fsys}
}

// ready reads a lazy COG's files on first use.
func (c *COG) ready() {
	if c.lazyFrom == nil {
		return
	}
	c.lazy.Do(func() {
		loaded, err := LoadCOG(c.lazyFrom)
		if err != nil {
			panic(fmt.Sprintf("population: the COG reference does not load: %v", err))
		}
		c.communes, c.horsCOG, c.countries = loaded.communes, loaded.horsCOG, loaded.countries
	})
}

// Warm reads a lazy COG now (in the background, once the sandbox
// answers); it does nothing to a COG already read.
func (c *COG) Warm() {
	if c != nil {
		c.ready()
	}
}

// parseCOGCommunes parses the content of cog/communes.csv.
func parseCOGCommunes(data string) ([]Commune, error) {
	// One row per line: counting lines sizes the slices exactly.
	n := strings.Count(data, "\n")
	communes := make([]Commune, 0, n)
	// Every postal code of every commune shares one backing array.
	postal := make([]string, 0, n+n/8)
	err := cogEachRecord(COGCommunesFile, data, cogCommunesHeader, func(line int, f []string) error {
		code, name, dep, cps, pop, typ := f[0], f[1], f[2], f[3], f[4], f[5]
		if !isCOGCommuneCode(code) {
			return fmt.Errorf("commune code %q is not 5 characters ([0-9]{5}, 2A... or 2B...)", code)
		}
		if len(communes) > 0 && communes[len(communes)-1].Code >= code {
			return fmt.Errorf("commune code %s comes after %s: the file must be sorted by code, without duplicates", code, communes[len(communes)-1].Code)
		}
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("commune %s has no name", code)
		}
		if dep == "" {
			return fmt.Errorf("commune %s has no departement", code)
		}
		switch typ {
		case CommuneActuelle, ArrondissementMunicipal, CommuneDeleguee, CommuneAssociee:
		default:
			return fmt.Errorf("commune %s has unknown type %q", code, typ)
		}
		population := 0
		if pop != "" {
			p, err := strconv.Atoi(pop)
			if err != nil || p < 0 {
				return fmt.Errorf("commune %s has population %q, not a number", code, pop)
			}
			population = p
		}
		start := len(postal)
		for cps != "" {
			var cp string
			cp, cps, _ = strings.Cut(cps, " ")
			if !cogDigits(cp, 5) {
				return fmt.Errorf("commune %s has postal code %q, not 5 digits", code, cp)
			}
			postal = append(postal, cp)
		}
		var codes []string
		if len(postal) > start {
			codes = postal[start:len(postal):len(postal)]
		}
		communes = append(communes, Commune{
			Code:        code,
			Name:        name,
			Departement: dep,
			PostalCodes: codes,
			Population:  population,
			Type:        typ,
		})
		return nil
	})
	return communes, err
}

// parseCOGHorsCOG parses the content of cog/hors-cog.csv, whose codes must
// be outside communes (the current COG) and whose "aujourdhui" codes, when
// given, inside it. The source column is documentation and not read.
func parseCOGHorsCOG(data string, communes []Commune) ([]Commune, error) {
	inCOG := func(code string) bool {
		_, ok := slices.BinarySearchFunc(communes, code, func(e Commune, code string) int { return cmp.Compare(e.Code, code) })
		return ok
	}
	var out []Commune
	err := cogEachRecord(COGHorsCOGFile, data, cogHorsCOGHeader, func(line int, f []string) error {
		code, name, today := f[0], f[1], f[2]
		switch {
		case !isCOGCommuneCode(code):
			return fmt.Errorf("code %q is not 5 characters ([0-9]{5}, 2A... or 2B...)", code)
		case strings.HasPrefix(code, "99"):
			return fmt.Errorf("code %s is a country code (99xxx), not a birthplace", code)
		case len(out) > 0 && out[len(out)-1].Code >= code:
			return fmt.Errorf("code %s comes after %s: the file must be sorted by code, without duplicates", code, out[len(out)-1].Code)
		case inCOG(code):
			return fmt.Errorf("code %s is in %s: a code of the current COG is not hors COG", code, COGCommunesFile)
		case strings.TrimSpace(name) == "":
			return fmt.Errorf("code %s has no name", code)
		case today != "" && !inCOG(today):
			return fmt.Errorf("code %s: aujourdhui %q is not a code of %s", code, today, COGCommunesFile)
		}
		out = append(out, Commune{Code: code, Name: name, Departement: codeDepartement(code), Type: CodeHorsCOG, CurrentCode: today})
		return nil
	})
	return out, err
}

// codeDepartement is the département part of a commune code: three
// characters overseas (97x, 98x), two otherwise.
func codeDepartement(code string) string {
	if strings.HasPrefix(code, "97") || strings.HasPrefix(code, "98") {
		return code[:3]
	}
	return code[:2]
}

// mergeCommunes merges two lists sorted by code that share no code into a
// new one.
func mergeCommunes(a, b []Commune) []Commune {
	// b is a few dozen codes, a tens of thousands: a's runs between
	// them are copied whole.
	out := make([]Commune, 0, len(a)+len(b))
	for _, x := range b {
		i, _ := slices.BinarySearchFunc(a, x.Code, func(e Commune, code string) int { return cmp.Compare(e.Code, code) })
		out = append(append(out, a[:i]...), x)
		a = a[i:]
	}
	return append(out, a...)
}

// parseCOGCountries parses the content of cog/pays.csv.
func parseCOGCountries(data string) ([]Country, error) {
	countries := make([]Country, 0, strings.Count(data, "\n"))
	err := cogEachRecord(COGCountriesFile, data, cogCountriesHeader, func(line int, f []string) error {
		code, name := f[0], f[1]
		if len(code) != 5 || !strings.HasPrefix(code, "99") || !cogDigits(code, 5) {
			return fmt.Errorf("country code %q is not 99 followed by 3 digits", code)
		}
		if len(countries) > 0 && countries[len(countries)-1].Code >= code {
			return fmt.Errorf("country code %s comes after %s: the file must be sorted by code, without duplicates", code, countries[len(countries)-1].Code)
		}
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("country %s has no name", code)
		}
		countries = append(countries, Country{Code: code, Name: name})
		return nil
	})
	return countries, err
}

// isCOGCommuneCode reports whether s looks like an Insee commune code: five
// digits, or 2A/2B followed by three digits for Corsica.
func isCOGCommuneCode(s string) bool {
	if len(s) != 5 {
		return false
	}
	if s[0] == '2' && (s[1] == 'A' || s[1] == 'B') {
		return cogDigits(s[2:], 3)
	}
	return cogDigits(s, 5)
}

// cogDigits reports whether s is made of exactly n ASCII digits.
func cogDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Commune returns the commune with that Insee code, or the CodeHorsCOG
// entry for a birthplace code outside the current COG.
func (c *COG) Commune(code string) (Commune, bool) {
	if c == nil {
		return Commune{}, false
	}
	c.ready()
	byCode := func(e Commune, code string) int { return cmp.Compare(e.Code, code) }
	if i, ok := slices.BinarySearchFunc(c.communes, code, byCode); ok {
		return c.communes[i], true
	}
	if i, ok := slices.BinarySearchFunc(c.horsCOG, code, byCode); ok {
		return c.horsCOG[i], true
	}
	return Commune{}, false
}

// Country returns the country or territory with that Insee code (99xxx).
func (c *COG) Country(code string) (Country, bool) {
	if c == nil {
		return Country{}, false
	}
	c.ready()
	i, ok := slices.BinarySearchFunc(c.countries, code, func(e Country, code string) int { return cmp.Compare(e.Code, code) })
	if !ok {
		return Country{}, false
	}
	return c.countries[i], true
}

// CommunesByPostalCode returns the communes served by that postal code,
// sorted by Insee code; nil when there is none. The index behind it is
// built on the first call.
func (c *COG) CommunesByPostalCode(cp string) []Commune {
	var out []Commune
	for _, i := range c.postalEntries(cp) {
		out = append(out, c.communes[i])
	}
	return out
}

// servesCommune tells whether postal code cp serves a commune named
// exactly name, without copying the communes (the fast path of checking a
// large population's addresses).
func (c *COG) servesCommune(cp, name string) bool {
	for _, i := range c.postalEntries(cp) {
		if c.communes[i].Name == name {
			return true
		}
	}
	return false
}

// postalEntries are the indexes in communes of the communes cp serves.
func (c *COG) postalEntries(cp string) []int32 {
	if c == nil || !cogDigits(cp, 5) {
		return nil
	}
	c.ready()
	c.postalOnce.Do(c.buildPostalIndex)
	n, _ := strconv.Atoi(cp)
	return c.postalCommunes[c.postalStart[n]:c.postalStart[n+1]]
}

// buildPostalIndex counts the communes of each postal code, then places
// them, in code order.
func (c *COG) buildPostalIndex() {
	start := make([]int32, 100_001)
	for i := range c.communes {
		for _, cp := range c.communes[i].PostalCodes {
			n, _ := strconv.Atoi(cp) // five digits (parseCOGCommunes)
			start[n+1]++
		}
	}
	for n := 1; n < len(start); n++ {
		start[n] += start[n-1]
	}
	communes := make([]int32, start[len(start)-1])
	next := slices.Clone(start[:len(start)-1])
	for i := range c.communes {
		for _, cp := range c.communes[i].PostalCodes {
			n, _ := strconv.Atoi(cp)
			communes[next[n]] = int32(i)
			next[n]++
		}
	}
	c.postalStart, c.postalCommunes = start, communes
}

// Communes returns every commune, sorted by code, the CodeHorsCOG entries
// included (they have neither population nor postal codes). The slice is a
// copy; the PostalCodes of its entries are shared and must not be modified.
func (c *COG) Communes() []Commune {
	if c == nil {
		return nil
	}
	c.ready()
	return mergeCommunes(c.communes, c.horsCOG)
}

// Countries returns every country and territory, sorted by code. The slice
// is a copy.
func (c *COG) Countries() []Country {
	if c == nil {
		return nil
	}
	c.ready()
	return slices.Clone(c.countries)
}

// cogEachRecord parses data, the content of the CSV file named file (RFC 4180:
// comma separated, fields optionally double-quoted, "" for a quote inside
// a quoted field, \n or \r\n line endings, empty lines skipped). It checks
// that the first record equals header and calls fn with every following
// record, which must have as many fields. Unquoted fields are substrings of
// data, so that loading allocates little. Errors, including fn's, are
// prefixed with the file name and the line where the record starts.
func cogEachRecord(file, data string, header []string, fn func(line int, fields []string) error) error {
	data = strings.TrimPrefix(data, "\ufeff")
	fields := make([]string, 0, len(header))
	line := 1
	first := true
	for len(data) > 0 {
		start := line
		if data[0] == '\n' || strings.HasPrefix(data, "\r\n") {
			_, data, _ = strings.Cut(data, "\n")
			line++
			continue
		}
		var err error
		fields, data, line, err = cogSplitRecord(fields[:0], data, line)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", file, line, err)
		}
		if len(fields) != len(header) {
			return fmt.Errorf("%s:%d: %d fields, want %d (%s)", file, start, len(fields), len(header), strings.Join(header, ","))
		}
		if first {
			first = false
			if !slices.Equal(fields, header) {
				return fmt.Errorf("%s:%d: header %q, want %q", file, start, strings.Join(fields, ","), strings.Join(header, ","))
			}
			continue
		}
		if err := fn(start, fields); err != nil {
			return fmt.Errorf("%s:%d: %w", file, start, err)
		}
	}
	if first {
		return fmt.Errorf("%s: empty file, want header %q", file, strings.Join(header, ","))
	}
	return nil
}

// cogSplitRecord appends to fields the fields of the record at the start of
// data, and returns the rest of data after the record's line ending and the
// line number where that rest starts.
func cogSplitRecord(fields []string, data string, line int) ([]string, string, int, error) {
	for {
		var field string
		if len(data) > 0 && data[0] == '"' {
			// Quoted field: up to the closing quote, "" standing for a quote.
			var b strings.Builder
			rest := data[1:]
			for {
				i := strings.IndexByte(rest, '"')
				if i < 0 {
					return fields, "", line, errors.New("quoted field not closed")
				}
				line += strings.Count(rest[:i], "\n")
				if i+1 < len(rest) && rest[i+1] == '"' {
					b.WriteString(rest[:i+1])
					rest = rest[i+2:]
					continue
				}
				if b.Len() == 0 {
					field = rest[:i]
				} else {
					b.WriteString(rest[:i])
					field = b.String()
				}
				data = rest[i+1:]
				break
			}
			if data == "\r" {
				data = ""
			}
			if len(data) > 0 && data[0] != ',' && data[0] != '\n' && !strings.HasPrefix(data, "\r\n") {
				return fields, "", line, errors.New("extraneous character after closing quote")
			}
		} else {
			// Unquoted field: up to the next comma or line end. Fields
			// are short, so a plain loop beats strings.IndexAny.
			i := 0
			for ; i < len(data) && data[i] != ',' && data[i] != '\n'; i++ {
				if data[i] == '"' {
					return fields, "", line, errors.New(`bare " in unquoted field`)
				}
			}
			field = strings.TrimSuffix(data[:i], "\r")
			data = data[i:]
		}
		fields = append(fields, field)
		switch {
		case len(data) == 0:
			return fields, "", line, nil
		case data[0] == ',':
			data = data[1:]
		default: // \n or \r\n
			_, data, _ = strings.Cut(data, "\n")
			return fields, data, line + 1, nil
		}
	}
}
