package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
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

func nvs(h map[string][]string) []harNV {
	out := []harNV{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: v})
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
		query = nvs(q)
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
			Content:     harContent{Size: len(e.ResponseBody), MimeType: first(e.ResponseHeader, "Content-Type"), Text: e.ResponseBody},
			RedirectURL: first(e.ResponseHeader, "Location"), HeadersSize: -1, BodySize: len(e.ResponseBody)},
		Timings: harTimings{Send: 0, Wait: ms, Receive: 0},
		Comment: strings.Join(append(append([]string{}, e.Why...), e.Violations...), " | "),
	}
	if e.RequestBody != "" {
		he.Request.PostData = &harPostData{MimeType: first(e.RequestHeader, "Content-Type"), Text: e.RequestBody}
	}
	return he
}

func first(h map[string][]string, k string) string {
	for key, v := range h {
		if strings.EqualFold(key, k) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
