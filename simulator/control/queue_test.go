package control_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestQueuedLogin: a login queued for the client completes the next
// authorization request without the header, once.
func TestQueuedLogin(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": sandboxtest.DemoClientID, "persona": "test"}).want(t, http.StatusCreated)
	if r.str("client_id") != sandboxtest.DemoClientID || fmt.Sprint(r.JSON["personas"]) != "[test]" {
		t.Errorf("queued: %s", r.Raw)
	}
	// A persona id is queued as its login; an SPI as it is.
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": sandboxtest.DemoClientID, "persona": "gerard-perrin"}).want(t, http.StatusCreated)
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": "bacasable-strict", "persona": sandboxtest.AngelaSPI}).want(t, http.StatusCreated)
	items := a.do(http.MethodGet, "/franceconnect/queue", nil).want(t, http.StatusOK).items()
	if len(items) != 2 || fmt.Sprint(items[0]["personas"]) != "[test gerard.perrin]" && fmt.Sprint(items[1]["personas"]) != "[test gerard.perrin]" {
		t.Errorf("queues: %v", items)
	}

	for _, want := range []string{"Angela Claire Louise", "Gérard Alain"} {
		code := codeOf(t, authorize(t, a.s, ""))
		status, tok := exchange(t, a.s, code)
		if status != http.StatusOK {
			t.Fatalf("token: %d %v", status, tok)
		}
		if _, claims := userinfo(t, a.s, tok["access_token"].(string)); claims["given_name"] != want {
			t.Errorf("queued login: userinfo %v, want %s", claims, want)
		}
	}
	// The queue is used up: the next request shows the pages.
	if resp := authorize(t, a.s, ""); resp.StatusCode != http.StatusSeeOther || !isInteraction(resp) {
		t.Errorf("after the queue: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	items = a.do(http.MethodGet, "/franceconnect/queue", nil).want(t, http.StatusOK).items()
	if len(items) != 1 || items[0]["client_id"] != "bacasable-strict" {
		t.Errorf("queues after two logins: %v", items)
	}
}

func isInteraction(resp *http.Response) bool {
	loc, err := resp.Location()
	return err == nil && strings.HasPrefix(loc.Path, "/api/v2/interaction/")
}

func TestQueueErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": "client-inconnu", "persona": "test"}).
		wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/client_id")
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": "dgfip", "persona": "test"}).
		wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/client_id") // a data provider logs nobody in
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": sandboxtest.DemoClientID, "persona": "personne"}).
		wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/persona")
	a.do(http.MethodPost, "/franceconnect/queue", map[string]any{"client_id": sandboxtest.DemoClientID}).
		wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/persona")
	if items := a.do(http.MethodGet, "/franceconnect/queue", nil).items(); len(items) != 0 {
		t.Errorf("refused logins were queued: %v", items)
	}
}
