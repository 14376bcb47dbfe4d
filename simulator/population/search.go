package population

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
)

// Search returns the personas whose names, login, SPI or situation contain
// every word of query (case and accents ignored), in file order.
func (pop *Population) Search(query string) []*Persona {
	words := searchWords(query)
	if len(words) == 0 {
		return pop.personas
	}
	return pop.searchIndex().personas(pop.personas, words)
}

// SearchFoyers returns the foyers whose id, commune of residence, or
// declarants' ids, logins, SPIs or names contain every word of query (case
// and accents ignored), in file order.
func (pop *Population) SearchFoyers(query string) []*Foyer {
	words := searchWords(query)
	if len(words) == 0 {
		return pop.foyers
	}
	return pop.searchIndex().foyers(pop.foyers, words)
}

// Search bounds: a query is cut to maxSearchBytes, and only its first
// maxSearchWords distinct words count, so that no query costs more than a
// few passes over the population (a 30 000-word query on the login page
// used to cost 25 s of CPU with 100 000 personas).
const (
	maxSearchBytes = 256
	maxSearchWords = 8
)

// wordMask has a bit per word of a query, in order.
type wordMask uint8

// Every word has its bit.
var _ [8 - maxSearchWords]struct{}

// searchWords are the words of query that a search looks for.
func searchWords(query string) []string {
	if len(query) > maxSearchBytes {
		query = strings.ToValidUTF8(query[:maxSearchBytes], "")
		if i := strings.LastIndexFunc(query, unicode.IsSpace); i > 0 {
			query = query[:i] // no half word
		}
	}
	var words []string
	for _, w := range strings.Fields(Fold(query)) {
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
		if len(words) == maxSearchWords {
			break
		}
	}
	return words
}

// searchIndex is the text Search and SearchFoyers look in: each item's
// fields folded (see Fold). An item matches when each word of the query
// is in one of its fields. A word has no space, so that is the same as
// being in the fields joined by spaces: the index keeps them so, one item
// after the other in one string, and keeps once the values many items
// share (situations, communes). A foyer's declarants are searched in
// their persona's text, not copied.
type searchIndex struct {
	// text holds the folded given name, birth name, usage name, login, SPI
	// and id of each persona, joined by spaces, then the folded id of each
	// foyer.
	text string
	// personaEnd is where the text of each persona ends; it starts where
	// the one before ends.
	personaEnd []uint32
	situation  []uint32 // by persona, the index of its situation in situations
	situations []string // folded
	// foyerEnd is where the id of each foyer ends, after the personas'.
	foyerEnd []uint32
	commune  []uint32 // by foyer, the index of its commune of residence in communes
	communes []string // folded
	// declarants are each foyer's, as indexes of personas in text (-1 for
	// none), or beyond them in others when a declarant is not among the
	// population's personas.
	declarants [][2]int32
	others     []string
}

// searchIndex makes the index Search and SearchFoyers look in, once.
func (pop *Population) searchIndex() *searchIndex {
	pop.searchOnce.Do(func() { pop.search = newSearchIndex(pop.personas, pop.foyers) })
	return pop.search
}

// personaFields appends p's folded fields the foyers search, joined by
// spaces: login, SPI, id and names, each left out when the fields before
// already contain it (a generated login holds the names), which finds
// the same.
func personaFields(b []byte, p *Persona) []byte {
	start := len(b)
	for _, s := range [...]string{p.Login, p.SPI, p.ID, p.FamilyName, p.PreferredUsername, p.GivenName} {
		end := len(b)
		field := end
		if end > start {
			b = append(b, ' ')
			field++
		}
		b = appendFold(b, s)
		if bytes.Contains(b[start:end], b[field:]) {
			b = b[:end]
		}
	}
	return b
}

func newSearchIndex(personas []*Persona, foyers []*Foyer) *searchIndex {
	x := &searchIndex{
		personaEnd: make([]uint32, len(personas)),
		situation:  make([]uint32, len(personas)),
		foyerEnd:   make([]uint32, len(foyers)),
		commune:    make([]uint32, len(foyers)),
		declarants: make([][2]int32, len(foyers)),
	}
	size := 0
	for _, p := range personas {
		size += len(p.GivenName) + len(p.FamilyName) + len(p.PreferredUsername) + len(p.Login) + len(p.SPI) + len(p.ID) + 5
	}
	for _, f := range foyers {
		size += len(f.ID)
	}
	// The text is made in text, then copied at its size.
	text := make([]byte, 0, size)
	situations := map[string]uint32{}
	shared := func(index map[string]uint32, list *[]string, s string) uint32 {
		i, ok := index[s]
		if !ok {
			i = uint32(len(*list))
			index[s] = i
			*list = append(*list, Fold(s))
		}
		return i
	}
	where := make(map[*Persona]int32, len(personas))
	for i, p := range personas {
		text = personaFields(text, p)
		x.personaEnd[i] = uint32(len(text))
		x.situation[i] = shared(situations, &x.situations, p.Situation)
		where[p] = int32(i)
	}
	communes := map[string]uint32{}
	for i, f := range foyers {
		text = appendFold(text, f.ID)
		x.foyerEnd[i] = uint32(len(text))
		x.commune[i] = shared(communes, &x.communes, f.Residence.Commune)
		for k, p := range [2]*Persona{f.Declarant1, f.Declarant2} {
			j, ok := where[p]
			switch {
			case p == nil:
				j = -1
			case !ok:
				j = int32(len(personas) + len(x.others))
				x.others = append(x.others, string(personaFields(nil, p)))
				where[p] = j
			}
			x.declarants[i][k] = j
		}
	}
	x.text = string(text)
	return x
}

// personaText is the text of persona i (an index of declarants).
func (x *searchIndex) personaText(i int32) string {
	if n := int32(len(x.personaEnd)); i >= n {
		return x.others[i-n]
	}
	start := uint32(0)
	if i > 0 {
		start = x.personaEnd[i-1]
	}
	return x.text[start:x.personaEnd[i]]
}

// masks tells, for each of the values, which words it contains.
func masks(values []string, words []string) []wordMask {
	out := make([]wordMask, len(values))
	for i, v := range values {
		for j, w := range words {
			if strings.Contains(v, w) {
				out[i] |= 1 << j
			}
		}
	}
	return out
}

// personas returns the personas (those the index was made of) whose
// text or situation contains every word.
func (x *searchIndex) personas(personas []*Persona, words []string) []*Persona {
	situations := masks(x.situations, words)
	var out []*Persona
	start := uint32(0)
	for i, p := range personas {
		end := x.personaEnd[i]
		if x.has(x.text[start:end], situations[x.situation[i]], words) {
			out = append(out, p)
		}
		start = end
	}
	return out
}

// has tells whether text contains each of the words that found, a mask
// of those already found elsewhere, lacks.
func (x *searchIndex) has(text string, found wordMask, words []string) bool {
	for j, w := range words {
		if found&(1<<j) == 0 && !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// foyers returns the foyers (those the index was made of) whose id,
// commune or declarants contain every word.
func (x *searchIndex) foyers(foyers []*Foyer, words []string) []*Foyer {
	communes := masks(x.communes, words)
	var out []*Foyer
	start := uint32(0)
	if n := len(x.personaEnd); n > 0 {
		start = x.personaEnd[n-1]
	}
	for i, f := range foyers {
		end := x.foyerEnd[i]
		found := communes[x.commune[i]]
		for j, w := range words {
			if found&(1<<j) != 0 {
				continue
			}
			if strings.Contains(x.text[start:end], w) {
				found |= 1 << j
				continue
			}
			for _, d := range x.declarants[i] {
				if d >= 0 && strings.Contains(x.personaText(d), w) {
					found |= 1 << j
					break
				}
			}
			if found&(1<<j) == 0 {
				break
			}
		}
		if found == 1<<len(words)-1 {
			out = append(out, f)
		}
		start = end
	}
	return out
}
