package control_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// March2026 is before the 2026 taxation date: the latest revenue year is 2024.
var March2026 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// api drives the control API of a whole sandbox over HTTP and checks every
// answer against the contract.
type api struct {
	t     *testing.T
	s     *sandboxtest.Sandbox
	check func(*http.Request, int, http.Header, []byte) error
	// token is sent as a bearer token when set.
	token string
	// remote, when set, sends requests straight to the sandbox's handler
	// as if they came from that address.
	remote string
	header http.Header
	// host, when set, is the request's Host.
	host string
}

func newAPI(t *testing.T, start time.Time, tweak func(*simulator.Config)) *api {
	t.Helper()
	check, err := control.ResponseChecker(openapi.FS())
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, s: sandboxtest.New(t, start, tweak), check: check}
}

// answer is a decoded answer.
type answer struct {
	Status int
	Header http.Header
	Raw    string
	JSON   map[string]any
}

// do sends method path (relative to the API's base) with body: nil, a
// string sent as is, or a value encoded as indented JSON.
func (a *api) do(method, path string, body any) answer {
	a.t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.MarshalIndent(b, "", "  "); err != nil {
			a.t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(method, a.s.URL+control.BasePath+path, bytes.NewReader(data))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for k, v := range a.header {
		req.Header[k] = v
	}
	if a.host != "" {
		req.Host = a.host
	}
	var status int
	var header http.Header
	var raw []byte
	if a.remote != "" {
		req.RemoteAddr = a.remote
		rec := httptest.NewRecorder()
		a.s.SB.Handler().ServeHTTP(rec, req)
		status, header, raw = rec.Code, rec.Header(), rec.Body.Bytes()
	} else {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			a.t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ = io.ReadAll(resp.Body)
		status, header = resp.StatusCode, resp.Header
	}
	if err := a.check(httptest.NewRequest(method, control.BasePath+path, nil), status, header, raw); err != nil {
		a.t.Errorf("%s %s: the answer %d breaks the contract: %v\n%s", method, path, status, err, raw)
	}
	out := answer{Status: status, Header: header, Raw: string(raw)}
	if strings.HasPrefix(header.Get("Content-Type"), "application/json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&out.JSON); err != nil {
			a.t.Errorf("%s %s: the answer is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	if status >= 400 {
		if code, msg, _ := out.err(); code == "" || msg == "" {
			a.t.Errorf("%s %s: the error %d is not in the envelope: %s", method, path, status, raw)
		}
	}
	return out
}

// want fails the test unless the answer has that status.
func (r answer) want(t *testing.T, status int) answer {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// err returns the envelope's code, message and details.
func (r answer) err() (code, message string, details []map[string]any) {
	e, _ := r.JSON["error"].(map[string]any)
	code, _ = e["code"].(string)
	message, _ = e["message"].(string)
	list, _ := e["details"].([]any)
	for _, d := range list {
		m, _ := d.(map[string]any)
		details = append(details, m)
	}
	return code, message, details
}

// wantError fails the test unless the answer is that error, with a detail
// about field (a JSON pointer or a parameter) when field is not "".
func (r answer) wantError(t *testing.T, status int, code, field string) []map[string]any {
	t.Helper()
	r.want(t, status)
	got, _, details := r.err()
	if got != code {
		t.Fatalf("code %q, want %q: %s", got, code, r.Raw)
	}
	if field != "" {
		found := false
		for _, d := range details {
			found = found || d["field"] == field
		}
		if !found {
			t.Fatalf("no detail about %s: %s", field, r.Raw)
		}
	}
	return details
}

func (r answer) str(key string) string { s, _ := r.JSON[key].(string); return s }

func (r answer) items() []map[string]any {
	list, _ := r.JSON["items"].([]any)
	var out []map[string]any
	for _, it := range list {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

func num(v any) int64 {
	n, _ := v.(json.Number)
	i, _ := n.Int64()
	return i
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize sends the demo client's authorization request, with the
// persona header when persona is not "", and returns the redirect.
func authorize(t *testing.T, s *sandboxtest.Sandbox, persona string) *http.Response {
	t.Helper()
	q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid identite_pivot email dgfip_rfr"},
		"nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
	if persona != "" {
		req.Header.Set(franceconnect.PersonaHeader, persona)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// codeOf returns the code of a redirect to the client's callback.
func codeOf(t *testing.T, resp *http.Response) string {
	t.Helper()
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), sandboxtest.Callback) || loc.Query().Get("code") == "" {
		t.Fatalf("authorize answered %d to %v, want a redirect to the callback with a code", resp.StatusCode, loc)
	}
	return loc.Query().Get("code")
}

// exchange trades a code at the token endpoint.
func exchange(t *testing.T, s *sandboxtest.Sandbox, code string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/api/v2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {sandboxtest.Callback}, "client_id": {sandboxtest.DemoClientID}, "client_secret": {sandboxtest.DemoClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// userinfo returns the status and, on success, the claims of the signed
// answer (not verified: the FranceConnect tests do that).
func userinfo(t *testing.T, s *sandboxtest.Sandbox, accessToken string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 {
		t.Fatalf("userinfo is not a JWS: %s", raw)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, claims
}
