package control

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/bacasable/bacasable/simulator/journal"
)

// The journal's exports are text: kin-openapi validates them as such.
func init() {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder)
}

// Journal is what the control API reads of the request journal.
type Journal interface {
	Entries(f journal.Filter) []journal.Entry
	Subscribe() (<-chan *journal.Entry, func())
}

var _ Journal = (*journal.Journal)(nil)

// journalFilter reads the query's filters.
func journalFilter(in *call) journal.Filter {
	q := in.r.URL.Query()
	f := journal.Filter{Service: q.Get("service"), Login: q.Get("login"), Persona: q.Get("persona"), Client: q.Get("client"),
		OnlyViolation: q.Get("violations") == "true", OnlyErrors: q.Get("errors") == "true"}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	return f
}

func (c *Control) listJournal(in *call) (int, any, error) {
	entries := c.cfg.Journal.Entries(journalFilter(in))
	if entries == nil {
		entries = []journal.Entry{}
	}
	return http.StatusOK, map[string]any{"entries": entries}, nil
}

func (c *Control) exportJournalJSONLines(in *call) (int, any, error) {
	var buf bytes.Buffer
	if err := journal.WriteJSONLines(&buf, c.cfg.Journal.Entries(journalFilter(in))); err != nil {
		return 0, nil, err
	}
	in.header.Set("Content-Disposition", `attachment; filename="bacasable-journal.jsonl"`)
	return http.StatusOK, rawBody{contentType: "application/x-ndjson", data: buf.Bytes()}, nil
}

func (c *Control) exportJournalHAR(in *call) (int, any, error) {
	var buf bytes.Buffer
	if err := journal.WriteHAR(&buf, c.cfg.PublicURL, c.cfg.Journal.Entries(journalFilter(in))); err != nil {
		return 0, nil, err
	}
	in.header.Set("Content-Disposition", `attachment; filename="bacasable-journal.har"`)
	return http.StatusOK, rawBody{contentType: "application/json", data: buf.Bytes()}, nil
}

// streamJournal sends each new entry as a Server-Sent Event until the
// client goes away.
func (c *Control) streamJournal(in *call) (int, any, error) {
	return http.StatusOK, stream(func(w http.ResponseWriter, r *http.Request) {
		ch, stop := c.cfg.Journal.Subscribe()
		defer stop()
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(timeZero) // a stream outlives the server's write timeout
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, ": bacasable journal\n\n")
		_ = rc.Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case e := <-ch:
				data, err := jsonLine(e)
				if err != nil {
					continue
				}
				fmt.Fprintf(w, "id: %d\ndata: %s\n\n", e.ID, data)
				if rc.Flush() != nil {
					return
				}
			}
		}
	}), nil
}
