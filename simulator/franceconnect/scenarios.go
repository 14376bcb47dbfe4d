package franceconnect

import (
	"context"
	"errors"
	"net/http"

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

// rnippError is the platform's error page for a civil-registry refusal
// (back/libs/rnipp/src/exceptions, messages from its i18n): the code, the
// status, and what the service receives if the user clicks « Revenir sur … ».
func rnippError(refusal string) *Error {
	const aborted, technical = "user authentication aborted", "authentication aborted due to a technical error on the authorization server"
	denied := func(code, msg string) *Error {
		return &Error{Status: http.StatusForbidden, Code: "access_denied", Description: aborted, FCCode: code, Message: msg}
	}
	switch refusal {
	case scenario.RefusRNIPPEchoUnique:
		return denied("Y010004", msgRNIPPContact)
	case scenario.RefusRNIPPHomonyme:
		return denied("Y010006", msgRNIPPContact)
	case scenario.RefusRNIPPNomUsage:
		return denied("Y010007", msgRNIPPContact)
	case scenario.RefusRNIPPInconnu:
		return denied("Y010008", msgRNIPPHelp)
	case scenario.RefusRNIPPRejet:
		return denied("Y010009", msgTechnical)
	case scenario.RefusRNIPPDecede:
		return denied("Y010015", msgRNIPPDeceased)
	case scenario.RefusRNIPPDelai:
		return &Error{Status: http.StatusGatewayTimeout, Code: "temporarily_unavailable", Description: technical, FCCode: "Y010011", Message: msgTechnical}
	case scenario.RefusRNIPPIllisible:
		return &Error{Status: http.StatusGatewayTimeout, Code: "temporarily_unavailable", Description: technical, FCCode: "Y010012", Message: msgTechnical}
	}
	return &Error{Status: http.StatusBadRequest, Code: "server_error", Description: technical, FCCode: "Y010013", Message: msgTechnical}
}
