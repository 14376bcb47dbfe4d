package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// WriteJSONLines writes one JSON object per entry.
func WriteJSONLines(w io.Writer, entries []Entry) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			return err
		}
	}
	return nil
}

// HAR 1.2, the parts the entries fill ({"log":{"version","creator","entries"}}).
type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}
type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
}
type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []any        `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}
type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []any      `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}
type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}
type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}
type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// headerOf is a map of values (a query) as a Header.
func headerOf(m map[string][]string) Header {
	h := make(Header, 0, len(m))
	for k, vs := range m {
		h = append(h, HeaderField{k, vs})
	}
	return h
}

// nvs is h as HAR's name-value pairs, names sorted.
func nvs(h Header) []harNV {
	out := []harNV{}
	for _, f := range h.Sorted() {
		for _, v := range f.Values {
			out = append(out, harNV{Name: f.Name, Value: v})
		}
	}
	return out
}

// WriteHAR writes the entries as an HTTP Archive (HAR 1.2) of baseURL,
// one entry at a time: the archive is never built whole in memory.
func WriteHAR(w io.Writer, baseURL string, entries []Entry) error {
	head, err := json.Marshal(harCreator{Name: "bacasable", Version: "1"})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "{\"log\":{\"version\":\"1.2\",\"creator\":%s,\"entries\":[", head); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, e := range entries {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		if err := enc.Encode(harOf(baseURL, e)); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "]}}\n")
	return err
}

// harOf is one journal entry as a HAR entry.
func harOf(baseURL string, e Entry) harEntry {
	u := strings.TrimRight(baseURL, "/") + e.Path
	var query []harNV
	if e.Query != "" {
		u += "?" + e.Query
		q, _ := url.ParseQuery(e.Query)
		query = nvs(headerOf(q))
	}
	if query == nil {
		query = []harNV{}
	}
	ms := float64(e.Latency) / float64(time.Millisecond)
	he := harEntry{
		StartedDateTime: e.Time.Format(time.RFC3339Nano), Time: ms,
		Request: harRequest{Method: e.Method, URL: u, HTTPVersion: "HTTP/1.1", Cookies: []any{}, Headers: nvs(e.RequestHeader),
			QueryString: query, HeadersSize: -1, BodySize: len(e.RequestBody)},
		Response: harResponse{Status: e.Status, StatusText: "", HTTPVersion: "HTTP/1.1", Cookies: []any{}, Headers: nvs(e.ResponseHeader),
			Content:     harContent{Size: len(e.ResponseBody), MimeType: e.ResponseHeader.Get("Content-Type"), Text: e.ResponseBody},
			RedirectURL: e.ResponseHeader.Get("Location"), HeadersSize: -1, BodySize: len(e.ResponseBody)},
		Timings: harTimings{Send: 0, Wait: ms, Receive: 0},
		Comment: strings.Join(append(append([]string{}, e.Why...), e.Violations...), " | "),
	}
	if e.RequestBody != "" {
		he.Request.PostData = &harPostData{MimeType: e.RequestHeader.Get("Content-Type"), Text: e.RequestBody}
	}
	return he
}
