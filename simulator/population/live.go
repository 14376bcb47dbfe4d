package population

import (
	"bytes"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// IdentityKey is the identité pivot as a data provider matches it: first
// names, birth name, birthdate (normalised), gender, birthplace, country,
// compared without case or accents.
func IdentityKey(givenName, familyName, birthdate, gender, birthplace, birthcountry string) string {
	// One string built in place: an API call in FranceConnect mode makes
	// one key.
	b := make([]byte, 0, len(givenName)+len(familyName)+len(birthdate)+len(gender)+len(birthplace)+len(birthcountry)+16)
	return string(appendIdentityKey(b, givenName, familyName, birthdate, gender, birthplace, birthcountry))
}

// appendIdentityKey appends IdentityKey(…) to b.
func appendIdentityKey(b []byte, givenName, familyName, birthdate, gender, birthplace, birthcountry string) []byte {
	b = appendFold(b, strings.TrimSpace(givenName))
	b = append(b, '|')
	b = appendFold(b, strings.TrimSpace(familyName))
	for _, s := range [...]string{birthdate, gender, strings.TrimSpace(birthplace), birthcountry} {
		b = append(append(b, '|'), s...)
	}
	return b
}

// appendPersonaIdentity appends p's IdentityKey to b.
func appendPersonaIdentity(b []byte, p *Persona) []byte {
	return appendIdentityKey(b, p.GivenName, p.FamilyName, p.NormalisedBirthdate(), p.Gender, p.Birthplace, p.Birthcountry)
}

// identityIndex finds personas by identité pivot. It keeps a hash of each
// key rather than the key (the keys of 100 000 personas took 9 MB), and
// checks the persona found against the key asked; a key whose hash is
// another key's is kept whole, in collisions. As in a map of the keys, a
// later persona replaces an earlier one with the same key.
type identityIndex struct {
	seed       maphash.Seed
	byHash     map[uint64]*Persona
	collisions map[string]*Persona
}

func newIdentityIndex(personas []*Persona) *identityIndex {
	x := &identityIndex{seed: maphash.MakeSeed(), byHash: make(map[uint64]*Persona, len(personas))}
	var buf []byte
	for _, p := range personas {
		buf = appendPersonaIdentity(buf[:0], p)
		x.add(p, buf, maphash.Bytes(x.seed, buf))
	}
	return x
}

// add indexes p, whose key is key and its hash h.
func (x *identityIndex) add(p *Persona, key []byte, h uint64) {
	if q, ok := x.byHash[h]; ok {
		var buf [128]byte
		if !bytes.Equal(key, appendPersonaIdentity(buf[:0], q)) {
			if x.collisions == nil {
				x.collisions = map[string]*Persona{}
			}
			x.collisions[string(key)] = p
			return
		}
	}
	x.byHash[h] = p
}

// get returns the persona with that key.
func (x *identityIndex) get(key string) (*Persona, bool) {
	if p, ok := x.collisions[key]; ok {
		return p, true
	}
	p, ok := x.byHash[maphash.String(x.seed, key)]
	if !ok {
		return nil, false
	}
	var buf [128]byte
	if string(appendPersonaIdentity(buf[:0], p)) != key {
		return nil, false
	}
	return p, true
}

// ByIdentity returns the persona whose identité pivot matches, as the DGFiP
// matches the identity FranceConnect sends it.
func (pop *Population) ByIdentity(key string) (*Persona, bool) {
	return pop.identityIndex().get(key)
}

// identityIndex indexes the personas by identité pivot, once.
func (pop *Population) identityIndex() *identityIndex {
	pop.identityOnce.Do(func() { pop.identities = newIdentityIndex(pop.personas) })
	return pop.identities
}

// Warm makes the lookups built on first use (the identités pivots the API
// matches, the text the login page searches), so that with a large
// population the first requests after a start or a change do not wait for
// them: Live runs it in the background on every snapshot it stores. A
// call while they are being made waits for them.
func (pop *Population) Warm() {
	pop.identityIndex()
	pop.searchIndex()
	pop.memberIndex()
}

// FoyersOf returns the ids of the foyers personaID declares in or depends
// on, in file order.
func (pop *Population) FoyersOf(personaID string) []string {
	pop.memberIndex()
	return pop.members[personaID]
}

// memberIndex lists the foyers of each persona, once.
func (pop *Population) memberIndex() {
	pop.membersOnce.Do(func() {
		pop.members = make(map[string][]string, len(pop.personas))
		for _, f := range pop.foyers {
			add := func(id string) {
				if ids := pop.members[id]; len(ids) == 0 || ids[len(ids)-1] != f.ID {
					pop.members[id] = append(ids, f.ID)
				}
			}
			for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
				if p != nil {
					add(p.ID)
				}
			}
			for _, d := range f.Dependants {
				if d.Persona != nil {
					add(d.Persona.ID)
				}
			}
		}
	})
}

// Live is the population the services read: a snapshot that the control
// API can replace as a whole (add or replace a persona or a foyer, reset).
// Readers always see one consistent snapshot; a change builds a new one
// from the current source and swaps it in only when every check passes.
type Live struct {
	cur     atomic.Pointer[Population]
	initial *Population
	mu      sync.Mutex // serialises changes

	// A Live made by NewLiveLater builds its first population once: built
	// is closed when initial, cur and err are set.
	build func() (*Population, error)
	start sync.Once
	built chan struct{}
	err   error
}

// NewLive starts from pop; Reset returns to it.
func NewLive(pop *Population) *Live {
	l := &Live{initial: pop}
	l.cur.Store(pop)
	go pop.Warm()
	return l
}

// NewLiveLater starts from the population build makes, in the background,
// from Start or the first use, whichever comes first; every use waits for
// it. It is for a population the tests build (the embedded defaults), so
// that the sandbox answers before it is read. Should build fail all the
// same, the Live holds an empty population and Wait returns the error.
func NewLiveLater(build func() (*Population, error)) *Live {
	return &Live{build: build, built: make(chan struct{})}
}

// Start builds the first population of a Live made by NewLiveLater, in the
// background, unless it is started already.
func (l *Live) Start() {
	if l.build == nil {
		return
	}
	l.start.Do(func() {
		go func() {
			pop, err := l.build()
			if err != nil {
				pop = &Population{}
			}
			l.initial, l.err = pop, err
			l.cur.Store(pop)
			close(l.built)
			pop.Warm()
		}()
	})
}

// Wait starts the first population if it is not started and waits for
// it; the error is build's (NewLiveLater).
func (l *Live) Wait() error {
	if l.build == nil {
		return nil
	}
	l.Start()
	<-l.built
	return l.err
}

// Current returns the snapshot in force.
func (l *Live) Current() *Population {
	if pop := l.cur.Load(); pop != nil {
		return pop
	}
	_ = l.Wait()
	return l.cur.Load()
}

// Apply builds a new population from the current source plus doc, and
// swaps it in when it is valid; the error names the document and the line.
// A small change is checked and made incrementally (applyIncremental),
// anything else by building the whole population again: both give the
// same population, and the same errors.
func (l *Live) Apply(doc Document) (*Population, error) {
	if err := l.Wait(); err != nil {
		return nil, err // no first population to change
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.cur.Load()
	src := cur.source
	src.Documents = append(append([]Document{}, src.Documents...), doc)
	next, ok := applyIncremental(cur, src, doc)
	if !ok {
		var err error
		if next, err = Build(src, cur.cog); err != nil {
			return nil, err
		}
	}
	l.cur.Store(next)
	go next.Warm()
	return next, nil
}

// Reset returns to the population loaded at start.
func (l *Live) Reset() {
	_ = l.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur.Store(l.initial)
}

// The lookups of the snapshot in force, so that services can hold a *Live
// where they would hold a *Population.

func (l *Live) Personas() []*Persona                  { return l.Current().Personas() }
func (l *Live) ByID(id string) (*Persona, bool)       { return l.Current().ByID(id) }
func (l *Live) ByLogin(login string) (*Persona, bool) { return l.Current().ByLogin(login) }
func (l *Live) BySPI(spi string) (*Persona, bool)     { return l.Current().BySPI(spi) }
func (l *Live) ByIdentity(key string) (*Persona, bool) {
	return l.Current().ByIdentity(key)
}
func (l *Live) Search(query string) []*Persona { return l.Current().Search(query) }
func (l *Live) COG() *COG                      { return l.Current().COG() }
func (l *Live) Foyers() []*Foyer               { return l.Current().Foyers() }
func (l *Live) FoyerByID(id string) (*Foyer, bool) {
	return l.Current().FoyerByID(id)
}
func (l *Live) FoyerRole(personaID string) string { return l.Current().FoyerRole(personaID) }
func (l *Live) AvisBySPI(spi string, annrev, ref int) (*Foyer, []*Avis, bool) {
	return l.Current().AvisBySPI(spi, annrev, ref)
}
