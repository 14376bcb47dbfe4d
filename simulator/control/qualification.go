package control

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/qualification"
)

// qualificationOf judges the query's client and gateway from the journal.
func (c *Control) qualificationOf(in *call) (qualification.Report, error) {
	q := in.r.URL.Query()
	client, gateway := q.Get("client"), q.Get("gateway")
	if client == "" && gateway == "" {
		return qualification.Report{}, invalidRequest("give client (a FranceConnect client_id), gateway (a gateway client_id), or both")
	}
	return qualification.Evaluate(c.cfg.Journal.Entries(journal.Filter{}), client, gateway), nil
}

func (c *Control) getQualification(in *call) (int, any, error) {
	rep, err := c.qualificationOf(in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rep, nil
}

func (c *Control) getQualificationJUnit(in *call) (int, any, error) {
	rep, err := c.qualificationOf(in)
	if err != nil {
		return 0, nil, err
	}
	var buf bytes.Buffer
	if err := qualification.WriteJUnit(&buf, rep, c.cfg.PublicURL+BasePath+"/journal"); err != nil {
		return 0, nil, err
	}
	in.header.Set("Content-Disposition", `attachment; filename="bacasable-qualification.xml"`)
	return http.StatusOK, rawBody{contentType: "application/xml", data: buf.Bytes()}, nil
}

// faultView is one client's queue of faults.
type faultView struct {
	ClientID string   `json:"client_id"`
	Faults   []string `json:"faults"`
}

func (c *Control) listFaults(*call) (int, any, error) {
	out := list[faultView]{Items: []faultView{}}
	if c.cfg.Faults == nil {
		return http.StatusOK, out, nil
	}
	queued := c.cfg.Faults.QueuedFaults()
	for _, id := range slices.Sorted(maps.Keys(queued)) {
		out.Items = append(out.Items, faultView{ClientID: id, Faults: queued[id]})
	}
	return http.StatusOK, out, nil
}

// queueFaults starts a qualification run against a hostile FranceConnect:
// the client's next logins meet the faults, one per login.
func (c *Control) queueFaults(in *call) (int, any, error) {
	var req struct {
		ClientID string   `json:"client_id"`
		Faults   []string `json:"faults"`
	}
	if err := json.Unmarshal(in.body, &req); err != nil {
		return 0, nil, invalidRequest("the body is not the contract's FaultRequest: %v", err)
	}
	if c.cfg.Faults == nil {
		return 0, nil, newError(CodeNotFound, "this sandbox has no hostile FranceConnect")
	}
	queued, err := c.cfg.Faults.QueueFaults(req.ClientID, req.Faults)
	if err != nil {
		return 0, nil, invalidRequest("%v", err)
	}
	c.log.InfoContext(in.r.Context(), "control: faults queued", "client_id", req.ClientID, "faults", len(queued))
	return http.StatusCreated, faultView{ClientID: req.ClientID, Faults: queued}, nil
}
