package franceconnect

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// noScenarios is used when the provider is built without an engine.
var _ scenario.Player = noScenarios{}

type noScenarios struct{}

func (noScenarios) Pick(string, string, scenario.Selector) (scenario.Choice, error) {
	return scenario.Choice{}, nil
}
func (noScenarios) Wait(context.Context, scenario.Choice)                         {}
func (noScenarios) Cut(http.ResponseWriter, *http.Request, *scenario.Effect) bool { return false }

// pick chooses the scenario of a step for a persona and the clients.
func (p *Provider) pick(r *http.Request, step string, persona *population.Persona, clients ...string) (scenario.Choice, *Error) {
	sel := scenario.Selector{Header: r.Header.Get(scenario.Header), Clients: clients}
	if persona != nil {
		sel.PersonaID, sel.PersonaScenario = persona.ID, persona.Scenario
	}
	c, err := p.scenarios.Pick(scenario.FranceConnect, step, sel)
	if errors.Is(err, scenario.ErrUnknown) {
		return c, errInvalidRequest("unknown scenario").WithHint("%v", err)
	}
	if c.Name() != "" && len(c.Effects) > 0 {
		journal.Why(r.Context(), "scénario « "+c.Name()+" » : "+c.Why)
		p.log.InfoContext(r.Context(), "franceconnect: scenario", "scenario", c.Name(), "step", step, "why", c.Why)
	}
	return c, nil
}

// failed carries out the choice's latency and failure at a back-channel
// step; it reports whether the answer was given.
func (p *Provider) failed(w http.ResponseWriter, r *http.Request, c scenario.Choice) bool {
	p.scenarios.Wait(r.Context(), c)
	eff := c.Failure()
	if eff == nil {
		return false
	}
	if p.scenarios.Cut(w, r, eff) {
		return true
	}
	p.writeJSONError(w, r, scenarioError(c.Name(), eff.Response))
	return true
}

// scenarioError is the platform's JSON error for a scenario's response.
func scenarioError(name string, resp *scenario.Response) *Error {
	e := &Error{Status: resp.Status, Code: "invalid_request", Description: resp.Message}
	if resp.Status >= 500 {
		e.Code = "server_error"
		if e.Description == "" {
			e.Description = errServer().Description
		}
	}
	if e.Description == "" {
		e.Description = "request failed"
	}
	return e.WithHint("scénario « %s »", name)
}

// refusalError is the access_denied a login refusal sends back.
func refusalError(refusal string) *Error {
	e := errAccessDenied()
	switch refusal {
	case scenario.RefusRNIPPInconnu:
		e.Description = "User not found in the civil registry (RNIPP)"
	case scenario.RefusRNIPPDecede:
		e.Description = "User is deceased according to the civil registry (RNIPP)"
	case scenario.RefusRNIPPHomonyme:
		e.Description = "Several users match this identity in the civil registry (RNIPP)"
	}
	return e
}

// withoutRemoved drops the claims a scenario removed.
func withoutRemoved(claims []string, removed []string) []string {
	if len(removed) == 0 {
		return claims
	}
	return slices.DeleteFunc(slices.Clone(claims), func(c string) bool {
		return slices.Contains(removed, c) || (c == "given_name_array" && slices.Contains(removed, "given_name"))
	})
}
