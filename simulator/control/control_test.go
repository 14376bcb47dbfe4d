package control_test

import (
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func TestContractIsServed(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodGet, "/openapi.yaml", nil).want(t, http.StatusOK)
	want, err := fs.ReadFile(openapi.FS(), control.ContractFile)
	if err != nil {
		t.Fatal(err)
	}
	if r.Raw != string(want) || r.Header.Get("Content-Type") != "application/yaml; charset=utf-8" {
		t.Errorf("contract served as %q, %d bytes (want %d)", r.Header.Get("Content-Type"), len(r.Raw), len(want))
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	for _, p := range []string{"/nothing", "/personas/angela-dubois/extra", ""} {
		a.do(http.MethodGet, p, nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	}
	r := a.do(http.MethodDelete, "/clock", nil)
	r.wantError(t, http.StatusMethodNotAllowed, control.CodeMethodNotAllowed, "")
	if allow := r.Header.Get("Allow"); allow != "GET, PUT" {
		t.Errorf("Allow = %q", allow)
	}
}

func TestBodyMustMatchTheContract(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	a.do(http.MethodPost, "/scenarios/activations", "{not json").wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodPost, "/scenarios/activations", nil).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "")
	a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scope": "global"}).
		wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/scenario")
	a.do(http.MethodPost, "/scenarios/activations", map[string]any{"scenario": "dgfip-lent", "scope": "global", "calls": "two"}).
		wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/calls")
	a.do(http.MethodGet, "/personas?limit=0", nil).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "limit")
	a.do(http.MethodGet, "/personas?declarant=maybe", nil).wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "declarant")
}

// TestAccess: loopback callers by default; with a control token, whoever
// presents it.
func TestAccess(t *testing.T) {
	t.Parallel()
	t.Run("loopback only by default", func(t *testing.T) {
		a := newAPI(t, sandboxtest.AfterTaxation, nil)
		a.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK) // over the httptest listener, from 127.0.0.1

		a.remote = "[::1]:40000"
		a.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK)
		a.remote = "192.0.2.10:40000"
		a.do(http.MethodGet, "/clock", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")
		a.do(http.MethodPost, "/reset", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")
		a.token = "anything"
		a.do(http.MethodGet, "/clock", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")

		// A proxy on the same machine would make every caller look local.
		a.remote, a.token = "", ""
		a.header = http.Header{"X-Forwarded-For": {"198.51.100.7"}}
		a.do(http.MethodGet, "/clock", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")
	})
	t.Run("token", func(t *testing.T) {
		a := newAPI(t, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.ControlToken = "s3cret-jeton" })
		r := a.do(http.MethodGet, "/clock", nil)
		r.wantError(t, http.StatusUnauthorized, control.CodeUnauthorized, "")
		if r.Header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		a.token = "wrong"
		a.do(http.MethodGet, "/clock", nil).wantError(t, http.StatusUnauthorized, control.CodeUnauthorized, "")
		a.token = "s3cret-jeton"
		a.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK)
		a.remote = "192.0.2.10:40000"
		a.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK)
		a.do(http.MethodPost, "/clock/reset", nil).want(t, http.StatusOK)
		a.token = ""
		a.do(http.MethodGet, "/clock", nil).wantError(t, http.StatusUnauthorized, control.CodeUnauthorized, "")
	})
	t.Run("cross-origin browser requests", func(t *testing.T) {
		a := newAPI(t, sandboxtest.AfterTaxation, nil)
		a.header = http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://attaquant.example"}}
		a.do(http.MethodPost, "/reset", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")
		a.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK) // reading changes nothing
		a.header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
		a.do(http.MethodPost, "/reset", nil).want(t, http.StatusNoContent)
	})
	t.Run("DNS rebinding", func(t *testing.T) {
		// A page of evil.example rebinds its name to 127.0.0.1: to the
		// browser it is same-origin, but Host still names evil.example.
		a := newAPI(t, sandboxtest.AfterTaxation, nil)
		a.host = "evil.example:8080"
		a.header = http.Header{"Origin": {"http://evil.example:8080"}, "Sec-Fetch-Site": {"same-origin"}}
		if r := a.do(http.MethodPost, "/reset", nil); !strings.Contains(r.Raw, "does not name the sandbox") {
			t.Errorf("reset through a rebound name: %d %s", r.Status, r.Raw)
		}
		a.do(http.MethodPost, "/reset", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")
		a.do(http.MethodGet, "/journal", nil).wantError(t, http.StatusForbidden, control.CodeForbidden, "")
		a.host, a.header = "localhost:8080", nil
		a.do(http.MethodGet, "/journal", nil).want(t, http.StatusOK)
		// With a control token, the token is the defence: other names are
		// answered (a CI job reaches a container by its service name).
		b := newAPI(t, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.ControlToken = "s3cret-jeton" })
		b.host, b.token = "bacasable:8080", "s3cret-jeton"
		b.do(http.MethodGet, "/clock", nil).want(t, http.StatusOK)
	})
}
