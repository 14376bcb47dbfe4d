package control

import (
	"bytes"
	"net/http"

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
