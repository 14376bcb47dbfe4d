package control

import (
	"fmt"
	"net/http"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/population"
)

// foyerView is a foyer as the API shows it: declarants and dependants with
// the keys of foyers.yaml, and its avis for the clock's years.
type foyerView struct {
	ID         string          `json:"id"`
	Declarant1 string          `json:"declarant1"`
	Declarant2 string          `json:"declarant2,omitempty"`
	Dependants []dependantView `json:"dependants"`
	Residence  adresseView     `json:"residence"`
	Years      []yearView      `json:"years"`
}

type dependantView struct {
	Persona       string `json:"persona,omitempty"`
	Prenoms       string `json:"prenoms"`
	Nom           string `json:"nom"`
	DateNaissance string `json:"date_naissance"`
	Categorie     string `json:"categorie"`
}

type adresseView struct {
	Complement string `json:"complement,omitempty"`
	Voie       string `json:"voie"`
	CodePostal string `json:"code_postal"`
	Commune    string `json:"commune"`
}

type yearView struct {
	Relative    string     `json:"relative"`
	RevenueYear int        `json:"revenue_year"`
	Available   bool       `json:"available"`
	Avis        []avisView `json:"avis"`
}

// avisView sums an avis up with the DGFiP's field names.
type avisView struct {
	AnnRev           int     `json:"annRev"`
	TypeAvis         int     `json:"typeAvis"`
	DateDebutPeriode string  `json:"dateDebutPeriode"`
	DateFinPeriode   string  `json:"dateFinPeriode"`
	SitFam           string  `json:"sitFam"`
	NbPart           float64 `json:"nbPart"`
	RFR              int64   `json:"rfr"`
	RevImposable     int64   `json:"revImposable"`
	MontTotIr        int64   `json:"montTotIr"`
	Aft              string  `json:"aft"`
}

// years are what the clock makes of the fixtures' relative years: ref is
// N-1 (the clock's year in Paris, minus one), latest the latest revenue
// year the API answers for (the taxation calendar).
type years struct{ ref, latest int }

func (c *Control) yearsNow() years {
	now := c.cfg.Clock.Now()
	return years{ref: now.In(clock.Paris()).Year() - 1, latest: c.cfg.Calendar.LatestAvailable(now)}
}

func viewFoyer(f *population.Foyer, y years) foyerView {
	v := foyerView{ID: f.ID, Dependants: []dependantView{}, Residence: adresseView(f.Residence)}
	if f.Declarant1 != nil {
		v.Declarant1 = f.Declarant1.ID
	}
	if f.Declarant2 != nil {
		v.Declarant2 = f.Declarant2.ID
	}
	for _, d := range f.Dependants {
		dv := dependantView{Prenoms: d.Prenoms, Nom: d.Nom, DateNaissance: d.BirthDate(y.ref), Categorie: d.Categorie}
		if d.Persona != nil {
			dv.Persona = d.Persona.ID
		}
		v.Dependants = append(v.Dependants, dv)
	}
	for off := 1; off <= 3; off++ {
		annrev := y.ref - off + 1
		yv := yearView{Relative: fmt.Sprintf("N-%d", off), RevenueYear: annrev, Available: annrev <= y.latest, Avis: []avisView{}}
		for _, a := range f.Avis(annrev, y.ref) {
			yv.Avis = append(yv.Avis, avisView{
				AnnRev: a.AnnRev, TypeAvis: a.TypeAvis, DateDebutPeriode: a.DateDebutPeriode, DateFinPeriode: a.DateFinPeriode,
				SitFam: a.SitFam, NbPart: a.NbPart, RFR: a.RFR, RevImposable: a.RevImposable, MontTotIr: a.MontTotIr,
				Aft: a.AftLigne,
			})
		}
		v.Years = append(v.Years, yv)
	}
	return v
}

func (c *Control) listFoyers(in *call) (int, any, error) {
	pop := c.cfg.Population.Current()
	q := in.r.URL.Query()
	var member map[string]bool // foyer ids of the persona asked, if any
	if ref := q.Get("persona"); ref != "" {
		member = map[string]bool{}
		if p, ok := findPersona(pop, ref); ok {
			for _, id := range pop.FoyersOf(p.ID) {
				member[id] = true
			}
		}
	}
	y := c.yearsNow()
	var out []*population.Foyer
	for _, f := range pop.SearchFoyers(q.Get("q")) {
		if member != nil && !member[f.ID] {
			continue
		}
		out = append(out, f)
	}
	return http.StatusOK, pageOf(out, in.r, func(f *population.Foyer) foyerView { return viewFoyer(f, y) }), nil
}

func (c *Control) getFoyer(in *call) (int, any, error) {
	f, ok := c.cfg.Population.Current().FoyerByID(in.params["id"])
	if !ok {
		return 0, nil, notFound("no foyer has the id %q", in.params["id"])
	}
	return http.StatusOK, viewFoyer(f, c.yearsNow()), nil
}

// putFoyer adds or replaces a foyer, checked as the fixtures are.
func (c *Control) putFoyer(in *call) (int, any, error) {
	id := in.params["id"]
	node, file, err := c.fixtureItem(in, "putFoyer", "foyers/"+id)
	if err != nil {
		return 0, nil, err
	}
	_, existed := c.cfg.Population.Current().FoyerByID(id)
	pop, err := c.cfg.Population.Apply(population.Document{File: file, Foyers: []*yaml.Node{node}})
	if err != nil {
		return 0, nil, populationError(err)
	}
	f, ok := pop.FoyerByID(id)
	if !ok {
		return 0, nil, fmt.Errorf("foyer %q missing after it was applied", id)
	}
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
		in.header.Set("Location", BasePath+"/foyers/"+id)
	}
	c.log.InfoContext(in.r.Context(), "control: foyer put", "id", id, "replaced", existed)
	return status, viewFoyer(f, c.yearsNow()), nil
}
