package control

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
	"github.com/bacasable/bacasable/simulator/population"
)

// personaView is a persona as the API shows it: the keys of its fixture
// entry, and how it relates to the foyers.
type personaView struct {
	*population.Persona
	FoyerRole string   `json:"foyer_role"`
	Foyers    []string `json:"foyers"`
}

func viewPersona(pop *population.Population, p *population.Persona) personaView {
	role := pop.FoyerRole(p.ID)
	if role == "" {
		role = "none"
	}
	foyers := pop.FoyersOf(p.ID)
	if foyers == nil {
		foyers = []string{}
	}
	return personaView{Persona: p, FoyerRole: role, Foyers: foyers}
}

// findPersona finds a persona by id, then login, then SPI.
func findPersona(pop *population.Population, ref string) (*population.Persona, bool) {
	if p, ok := pop.ByID(ref); ok {
		return p, true
	}
	if p, ok := pop.ByLogin(ref); ok {
		return p, true
	}
	return pop.BySPI(ref)
}

// page is one page of a list.
type page[T any] struct {
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	Items  []T `json:"items"`
}

// paging reads limit and offset (already checked by the contract).
func paging(r *http.Request) (limit, offset int) {
	limit, offset = 100, 0
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil {
		limit = v
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("offset")); err == nil {
		offset = v
	}
	return limit, offset
}

// pageOf is the page of all the request asks for, each item shown by view
// (only the items of the page: a list may hold 100 000 personas).
func pageOf[T, V any](all []T, r *http.Request, view func(T) V) page[V] {
	limit, offset := paging(r)
	start := min(offset, len(all))
	end := min(start+limit, len(all))
	items := make([]V, 0, end-start)
	for _, it := range all[start:end] {
		items = append(items, view(it))
	}
	return page[V]{Total: len(all), Offset: offset, Limit: limit, Items: items}
}

func (c *Control) listPersonas(in *call) (int, any, error) {
	pop := c.cfg.Population.Current()
	q := in.r.URL.Query()
	var declarant *bool
	if v := q.Get("declarant"); v != "" {
		b := v == "true"
		declarant = &b
	}
	var out []*population.Persona
	for _, p := range pop.Search(q.Get("q")) {
		if q.Has("scenario") && p.Scenario != q.Get("scenario") {
			continue
		}
		if declarant != nil && (pop.FoyerRole(p.ID) == population.RoleDeclarant) != *declarant {
			continue
		}
		out = append(out, p)
	}
	return http.StatusOK, pageOf(out, in.r, func(p *population.Persona) personaView { return viewPersona(pop, p) }), nil
}

func (c *Control) getPersona(in *call) (int, any, error) {
	pop := c.cfg.Population.Current()
	p, ok := findPersona(pop, in.params["id"])
	if !ok {
		return 0, nil, notFound("no persona has the id, login or SPI %q", in.params["id"])
	}
	return http.StatusOK, viewPersona(pop, p), nil
}

// putPersona adds or replaces a persona, checked as the fixtures are.
func (c *Control) putPersona(in *call) (int, any, error) {
	id := in.params["id"]
	node, file, err := c.fixtureItem(in, "putPersona", "personas/"+id)
	if err != nil {
		return 0, nil, err
	}
	if sc := fixture.Key(node, "scenario"); sc != nil && sc.Value != "" {
		set := c.cfg.Scenarios.Set()
		if _, ok := set.Get(sc.Value); !ok {
			return 0, nil, populationError(fixture.Errors{{File: file, Line: sc.Line,
				Msg: fmt.Sprintf("persona %q: scenario %q is not declared in scenarios/ (known: %s)", id, sc.Value, strings.Join(set.Names(), ", "))}})
		}
	}
	_, existed := c.cfg.Population.Current().ByID(id)
	pop, err := c.cfg.Population.Apply(population.Document{File: file, Personas: []*yaml.Node{node}})
	if err != nil {
		return 0, nil, populationError(err)
	}
	p, ok := pop.ByID(id)
	if !ok {
		return 0, nil, fmt.Errorf("persona %q missing after it was applied", id)
	}
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
		in.header.Set("Location", BasePath+"/personas/"+id)
	}
	c.log.InfoContext(in.r.Context(), "control: persona put", "id", id, "login", p.Login, "replaced", existed)
	return status, viewPersona(pop, p), nil
}

// fixtureItem reads the body of a PUT as a fixture item: without its
// read-only keys, with the path's id. file names the request in errors.
func (c *Control) fixtureItem(in *call, operation, path string) (node *yaml.Node, file string, err error) {
	id := in.params["id"]
	node, err = yamlNode(in.body)
	if err != nil {
		return nil, "", invalidRequest("the body is not JSON: %v", err)
	}
	spec, err := c.spec() // loaded: the request was routed by it
	if err != nil {
		return nil, "", err
	}
	node = withoutKeys(node, spec.readOnly[operation])
	if v := fixture.Key(node, "id"); v == nil || v.Value != id {
		got := ""
		if v != nil {
			got = v.Value
		}
		return nil, "", invalidField("/id", "the body's id %q is not the path's %q", got, id)
	}
	return node, "PUT /" + path, nil
}
