package impotparticulier

import (
	"errors"
	"net/http"
	"time"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// catalogue finds the error of the catalogue with that code, for a
// scenario's response that gives a code without a message.
var catalogue = []Erreur{ErrRequete, ErrFormatSPI, ErrFormatAnnee, ErrFormatDept, ErrJetonPasserelle, ErrAccesRefuse, ErrJetonFC,
	ErrUsagerInconnu, ErrAucunResultat, ErrSPIInconnu, ErrQuota, ErrTechnique, ErrIndisponible}

// scenarioAnswered applies the scenario of the call, once the caller and
// the user are known; it reports whether it answered.
func (a *API) scenarioAnswered(w http.ResponseWriter, r *http.Request, c *call) bool {
	if a.cfg.Scenarios == nil {
		return false
	}
	sel := scenario.Selector{Header: r.Header.Get(scenario.Header), Clients: []string{c.client}}
	if c.persona != nil {
		sel.PersonaID, sel.PersonaScenario = c.persona.ID, c.persona.Scenario
	}
	choice, err := a.cfg.Scenarios.Pick(scenario.ImpotParticulier, scenario.StepAPI, sel)
	if errors.Is(err, scenario.ErrUnknown) {
		a.writeErreur(w, r, ErrRequete.With("%v", err))
		return true
	}
	if len(choice.Effects) == 0 {
		return false
	}
	journal.Why(r.Context(), "scénario « "+choice.Name()+" » : "+choice.Why)
	a.log.InfoContext(r.Context(), "impotparticulier: scenario", "scenario", choice.Name(), "why", choice.Why)
	a.cfg.Scenarios.Wait(r.Context(), choice)
	eff := choice.Failure()
	if eff == nil {
		return false
	}
	if a.cfg.Scenarios.Cut(w, r, eff) {
		return true
	}
	e := Erreur{Status: eff.Response.Status, Code: eff.Response.Code, Message: eff.Response.Message}
	if e.Message == "" {
		for _, known := range catalogue {
			if known.Code == e.Code {
				e.Message = known.Message
			}
		}
	}
	e.RetryAfter = time.Duration(eff.Response.RetryAfter)
	a.writeErreur(w, r, e.With("scénario « %s » (%s)", choice.Name(), choice.Why))
	return true
}
