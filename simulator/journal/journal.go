// Package journal records every request to the emulated services — what
// was asked, what was answered, and why — so that a vendor sees what their
// software sent and a trainer can replay one user's journey: entries are
// grouped into one timeline per login (authorize → token → userinfo → API
// calls). The journal is bounded in memory: the oldest entries are dropped.
package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

	RequestHeader  Header `json:"request_headers,omitempty"`
	RequestBody    string `json:"request_body,omitempty"`
	ResponseHeader Header `json:"response_headers,omitempty"`
	ResponseBody   string `json:"response_body,omitempty"`

	// Once the middleware has compacted the entry (packed), headers is the
	// request's and the answer's headers packed (writePacked) and reqBody
	// the start of the request's body it read (hasBody: there was one).
	// They become RequestHeader (secrets masked, bounded), RequestBody (a
	// form's secrets masked, bounded) and ResponseHeader (bounded) when the
	// entry is first read (settle): most entries are never read, and
	// copying them as each request came was about a third of the journal's
	// allocations per request. Packed rather than kept as net/http's maps:
	// the journal's thousands of entries are then a few objects each
	// without pointers, which the garbage collector does not walk (the maps
	// were about fifteen objects per entry, marked at every collection).
	headers string
	reqBody string
	hasBody bool
	packed  bool
	// rawBody is the start of the request's body, read before the handler
	// runs, until compact copies it.
	rawBody []byte
}

// settle makes RequestHeader, RequestBody and ResponseHeader of the
// packed headers and body, once; the journal's lock guards it.
func (e *Entry) settle() {
	if !e.packed {
		return
	}
	req, resp := unpackHeaders(e.headers)
	e.RequestHeader, e.ResponseHeader = redact(req), bounded(resp)
	if e.hasBody {
		e.RequestBody = recordBody(req.Get("Content-Type"), []byte(e.reqBody))
	}
	e.headers, e.reqBody, e.packed = "", "", false
}

// compact copies every text of the entry — its request line, its notes,
// the start of its request's body and of its answer, both headers packed
// — into one string, each field a part of it: an entry is then the note
// it was built in, one string and a list of reasons, whatever it holds,
// and none of it keeps the request's memory alive.
func (e *Entry) compact(reqHeader, respHeader http.Header, respBody []byte) {
	texts := [...]*string{&e.Method, &e.Path, &e.Query, &e.Client, &e.Persona, &e.Login, &e.Error}
	headers := packedLen(reqHeader, respHeader)
	size := headers + len(e.rawBody) + len(respBody)
	for _, t := range texts {
		size += len(*t)
	}
	for _, notes := range [...][]string{e.Why, e.Violations} {
		for _, s := range notes {
			size += len(s)
		}
	}
	var b strings.Builder
	b.Grow(size)
	for _, t := range texts {
		b.WriteString(*t)
	}
	for _, notes := range [...][]string{e.Why, e.Violations} {
		for _, s := range notes {
			b.WriteString(s)
		}
	}
	b.Write(e.rawBody)
	b.Write(respBody)
	writePacked(&b, reqHeader, respHeader)

	// The fields in the order written, each its own length.
	all := b.String()
	take := func(n int) string {
		s := all[:n]
		all = all[n:]
		return s
	}
	for _, t := range texts {
		*t = take(len(*t))
	}
	for _, notes := range [...][]string{e.Why, e.Violations} {
		for i, s := range notes {
			notes[i] = take(len(s))
		}
	}
	e.reqBody, e.hasBody, e.rawBody = take(len(e.rawBody)), e.rawBody != nil, nil
	e.ResponseBody = take(len(respBody))
	e.headers, e.packed = take(headers), true
}

// Bounds of what the journal keeps. Each entry keeps at most MaxBody of
// each body, MaxHeaderValue of each header value and MaxHeaders bytes of
// headers in all (the rest is cut and marked with Truncated), and
// MaxQuery of the query string. The journal keeps the last max entries
// and at most maxBytes of them in all; the oldest go first.
const (
	MaxBody        = 8 << 10
	MaxHeaderValue = 1 << 10
	MaxHeaders     = 8 << 10
	MaxQuery       = 4 << 10
	// DefaultMaxBytes is the journal's byte budget by default.
	DefaultMaxBytes = 32 << 20
	// MaxSubscribers is how many live streams may follow the journal at
	// once; the next one is refused (ErrTooManySubscribers).
	MaxSubscribers = 32
)

// ErrTooManySubscribers is Subscribe's answer past MaxSubscribers.
var ErrTooManySubscribers = errors.New("journal: too many live streams")

// Journal is the bounded list of entries: a ring of the last max entries,
// within a byte budget. Adding is O(1) (amortised over the entries a large
// one pushes out). It is safe for concurrent use.
type Journal struct {
	clock    clock.Clock
	max      int
	maxBytes int

	mu    sync.Mutex
	ring  []*Entry // ring[(head+i)%len(ring)], i < count, oldest first
	sizes []int    // sizes[i] is ring[i].size() when it was added
	head  int
	count int
	bytes int
	next  int64
	subs  map[chan Event]struct{}
}

// New keeps the last max entries (default 5000), within DefaultMaxBytes.
func New(c clock.Clock, max int) *Journal {
	if max <= 0 {
		max = 5000
	}
	return &Journal{clock: c, max: max, maxBytes: DefaultMaxBytes, ring: make([]*Entry, max), sizes: make([]int, max), subs: map[chan Event]struct{}{}}
}

// SetMaxBytes changes the byte budget (the tests use a small one).
func (j *Journal) SetMaxBytes(n int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.maxBytes = n
	j.evictLocked()
}

type ctxKey struct{}

// note is the entry a request builds and the recorder of its answer: one
// allocation per request, which the journal then keeps (its recorder
// cleared). Services annotate the entry through the request's context
// (SetClient, Why…). While the request is live, a note is the string it
// was given, cut but not copied (compact copies all of them at the end);
// afterwards, a copy of its own.
type note struct {
	mu   sync.Mutex
	live bool
	e    Entry
	rec  recorder
}

func from(ctx context.Context) *note {
	n, _ := ctx.Value(ctxKey{}).(*note)
	return n
}

func (n *note) with(f func(n *note)) {
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	f(n)
}

// text is what the entry keeps of s: at most max bytes (cut); a copy once
// the request is over.
func (n *note) text(s string, max int) string {
	if n.live && len(s) <= max {
		return s
	}
	return cut(s, max)
}

// maxNote bounds each note services put on an entry. Notes are copied
// (compact, or cut after the request): one quoting a request's client_id or
// value would otherwise keep the whole request line or body alive with the
// entry.
const maxNote = 2 << 10

// SetClient records the client the request comes from.
func SetClient(ctx context.Context, id string) {
	from(ctx).with(func(n *note) {
		if n.e.Client == "" {
			n.e.Client = n.text(id, maxNote)
		}
	})
}

// SetPersona records the persona the request concerns.
func SetPersona(ctx context.Context, login string) {
	from(ctx).with(func(n *note) { n.e.Persona = n.text(login, maxNote) })
}

// SetLogin records the login timeline the request belongs to.
func SetLogin(ctx context.Context, login string) {
	from(ctx).with(func(n *note) { n.e.Login = n.text(login, maxNote) })
}

// Why records a reason for the answer: the fixture, scenario or rule.
func Why(ctx context.Context, reason string) {
	from(ctx).with(func(n *note) { n.e.Why = append(n.e.Why, n.text(reason, maxNote)) })
}

// Violation records a contract violation found in the caller's request.
func Violation(ctx context.Context, msg string) {
	from(ctx).with(func(n *note) { n.e.Violations = append(n.e.Violations, n.text(msg, maxNote)) })
}

// SetError records the error code answered.
func SetError(ctx context.Context, code string) {
	from(ctx).with(func(n *note) { n.e.Error = n.text(code, maxNote) })
}

// recorder captures the status and the start of the body.
type recorder struct {
	http.ResponseWriter
	status int
	// The answer is held back (up to maxHeld) until its entry is in the
	// journal: a client that reads the journal right after an answer finds
	// the entry. Past maxHeld, or when the handler hijacks or flushes the
	// connection, it goes straight through. While it is held, the start of
	// held is what the journal keeps; once it goes through, body is.
	held    *bytes.Buffer // from heldBuffers, on the first write
	through bool
	body    []byte // what the journal keeps (MaxBody), once through
}

// maxHeld bounds the answer held back before its entry is recorded.
const maxHeld = 256 << 10

// heldBuffers keeps the buffers answers are held back in, up to 64 KB
// each: an answer costs a copy, not a buffer grown from nothing.
var heldBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// free hands the held buffer back once the answer is sent or dropped.
func (r *recorder) free() {
	if r.held != nil && r.held.Cap() <= 64<<10 {
		r.held.Reset()
		heldBuffers.Put(r.held)
	}
	r.held = nil
}

// heldLen is how much of the answer is held back.
func (r *recorder) heldLen() int {
	if r.held == nil {
		return 0
	}
	return r.held.Len()
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	if r.through {
		r.ResponseWriter.WriteHeader(code)
	}
}

// holds tells whether n more bytes of the answer are held back (the held
// buffer then ready); otherwise what was held goes first, and the bytes
// go through.
func (r *recorder) holds(n int) bool {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if !r.through && r.heldLen()+n <= maxHeld {
		if r.held == nil {
			r.held = heldBuffers.Get().(*bytes.Buffer)
		}
		return true
	}
	r.release()
	return false
}

// keep appends what room is left (MaxBody) of p to what the journal keeps
// of an answer that goes through.
func keep[T string | []byte](r *recorder, p T) {
	if room := MaxBody - len(r.body); room > 0 {
		r.body = append(r.body, p[:min(room, len(p))]...)
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.holds(len(b)) {
		return r.held.Write(b)
	}
	keep(r, b)
	return r.ResponseWriter.Write(b)
}

// WriteString writes s as Write writes its bytes, without converting it.
func (r *recorder) WriteString(s string) (int, error) {
	if r.holds(len(s)) {
		return r.held.WriteString(s)
	}
	keep(r, s)
	return io.WriteString(r.ResponseWriter, s)
}

// recorded is the start of the answer, as the journal keeps it (a view,
// valid until the answer is sent).
func (r *recorder) recorded() []byte {
	if r.through {
		return r.body
	}
	if r.held == nil {
		return nil
	}
	held := r.held.Bytes()
	return held[:min(MaxBody, len(held))]
}

// release sends what was held back; from then on writes go through.
func (r *recorder) release() {
	if r.through {
		return
	}
	if r.held != nil {
		held := r.held.Bytes()
		r.body = append(r.body, held[:min(MaxBody, len(held))]...)
	}
	r.send()
}

// send sends what was held back without keeping a copy: once the entry
// is recorded, nothing more is written.
func (r *recorder) send() {
	if r.through {
		return
	}
	r.through = true
	if r.status != 0 {
		r.ResponseWriter.WriteHeader(r.status)
	}
	if r.heldLen() > 0 {
		_, _ = r.ResponseWriter.Write(r.held.Bytes())
	}
	r.free()
}

// Unwrap gives http.ResponseController the real writer (Hijack, Flush):
// what was held back goes first.
func (r *recorder) Unwrap() http.ResponseWriter {
	r.release()
	return r.ResponseWriter
}

// Middleware records the requests that service(r) names (an empty name is
// not recorded: the console, static files).
func (j *Journal) Middleware(service func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := service(r)
		if name == "" {
			next.ServeHTTP(w, r)
			return
		}
		n := &note{live: true}
		e, rec := &n.e, &n.rec
		e.Time, e.Service = j.clock.Now(), name
		// Cut, not copied: compact copies them.
		e.Method, e.Path, e.Query = n.text(r.Method, 16), n.text(r.URL.Path, MaxQuery), n.text(r.URL.RawQuery, MaxQuery)
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			// ContentLength is -1 for a chunked body: read at most MaxBody+1
			// bytes whatever the header says, and hand the handler the same
			// stream, the bytes read first.
			head := readHead(r.Body, r.ContentLength)
			e.rawBody = head
			r.Body = &replay{head: head, rest: r.Body}
		}
		rec.ResponseWriter = w
		start := time.Now()
		finished := false
		defer func() {
			n.with(func(n *note) {
				n.live = false
				e.Latency = time.Since(start)
				e.Status = rec.status // 0: the connection was cut without an answer
				e.compact(r.Header, rec.Header(), rec.recorded())
			})
			j.add(e)
			if finished { // after a panic the recoverer answers instead
				rec.send()
			}
			rec.free()
			n.rec = recorder{} // the journal keeps the note, not the request's writer
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), ctxKey{}, n)))
		finished = true
	})
}

// cut keeps at most n bytes of s, marked with Truncated when cut.
func cut(s string, n int) string {
	if len(s) <= n {
		// A copy: a request's method, path and query are substrings of its
		// whole request line, which the entry would otherwise keep alive
		// (a 5 KB line for "GET").
		return strings.Clone(s)
	}
	return strings.ToValidUTF8(s[:n], "") + Truncated
}

// size is about what e holds in memory.
func (e *Entry) size() int {
	n := 256 + len(e.Path) + len(e.Query) + len(e.RequestBody) + len(e.reqBody) + len(e.ResponseBody) + len(e.Client) + len(e.Persona) + len(e.Login) + len(e.Error)
	for _, notes := range [...][]string{e.Why, e.Violations} {
		for _, s := range notes {
			n += len(s) + 16
		}
	}
	for _, h := range [...]Header{e.RequestHeader, e.ResponseHeader} {
		for _, f := range h {
			n += len(f.Name) + 16
			for _, v := range f.Values {
				n += len(v) + 16
			}
		}
	}
	n += len(e.headers)
	return n
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
// media type is compared as HTTP does, whatever its case and even with a
// malformed parameter (net/http still reads such a body as a form). Each
// pair naming a secret is masked in place, the others kept as sent: the
// handler reads the well-formed pairs of a malformed form too.
func redactForm(contentType string, body []byte) string {
	// The media type without parameters, as clients send it, needs no
	// parsing.
	if !strings.EqualFold(contentType, formType) {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) || mt != formType {
			return string(body)
		}
	}
	var out []byte // nil until a secret is met
	start := 0
	for i := 0; i <= len(body); i++ {
		if i < len(body) && body[i] != '&' {
			continue
		}
		pair := body[start:i]
		k, _, _ := bytes.Cut(pair, []byte("="))
		switch {
		case isSecretField(k):
			if out == nil {
				out = make([]byte, 0, len(body)+len(maskedValue))
				out = append(out, body[:start]...)
			}
			out = append(append(append(out, k...), '='), maskedValue...)
		case out != nil:
			out = append(out, pair...)
		}
		if out != nil && i < len(body) {
			out = append(out, '&')
		}
		start = i + 1
	}
	if out == nil {
		return string(body)
	}
	return string(out)
}

const formType = "application/x-www-form-urlencoded"

// maskedValue replaces a secret in a recorded form.
var maskedValue = url.QueryEscape("…")

// isSecretField tells whether a form's key, still escaped, names one of
// secretFields.
func isSecretField(key []byte) bool {
	name := key
	if bytes.ContainsAny(key, "%+") {
		unescaped, err := url.QueryUnescape(string(key))
		if err != nil {
			return false
		}
		name = []byte(unescaped)
	}
	for _, f := range secretFields {
		if string(name) == f {
			return true
		}
	}
	return false
}

func (j *Journal) add(e *Entry) {
	size := e.size()
	j.mu.Lock()
	j.next++
	e.ID = j.next
	if j.count == len(j.ring) {
		j.dropOldestLocked()
	}
	at := (j.head + j.count) % len(j.ring)
	j.ring[at], j.sizes[at] = e, size
	j.count++
	j.bytes += size
	j.evictLocked()
	var subs []chan Event
	for ch := range j.subs {
		subs = append(subs, ch)
	}
	if len(subs) > 0 {
		e.settle() // encoded below, outside the lock
	}
	j.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	// Encoded once for every live stream, outside the lock.
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	ev := Event{Entry: e, JSON: data}
	for _, ch := range subs {
		select {
		case ch <- ev:
		default: // a slow reader misses entries rather than blocking requests
		}
	}
}

// Event is a new entry for the live streams, with its JSON.
type Event struct {
	Entry *Entry
	JSON  []byte
}

// evictLocked drops the oldest entries while over the byte budget (the
// newest entry always stays).
func (j *Journal) evictLocked() {
	for j.bytes > j.maxBytes && j.count > 1 {
		j.dropOldestLocked()
	}
}

func (j *Journal) dropOldestLocked() {
	j.bytes -= j.sizes[j.head]
	j.ring[j.head] = nil
	j.head = (j.head + 1) % len(j.ring)
	j.count--
}

// at is the i-th entry, oldest first.
func (j *Journal) at(i int) *Entry { return j.ring[(j.head+i)%len(j.ring)] }

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
	// Text, lower case, keeps the entries where it occurs (matchesText);
	// "" keeps all.
	Text string
}

func (f Filter) match(e *Entry) bool {
	switch {
	case f.Service != "" && e.Service != f.Service,
		f.Login != "" && e.Login != f.Login,
		f.Persona != "" && e.Persona != f.Persona,
		f.Client != "" && e.Client != f.Client,
		f.OnlyViolation && len(e.Violations) == 0,
		f.OnlyErrors && e.Status != 0 && e.Status < 400,
		e.ID <= f.After,
		f.Text != "" && !matchesText(e, f.Text):
		return false
	}
	return true
}

// correlationHeader is the header whose values a text search reads: the
// reference Démoville's error pages give for the support.
const correlationHeader = "X-Correlation-Id"

// matchesText tells whether text (lower case) occurs, whatever the case,
// in the entry's path, query, client, persona, login or error, or in an
// X-Correlation-ID of its request or answer. The console's search
// (console/static/js/format.js, matchesText) looks at the same fields.
func matchesText(e *Entry, text string) bool {
	for _, s := range [...]string{e.Path, e.Query, e.Client, e.Persona, e.Login, e.Error} {
		if containsFold(s, text) {
			return true
		}
	}
	for _, h := range [...]Header{e.RequestHeader, e.ResponseHeader} {
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

// Entries returns the matching entries, oldest first (the last Limit ones
// when Limit is set).
func (j *Journal) Entries(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for i := 0; i < j.count; i++ {
		e := j.at(i)
		e.settle()
		if f.match(e) {
			out = append(out, *e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Subscribe returns a channel of new entries and a function to stop; past
// MaxSubscribers live streams it returns ErrTooManySubscribers.
func (j *Journal) Subscribe() (<-chan Event, func(), error) {
	ch := make(chan Event, 64)
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.subs) >= MaxSubscribers {
		return nil, nil, ErrTooManySubscribers
	}
	j.subs[ch] = struct{}{}
	return ch, func() {
		j.mu.Lock()
		delete(j.subs, ch)
		j.mu.Unlock()
	}, nil
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.head, j.count, j.bytes = 0, 0, 0
}

// Stats are the journal's counts, for the bench and the console.
type Stats struct {
	Entries, Bytes, Subscribers int
}

// Stats returns the journal's counts.
func (j *Journal) Stats() Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Stats{Entries: j.count, Bytes: j.bytes, Subscribers: len(j.subs)}
}
