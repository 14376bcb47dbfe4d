package control

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/bacasable/bacasable/simulator/journal"
)

// The journal's exports are text: kin-openapi validates them as such.
func init() {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.PlainBodyDecoder)
}

// Journal is what the control API reads of the request journal.
type Journal interface {
	Entries(f journal.Filter) []journal.Entry
	Subscribe() (<-chan journal.Event, func(), error)
}

var _ Journal = (*journal.Journal)(nil)

// maxSearch is the longest q read; the contract refuses a longer one.
const maxSearch = 200

// journalFilter reads the query's filters: the list and both exports read
// the same, so that an export holds what the console shows.
func journalFilter(in *call) journal.Filter {
	q := in.r.URL.Query()
	f := journal.Filter{Service: q.Get("service"), Login: q.Get("login"), Persona: q.Get("persona"), Client: q.Get("client"),
		OnlyViolation: q.Get("violations") == "true", OnlyErrors: q.Get("errors") == "true"}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	text := q.Get("q")
	if len(text) > maxSearch {
		text = strings.ToValidUTF8(text[:maxSearch], "")
	}
	f.Text = strings.ToLower(strings.TrimSpace(text))
	return f
}

// listJournal, like the exports, writes the entries as it goes: the
// answer is never built whole in memory.
func (c *Control) listJournal(in *call) (int, any, error) {
	entries := c.cfg.Journal.Entries(journalFilter(in))
	return http.StatusOK, stream(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"entries":[`)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range entries {
			if i > 0 {
				_, _ = io.WriteString(w, ",")
			}
			if enc.Encode(&entries[i]) != nil {
				return
			}
		}
		_, _ = io.WriteString(w, "]}\n")
	}), nil
}

func (c *Control) exportJournalJSONLines(in *call) (int, any, error) {
	entries := c.cfg.Journal.Entries(journalFilter(in))
	in.header.Set("Content-Disposition", `attachment; filename="bacasable-journal.jsonl"`)
	return http.StatusOK, stream(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		_ = journal.WriteJSONLines(w, entries)
	}), nil
}

func (c *Control) exportJournalHAR(in *call) (int, any, error) {
	entries := c.cfg.Journal.Entries(journalFilter(in))
	in.header.Set("Content-Disposition", `attachment; filename="bacasable-journal.har"`)
	return http.StatusOK, stream(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_ = journal.WriteHAR(w, c.cfg.PublicURL, entries)
	}), nil
}

// streamJournal sends each new entry as a Server-Sent Event until the
// client goes away or the server shuts down (EndStreams).
func (c *Control) streamJournal(in *call) (int, any, error) {
	ch, stop, err := c.cfg.Journal.Subscribe()
	if err != nil {
		return 0, nil, newError(CodeUnavailable, "%d live streams already follow the journal, the most the sandbox serves at once: close one, or poll GET /journal?after=<id>", journal.MaxSubscribers)
	}
	return http.StatusOK, stream(func(w http.ResponseWriter, r *http.Request) {
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
			case <-c.ending:
				return
			case ev := <-ch:
				fmt.Fprintf(w, "id: %d\ndata: %s\n\n", ev.Entry.ID, ev.JSON)
				if rc.Flush() != nil {
					return
				}
			}
		}
	}), nil
}
