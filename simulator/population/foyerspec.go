package population

import (
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// A foyer reaches the loader as a foyerSpec: decoded from an item of
// foyers.yaml or of a control API request (parseFoyer), or made by the
// generator directly, which spares a large population the YAML. Every node
// below is where the value was written, for the lines of messages; it is
// nil for a generated item, whose messages then name the foyer by its id.

// foyerSpec is one foyer as foyers.yaml writes it.
type foyerSpec struct {
	node                       *yaml.Node
	line                       int // of the item in its file; 0 when generated
	ID, Declarant1, Declarant2 string
	Dependants                 []dependantSpec
	Residence                  *adresseSpec // nil when missing or unreadable
	AdresseFiscale             *adresseSpec
	// Annees holds the relative years by offset: 1 = N-1, 2 = N-2, 3 = N-3.
	Annees [4]*yearSpec
}

type dependantSpec struct {
	node          *yaml.Node
	Persona       string `yaml:"persona" json:"persona,omitempty"`
	Prenoms       string `yaml:"prenoms" json:"prenoms,omitempty"`
	Nom           string `yaml:"nom" json:"nom,omitempty"`
	DateNaissance string `yaml:"date_naissance" json:"date_naissance,omitempty"`
	Categorie     string `yaml:"categorie" json:"categorie"`
}

type adresseSpec struct {
	node *yaml.Node
	Adresse
}

// yearSpec is one relative year of a foyer. Its periodSpec's source has
// the year's mapping and key ("N-1").
type yearSpec struct {
	SitFam          string
	DecesDeclarant2 string
	AdresseFiscale  *adresseSpec
	// ApresDeces and Rectificatif are nil when absent.
	ApresDeces   *periodSpec
	Rectificatif *periodSpec
	periodSpec
	ParentIsole          bool
	InvaliditeDeclarant1 bool
	InvaliditeDeclarant2 bool
	IFI                  bool
	AucuneDeclaration    bool
	// alone tells that aucune_declaration is the year's only key.
	alone bool
}

// key is where the year is written, its key ("N-1"); nil for an item
// without nodes.
func (y *yearSpec) key() *yaml.Node {
	if y.src == nil {
		return nil
	}
	return y.src.key
}

// periodSpec is the revenues of one avis and the values the computation
// must give, when the fixture states them.
type periodSpec struct {
	// montants are the declared amounts in the order written; nil when
	// the mapping has no "revenus".
	montants []montant
	// src is what only some items have; nil for a generated one (a large
	// population has hundreds of thousands of periods).
	src *periodSource
}

// periodSource is what a period of a fixture item may have besides its
// amounts.
type periodSource struct {
	node *yaml.Node
	key  *yaml.Node // of a year: its key ("N-1")
	// broken marks a mapping that could not be decoded (already reported).
	broken bool
	stated *statedValues // nil when the fixture states none
}

// node is where the period is written; nil for an item without nodes.
func (p *periodSpec) node() *yaml.Node {
	if p.src == nil {
		return nil
	}
	return p.src.node
}

// broken tells that the period's mapping could not be decoded (already
// reported).
func (p *periodSpec) broken() bool { return p.src != nil && p.src.broken }

// stated is the values the fixture states; nil when it states none.
func (p *periodSpec) stated() *statedValues {
	if p.src == nil {
		return nil
	}
	return p.src.stated
}

// montant is one declared amount: a declaration code and euros.
type montant struct {
	code   string
	amount int64
}

// revenus is the amounts as the tax computation takes them.
func (p *periodSpec) revenus() map[string]int64 {
	m := make(map[string]int64, len(p.montants))
	for _, a := range p.montants {
		m[a.code] = a.amount
	}
	return m
}

// statedValues are the values of the computation a fixture states.
type statedValues struct {
	NbPart           *float64 `yaml:"nbPart" json:"nbPart,omitempty"`
	RFR              *int64   `yaml:"rfr" json:"rfr,omitempty"`
	RevenuBrutGlobal *int64   `yaml:"revenuBrutGlobal" json:"revenuBrutGlobal,omitempty"`
	RevImposable     *int64   `yaml:"revImposable" json:"revImposable,omitempty"`
	MntRevbareme     *int64   `yaml:"mntRevbareme" json:"mntRevbareme,omitempty"`
	ImpAvImput       *int64   `yaml:"impAvImput" json:"impAvImput,omitempty"`
	MontTotIr        *int64   `yaml:"montTotIr" json:"montTotIr,omitempty"`
}

// periodYAML is a periodSpec as the YAML decoder fills it.
type periodYAML struct {
	Revenus      map[string]int64 `yaml:"revenus"`
	statedValues `yaml:",inline"`
}

// spec makes the periodSpec of a decoded mapping.
func (raw *periodYAML) spec(node *yaml.Node) periodSpec {
	p := periodSpec{src: &periodSource{node: node}}
	if raw.statedValues != (statedValues{}) {
		stated := raw.statedValues
		p.src.stated = &stated
	}
	if raw.Revenus != nil {
		p.montants = make([]montant, 0, len(raw.Revenus))
		if rn := fixture.Key(node, "revenus"); rn != nil && rn.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(rn.Content); i += 2 {
				if amount, ok := raw.Revenus[rn.Content[i].Value]; ok && !slices.ContainsFunc(p.montants, func(m montant) bool { return m.code == rn.Content[i].Value }) {
					p.montants = append(p.montants, montant{rn.Content[i].Value, amount})
				}
			}
		}
	}
	return p
}

// nCodes is the number of p's montants, 0 when p is nil.
func (p *periodSpec) nCodes() int {
	if p == nil {
		return 0
	}
	return len(p.montants)
}

// codeNode is where the i-th code of the revenus is written, its key or
// its value; nil for an item without nodes.
func (p *periodSpec) codeNode(i int, value bool) *yaml.Node {
	rn := fixture.Key(p.node(), "revenus")
	if rn == nil {
		return nil
	}
	for j := 0; j+1 < len(rn.Content); j += 2 {
		if rn.Content[j].Value == p.montants[i].code {
			if value {
				return rn.Content[j+1]
			}
			return rn.Content[j]
		}
	}
	return nil
}

// The mappings of foyers.yaml as the YAML decoder fills them: the nested
// mappings are kept as nodes and decoded one by one, so that unknown keys
// are reported where they are.

type foyerYAML struct {
	ID             string    `yaml:"id"`
	Declarant1     string    `yaml:"declarant1"`
	Declarant2     string    `yaml:"declarant2"`
	Dependants     yaml.Node `yaml:"dependants"`
	Residence      yaml.Node `yaml:"residence"`
	AdresseFiscale yaml.Node `yaml:"adresse_fiscale"`
	Annees         yaml.Node `yaml:"annees"`
}

type yearYAML struct {
	SitFam               string    `yaml:"sitFam"`
	AdresseFiscale       yaml.Node `yaml:"adresse_fiscale"`
	ParentIsole          bool      `yaml:"parent_isole"`
	InvaliditeDeclarant1 bool      `yaml:"invalidite_declarant1"`
	InvaliditeDeclarant2 bool      `yaml:"invalidite_declarant2"`
	IFI                  bool      `yaml:"ifi"`
	AucuneDeclaration    bool      `yaml:"aucune_declaration"`
	DecesDeclarant2      string    `yaml:"deces_declarant2"`
	ApresDeces           yaml.Node `yaml:"apres_deces"`
	Rectificatif         yaml.Node `yaml:"rectificatif"`
	periodYAML           `yaml:",inline"`
}

var yearKeys = map[string]int{"N-1": 1, "N-2": 2, "N-3": 3}

// parseFoyer decodes one item of foyers.yaml, reporting to l what is not
// shaped as the file's documentation says; nil when it is too broken to
// check further.
func (l *foyerLoader) parseFoyer(node *yaml.Node) *foyerSpec {
	var raw foyerYAML
	if !fixture.Decode(l.file, node, &raw, &l.errs) {
		return nil
	}
	spec := &foyerSpec{node: node, line: node.Line, ID: raw.ID, Declarant1: raw.Declarant1, Declarant2: raw.Declarant2}
	if raw.Residence.Kind == 0 {
		l.add(node, "foyer %q: missing key \"residence\" (the address where the household lives)", raw.ID)
	} else {
		spec.Residence = l.parseAdresse(&raw.Residence)
	}
	if raw.AdresseFiscale.Kind != 0 {
		spec.AdresseFiscale = l.parseAdresse(&raw.AdresseFiscale)
	}
	switch raw.Dependants.Kind {
	case 0:
	case yaml.SequenceNode:
		for _, item := range raw.Dependants.Content {
			d := dependantSpec{node: item}
			if fixture.Decode(l.file, item, &d, &l.errs) {
				spec.Dependants = append(spec.Dependants, d)
			}
		}
	default:
		l.add(&raw.Dependants, "foyer %q: \"dependants\" must be a list", raw.ID)
	}
	switch {
	case raw.Annees.Kind == 0:
		l.add(node, "foyer %q: missing key \"annees\" (N-1, N-2, N-3)", raw.ID)
	case raw.Annees.Kind != yaml.MappingNode || len(raw.Annees.Content) == 0:
		l.add(&raw.Annees, "foyer %q: \"annees\" must map N-1, N-2 or N-3 to the year's declaration", raw.ID)
	default:
		for i := 0; i+1 < len(raw.Annees.Content); i += 2 {
			key, value := raw.Annees.Content[i], raw.Annees.Content[i+1]
			off, ok := yearKeys[key.Value]
			switch {
			case !ok:
				l.add(key, "foyer %q: year %q must be N-1, N-2 or N-3 (N is the clock's year; N-1 is the revenue year taxed during year N)", raw.ID, key.Value)
			case spec.Annees[off] != nil:
				l.add(key, "foyer %q: year %s is given twice", raw.ID, key.Value)
			default:
				spec.Annees[off] = l.parseYear(key, value)
			}
		}
	}
	return spec
}

// strip lets go of the YAML nodes, once the foyer is checked: the
// population keeps its specs to build it again after a change, without
// the nodes' memory (a later message about it gives no line).
func (s *foyerSpec) strip() {
	s.node = nil
	for i := range s.Dependants {
		s.Dependants[i].node = nil
	}
	for _, a := range []*adresseSpec{s.Residence, s.AdresseFiscale} {
		if a != nil {
			a.node = nil
		}
	}
	for _, y := range s.Annees {
		if y == nil {
			continue
		}
		if y.AdresseFiscale != nil {
			y.AdresseFiscale.node = nil
		}
		for _, p := range []*periodSpec{&y.periodSpec, y.ApresDeces, y.Rectificatif} {
			if p != nil && p.src != nil {
				p.src.node, p.src.key = nil, nil
			}
		}
	}
}

// parseAdresse decodes an address; nil when it cannot be read.
func (l *foyerLoader) parseAdresse(node *yaml.Node) *adresseSpec {
	a := &adresseSpec{node: node}
	if !fixture.Decode(l.file, node, &a.Adresse, &l.errs) {
		return nil
	}
	return a
}

// parseYear decodes one relative year. A year that cannot be read is kept,
// empty, so that the foyer still claims it.
func (l *foyerLoader) parseYear(key, node *yaml.Node) *yearSpec {
	y := &yearSpec{}
	var raw yearYAML
	if !fixture.Decode(l.file, node, &raw, &l.errs) {
		y.src = &periodSource{node: node, key: key, broken: true}
		return y
	}
	y.SitFam, y.ParentIsole, y.IFI = raw.SitFam, raw.ParentIsole, raw.IFI
	y.InvaliditeDeclarant1, y.InvaliditeDeclarant2 = raw.InvaliditeDeclarant1, raw.InvaliditeDeclarant2
	y.AucuneDeclaration, y.alone = raw.AucuneDeclaration, len(node.Content) == 2
	y.DecesDeclarant2 = raw.DecesDeclarant2
	y.periodSpec = raw.periodYAML.spec(node)
	y.src.key = key
	if raw.AdresseFiscale.Kind != 0 {
		y.AdresseFiscale = l.parseAdresse(&raw.AdresseFiscale)
	}
	y.ApresDeces = l.parsePeriod(&raw.ApresDeces)
	y.Rectificatif = l.parsePeriod(&raw.Rectificatif)
	return y
}

// parsePeriod decodes apres_deces or rectificatif; nil when absent.
func (l *foyerLoader) parsePeriod(node *yaml.Node) *periodSpec {
	if node.Kind == 0 {
		return nil
	}
	var raw periodYAML
	if !fixture.Decode(l.file, node, &raw, &l.errs) {
		return &periodSpec{src: &periodSource{node: node, broken: true}}
	}
	p := raw.spec(node)
	return &p
}
