package impotparticulier

import (
	"errors"
	"fmt"
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
	why := fmt.Sprintf("scénario « %s » (%s)", choice.Name(), choice.Why)
	if eff.Response.Format == scenario.FormatWSO2 {
		a.writeFault(w, r, wso2Fault(eff.Response), why)
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
	a.writeErreur(w, r, e.With("%s", why))
	return true
}

// wso2Fault is the gateway fault of a scenario's response: the WSO2
// catalogue's message and description for its code, unless it gives its
// own message.
func wso2Fault(resp *scenario.Response) Fault {
	f := Fault{Status: resp.Status, Code: resp.Code, RetryAfter: time.Duration(resp.RetryAfter)}
	for _, known := range wso2Faults {
		if known.Code == f.Code {
			f.Message, f.Description = known.Message, known.Description
		}
	}
	if resp.Message != "" {
		f.Message, f.Description = resp.Message, ""
	}
	if f.Message == "" {
		f.Message = http.StatusText(f.Status)
	}
	return f
}
