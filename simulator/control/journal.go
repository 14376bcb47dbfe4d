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

// journalQuery is what the list and both exports read of the query: the
// same filters, so that an export holds what the console shows.
type journalQuery struct {
	journal.Filter
	// text, lower case and trimmed, keeps the entries where it occurs
	// (see matchesText); "" keeps all.
	text string
}

// maxSearch is the longest q read; the contract refuses a longer one.
const maxSearch = 200

// journalFilter reads the query's filters.
func journalFilter(in *call) journalQuery {
	q := in.r.URL.Query()
	f := journal.Filter{Service: q.Get("service"), Login: q.Get("login"), Persona: q.Get("persona"), Client: q.Get("client"),
		OnlyViolation: q.Get("violations") == "true", OnlyErrors: q.Get("errors") == "true"}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	text := q.Get("q")
	if len(text) > maxSearch {
		text = strings.ToValidUTF8(text[:maxSearch], "")
	}
	return journalQuery{Filter: f, text: strings.ToLower(strings.TrimSpace(text))}
}

// entries returns the journal's entries that match q, oldest first (the
// last Limit ones when Limit is set).
func (c *Control) entries(q journalQuery) []journal.Entry {
	if q.text == "" {
		return c.cfg.Journal.Entries(q.Filter)
	}
	f := q.Filter
	f.Limit = 0 // applied after the search
	all := c.cfg.Journal.Entries(f)
	out := all[:0]
	for i := range all {
		if matchesText(&all[i], q.text) {
			out = append(out, all[i])
		}
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[len(out)-q.Limit:]
	}
	return out
}

// correlationHeader is the header whose values q searches: the reference
// Démoville's error pages give for the support.
const correlationHeader = "X-Correlation-Id"

// matchesText tells whether text (lower case) occurs, whatever the case,
// in the entry's path, query, client, persona, login or error, or in an
// X-Correlation-ID of its request or answer. The console's search
// (static/js/format.js, matchesText) looks at the same fields.
func matchesText(e *journal.Entry, text string) bool {
	for _, s := range [...]string{e.Path, e.Query, e.Client, e.Persona, e.Login, e.Error} {
		if containsFold(s, text) {
			return true
		}
	}
	for _, h := range [...]journal.Header{e.RequestHeader, e.ResponseHeader} {
		for _, v := range h.Values(correlationHeader) {
			if containsFold(v, text) {
				return true
			}
		}
	}
	return false
}

// containsFold is strings.Contains without regard to case; lower is
// already lower case.
func containsFold(s, lower string) bool {
	return len(s) >= len(lower) && strings.Contains(strings.ToLower(s), lower)
}

// listJournal, like the exports, writes the entries as it goes: the
// answer is never built whole in memory.
func (c *Control) listJournal(in *call) (int, any, error) {
	entries := c.entries(journalFilter(in))
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
	entries := c.entries(journalFilter(in))
	in.header.Set("Content-Disposition", `attachment; filename="bacasable-journal.jsonl"`)
	return http.StatusOK, stream(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		_ = journal.WriteJSONLines(w, entries)
	}), nil
}

func (c *Control) exportJournalHAR(in *call) (int, any, error) {
	entries := c.entries(journalFilter(in))
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
