package control_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestRegisteredClientLogsIn: a vendor's own service provider, registered
// through the control API with an https://localhost:8443 redirect URI,
// logs a persona in and redeems the code; reset forgets it.
func TestRegisteredClientLogsIn(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	client := map[string]any{"client_id": "mon-teleservice", "client_secret": "mon-secret-de-test", "name": "Mon téléservice",
		"redirect_uris": []string{"https://localhost:8443/cb"}, "post_logout_redirect_uris": []string{"https://localhost:8443/"},
		"scopes": []string{"openid", "identite_pivot", "dgfip_rfr"}}
	r := a.do(http.MethodPut, "/franceconnect/clients/mon-teleservice", client).want(t, http.StatusCreated)
	if r.JSON["registered"] != true || r.str("signing_alg") != "ES256" {
		t.Errorf("registered: %s", r.Raw)
	}
	a.do(http.MethodPut, "/franceconnect/clients/mon-teleservice", client).want(t, http.StatusOK) // replaced

	q := url.Values{"client_id": {"mon-teleservice"}, "redirect_uri": {"https://localhost:8443/cb"}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid identite_pivot dgfip_rfr"}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	req, _ := http.NewRequest(http.MethodGet, a.s.URL+"/api/v2/authorize?"+q.Encode(), nil)
	req.Header.Set(franceconnect.PersonaHeader, "test")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.String(), "https://localhost:8443/cb?code=") {
		t.Fatalf("authorize: %d %v", resp.StatusCode, loc)
	}
	resp, err = http.PostForm(a.s.URL+"/api/v2/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"https://localhost:8443/cb"}, "client_id": {"mon-teleservice"}, "client_secret": {"mon-secret-de-test"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}

	found := false
	for _, it := range a.do(http.MethodGet, "/franceconnect/clients", nil).want(t, http.StatusOK).items() {
		found = found || it["client_id"] == "mon-teleservice"
	}
	if !found {
		t.Error("the registered client is not listed")
	}
	a.do(http.MethodPost, "/reset", nil).want(t, http.StatusNoContent)
	a.do(http.MethodGet, "/franceconnect/clients/mon-teleservice", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	put := func(id string, body map[string]any) answer {
		return a.do(http.MethodPut, "/franceconnect/clients/"+id, body)
	}
	base := func(id string) map[string]any {
		return map[string]any{"client_id": id, "client_secret": "s", "name": "n", "redirect_uris": []string{"https://localhost:8443/cb"},
			"scopes": []string{"openid"}}
	}
	put(sandboxtest.DemoClientID, base(sandboxtest.DemoClientID)).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	put("x", base("y")).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/client_id")
	b := base("x")
	b["scopes"] = []string{"profile"}
	put("x", b).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	b = base("x")
	b["redirect_uris"] = []string{"/relative"}
	put("x", b).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	b = base("x")
	b["signing_alg"] = "HS256"
	put("x", b).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodDelete, "/franceconnect/clients/"+sandboxtest.DemoClientID, nil).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodDelete, "/franceconnect/clients/inconnu", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	put("x", base("x")).want(t, http.StatusCreated)
	a.do(http.MethodDelete, "/franceconnect/clients/x", nil).want(t, http.StatusNoContent)
}
