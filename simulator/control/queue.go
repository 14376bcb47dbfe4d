package control

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

// queueView is one client's queue of logins.
type queueView struct {
	ClientID string   `json:"client_id"`
	Personas []string `json:"personas"`
}

func (c *Control) listQueuedLogins(*call) (int, any, error) {
	queued := c.cfg.Logins.QueuedLogins()
	out := list[queueView]{Items: []queueView{}}
	for _, id := range slices.Sorted(maps.Keys(queued)) {
		out.Items = append(out.Items, queueView{ClientID: id, Personas: queued[id]})
	}
	return http.StatusOK, out, nil
}

// queueLogin queues the persona of a client's next authorization request.
func (c *Control) queueLogin(in *call) (int, any, error) {
	var req struct {
		ClientID string `json:"client_id"`
		Persona  string `json:"persona"`
	}
	if err := json.Unmarshal(in.body, &req); err != nil {
		return 0, nil, invalidRequest("the body is not the contract's QueueRequest: %v", err)
	}
	if _, ok := c.cfg.ServiceProviders.ServiceProvider(req.ClientID); !ok {
		return 0, nil, invalidField("/client_id", "no FranceConnect service provider has the client_id %q", req.ClientID)
	}
	pop := c.cfg.Population.Current()
	who := req.Persona
	if _, ok := pop.ByLogin(who); !ok {
		if _, ok := pop.BySPI(who); !ok {
			p, ok := pop.ByID(who)
			if !ok {
				return 0, nil, invalidField("/persona", "no persona has the login, SPI or id %q", who)
			}
			who = p.Login // an id logs in at the Démonstration provider
		}
	}
	if err := c.cfg.Logins.QueueLogin(req.ClientID, who); err != nil {
		return 0, nil, invalidRequest("%v", err)
	}
	c.log.InfoContext(in.r.Context(), "control: login queued", "client_id", req.ClientID, "persona", who)
	return http.StatusCreated, queueView{ClientID: req.ClientID, Personas: c.cfg.Logins.QueuedLogins()[req.ClientID]}, nil
}
