package control

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// activationView is an activation as the API shows it.
type activationView struct {
	ID        string    `json:"id"`
	Scenario  string    `json:"scenario"`
	Scope     string    `json:"scope"`
	Target    string    `json:"target,omitempty"`
	CallsLeft *int      `json:"calls_left"` // nil: until cleared
	Since     time.Time `json:"since"`
}

func viewActivation(a scenario.Activation) activationView {
	v := activationView{ID: a.ID, Scenario: a.Scenario, Scope: a.Scope, Target: a.Target, Since: a.Since.In(clock.Paris())}
	if a.Calls > 0 {
		n := a.Calls
		v.CallsLeft = &n
	}
	return v
}

type list[T any] struct {
	Items []T `json:"items"`
}

func (c *Control) listScenarios(*call) (int, any, error) {
	return http.StatusOK, list[*scenario.Scenario]{Items: c.cfg.Scenarios.Set().All()}, nil
}

func (c *Control) listActivations(*call) (int, any, error) {
	out := list[activationView]{Items: []activationView{}}
	for _, a := range c.cfg.Scenarios.Activations() {
		out.Items = append(out.Items, viewActivation(a))
	}
	return http.StatusOK, out, nil
}

// activateScenario switches a scenario on. The target must exist: an
// activation for a misspelt persona would silently never apply.
func (c *Control) activateScenario(in *call) (int, any, error) {
	var req struct {
		Scenario string `json:"scenario"`
		Scope    string `json:"scope"`
		Target   string `json:"target"`
		Calls    int    `json:"calls"`
	}
	if err := json.Unmarshal(in.body, &req); err != nil {
		return 0, nil, invalidRequest("the body is not the contract's ActivationRequest: %v", err)
	}
	set := c.cfg.Scenarios.Set()
	if _, ok := set.Get(req.Scenario); !ok {
		return 0, nil, invalidField("/scenario", "no scenario is named %q (known: %s)", req.Scenario, strings.Join(set.Names(), ", "))
	}
	switch req.Scope {
	case scenario.ScopeGlobal:
		if req.Target != "" {
			return 0, nil, invalidField("/target", "a global activation has no target (got %q): use scope client or persona", req.Target)
		}
	case scenario.ScopePersona:
		if req.Target == "" {
			return 0, nil, invalidField("/target", "scope persona needs a target: a persona's id, login or SPI")
		}
		p, ok := findPersona(c.cfg.Population.Current(), req.Target)
		if !ok {
			return 0, nil, invalidField("/target", "no persona has the id, login or SPI %q", req.Target)
		}
		req.Target = p.ID
	case scenario.ScopeClient:
		if req.Target == "" {
			return 0, nil, invalidField("/target", "scope client needs a target: a FranceConnect client_id or a gateway client_id")
		}
		_, fc := c.cfg.ServiceProviders.ServiceProvider(req.Target)
		gw := false
		if c.cfg.GatewayClients != nil {
			_, gw = c.cfg.GatewayClients.Client(req.Target)
		}
		if !fc && !gw {
			return 0, nil, invalidField("/target", "%q is neither a FranceConnect client_id nor a gateway client_id", req.Target)
		}
	}
	a, err := c.cfg.Scenarios.Activate(req.Scenario, req.Scope, req.Target, req.Calls)
	if errors.Is(err, scenario.ErrUnknown) {
		return 0, nil, invalidField("/scenario", "%v", err)
	}
	if err != nil {
		return 0, nil, invalidRequest("%v", err)
	}
	c.log.InfoContext(in.r.Context(), "control: scenario activated", "id", a.ID, "scenario", a.Scenario, "scope", a.Scope, "target", a.Target, "calls", a.Calls)
	return http.StatusCreated, viewActivation(*a), nil
}

func (c *Control) clearActivations(in *call) (int, any, error) {
	c.cfg.Scenarios.ClearAll()
	c.log.InfoContext(in.r.Context(), "control: every activation cleared")
	return http.StatusNoContent, nil, nil
}

func (c *Control) clearActivation(in *call) (int, any, error) {
	id := in.params["id"]
	if !c.cfg.Scenarios.Clear(id) {
		return 0, nil, notFound("no activation has the id %q (it may have ended by itself after its calls)", id)
	}
	c.log.InfoContext(in.r.Context(), "control: activation cleared", "id", id)
	return http.StatusNoContent, nil, nil
}
