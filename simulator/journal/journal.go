// Package journal records every request to the emulated services — what
// was asked, what was answered, and why — so that a vendor sees what their
// software sent and a trainer can replay one user's journey: entries are
// grouped into one timeline per login (authorize → token → userinfo → API
// calls). The journal is bounded in memory: the oldest entries are dropped.
package journal

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

// Entry is one request and its answer.
type Entry struct {
	ID         int64         `json:"id"`
	Time       time.Time     `json:"time"` // the sandbox's clock
	Service    string        `json:"service"`
	Method     string        `json:"method"`
	Path       string        `json:"path"`
	Query      string        `json:"query,omitempty"`
	Status     int           `json:"status"`
	Latency    time.Duration `json:"latency_ns"`
	Client     string        `json:"client,omitempty"`
	Persona    string        `json:"persona,omitempty"`
	Login      string        `json:"login,omitempty"` // the timeline: one per FranceConnect login, or "spi:<SPI>"
	Violations []string      `json:"violations,omitempty"`
	Why        []string      `json:"why,omitempty"`
	Error      string        `json:"error,omitempty"`

	RequestHeader  http.Header `json:"request_headers,omitempty"`
	RequestBody    string      `json:"request_body,omitempty"`
	ResponseHeader http.Header `json:"response_headers,omitempty"`
	ResponseBody   string      `json:"response_body,omitempty"`
}

// MaxBody is how much of each body the journal keeps.
const MaxBody = 8 << 10

// Journal is the bounded list of entries. It is safe for concurrent use.
type Journal struct {
	clock clock.Clock
	max   int

	mu      sync.Mutex
	entries []*Entry // oldest first
	next    int64
	subs    map[chan *Entry]struct{}
}

// New keeps the last max entries (default 5000).
func New(c clock.Clock, max int) *Journal {
	if max <= 0 {
		max = 5000
	}
	return &Journal{clock: c, max: max, subs: map[chan *Entry]struct{}{}}
}

type ctxKey struct{}

// note is the entry being built for a request; services annotate it.
type note struct {
	mu sync.Mutex
	e  *Entry
}

func from(ctx context.Context) *note {
	n, _ := ctx.Value(ctxKey{}).(*note)
	return n
}

func (n *note) with(f func(e *Entry)) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	f(n.e)
}

// SetClient records the client the request comes from.
func SetClient(ctx context.Context, id string) {
	from(ctx).with(func(e *Entry) {
		if e.Client == "" {
			e.Client = id
		}
	})
}

// SetPersona records the persona the request concerns.
func SetPersona(ctx context.Context, login string) {
	from(ctx).with(func(e *Entry) { e.Persona = login })
}

// SetLogin records the login timeline the request belongs to.
func SetLogin(ctx context.Context, login string) {
	from(ctx).with(func(e *Entry) { e.Login = login })
}

// Why records a reason for the answer: the fixture, scenario or rule.
func Why(ctx context.Context, reason string) {
	from(ctx).with(func(e *Entry) { e.Why = append(e.Why, reason) })
}

// Violation records a contract violation found in the caller's request.
func Violation(ctx context.Context, msg string) {
	from(ctx).with(func(e *Entry) { e.Violations = append(e.Violations, msg) })
}

// SetError records the error code answered.
func SetError(ctx context.Context, code string) {
	from(ctx).with(func(e *Entry) { e.Error = code })
}

// recorder captures the status and the start of the body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := MaxBody - r.body.Len(); room > 0 {
		r.body.Write(b[:min(room, len(b))])
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Middleware records the requests that service(r) names (an empty name is
// not recorded: the console, static files).
func (j *Journal) Middleware(service func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := service(r)
		if name == "" {
			next.ServeHTTP(w, r)
			return
		}
		e := &Entry{Time: j.clock.Now(), Service: name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			RequestHeader: redact(r.Header)}
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			// ContentLength is -1 for a chunked body: read at most MaxBody+1
			// bytes whatever the header says, and hand the handler the same
			// stream, the bytes read first.
			head, _ := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
			e.RequestBody = recordBody(r.Header.Get("Content-Type"), head)
			r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		}
		n := &note{e: e}
		rec := &recorder{ResponseWriter: w}
		start := time.Now()
		defer func() {
			n.with(func(e *Entry) {
				e.Latency = time.Since(start)
				e.Status = rec.status // 0: the connection was cut without an answer
				e.ResponseHeader = rec.Header().Clone()
				e.ResponseBody = rec.body.String()
			})
			j.add(e)
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), ctxKey{}, n)))
	})
}

// redact hides secrets in the recorded headers.
func redact(h http.Header) http.Header {
	c := h.Clone()
	if v := c.Get("Authorization"); v != "" {
		scheme, _, _ := strings.Cut(v, " ")
		c.Set("Authorization", scheme+" …")
	}
	return c
}

// secretFields are form fields the journal masks.
var secretFields = []string{"client_secret", "client_assertion", "password"}

// Truncated ends a body the journal kept only the start of.
const Truncated = "…[tronqué]"

// recordBody is what the journal keeps of a request body: at most MaxBody
// bytes, marked when cut, secrets of a form masked.
func recordBody(contentType string, body []byte) string {
	if len(body) <= MaxBody {
		return redactForm(contentType, body)
	}
	return redactForm(contentType, body[:MaxBody]) + Truncated
}

// redactForm masks the secrets of a form body; other bodies are kept. The
// media type is compared as HTTP does, whatever its case.
func redactForm(contentType string, body []byte) string {
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/x-www-form-urlencoded" {
		return string(body)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return string(body)
	}
	masked := false
	for _, k := range secretFields {
		if form.Has(k) {
			form.Set(k, "…")
			masked = true
		}
	}
	if !masked {
		return string(body)
	}
	return form.Encode()
}

func (j *Journal) add(e *Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.next++
	e.ID = j.next
	j.entries = append(j.entries, e)
	if len(j.entries) > j.max {
		drop := len(j.entries) - j.max
		copy(j.entries, j.entries[drop:])
		for i := len(j.entries) - drop; i < len(j.entries); i++ {
			j.entries[i] = nil
		}
		j.entries = j.entries[:j.max]
	}
	for ch := range j.subs {
		select {
		case ch <- e:
		default: // a slow reader misses entries rather than blocking requests
		}
	}
}

// Filter selects entries.
type Filter struct {
	Service       string
	Login         string
	Persona       string
	Client        string
	OnlyViolation bool
	OnlyErrors    bool // status ≥ 400 or no answer
	After         int64
	Limit         int // most recent first when set
}

func (f Filter) match(e *Entry) bool {
	switch {
	case f.Service != "" && e.Service != f.Service,
		f.Login != "" && e.Login != f.Login,
		f.Persona != "" && e.Persona != f.Persona,
		f.Client != "" && e.Client != f.Client,
		f.OnlyViolation && len(e.Violations) == 0,
		f.OnlyErrors && e.Status != 0 && e.Status < 400,
		e.ID <= f.After:
		return false
	}
	return true
}

// Entries returns the matching entries, oldest first (the last Limit ones
// when Limit is set).
func (j *Journal) Entries(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for _, e := range j.entries {
		if f.match(e) {
			out = append(out, *e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Subscribe returns a channel of new entries and a function to stop.
func (j *Journal) Subscribe() (<-chan *Entry, func()) {
	ch := make(chan *Entry, 64)
	j.mu.Lock()
	j.subs[ch] = struct{}{}
	j.mu.Unlock()
	return ch, func() {
		j.mu.Lock()
		delete(j.subs, ch)
		j.mu.Unlock()
	}
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = nil
}
