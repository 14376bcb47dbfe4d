package control_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/control"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func TestListPersonas(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	all := len(a.s.SB.Population.Personas())

	r := a.do(http.MethodGet, "/personas?limit=1000", nil).want(t, http.StatusOK)
	if num(r.JSON["total"]) != int64(all) || len(r.items()) != all {
		t.Fatalf("total %v, %d items, want %d", r.JSON["total"], len(r.items()), all)
	}

	r = a.do(http.MethodGet, "/personas?q=CLAIRE+angéla", nil).want(t, http.StatusOK)
	if items := r.items(); len(items) != 1 || items[0]["id"] != "angela-dubois" {
		t.Errorf("q: %s", r.Raw)
	}

	declarants := a.do(http.MethodGet, "/personas?declarant=true&limit=1000", nil).want(t, http.StatusOK)
	others := a.do(http.MethodGet, "/personas?declarant=false&limit=1000", nil).want(t, http.StatusOK)
	if num(declarants.JSON["total"])+num(others.JSON["total"]) != int64(all) || num(declarants.JSON["total"]) == 0 || num(others.JSON["total"]) == 0 {
		t.Errorf("declarants %v + others %v != %d", declarants.JSON["total"], others.JSON["total"], all)
	}
	for _, p := range declarants.items() {
		if p["foyer_role"] != "declarant" {
			t.Errorf("declarant=true lists %v (%v)", p["id"], p["foyer_role"])
		}
	}
	for _, p := range others.items() {
		if p["foyer_role"] == "declarant" {
			t.Errorf("declarant=false lists %v", p["id"])
		}
	}

	r = a.do(http.MethodGet, "/personas?scenario=dgfip-indisponible", nil).want(t, http.StatusOK)
	if items := r.items(); len(items) == 0 || items[0]["scenario"] != "dgfip-indisponible" {
		t.Errorf("scenario: %s", r.Raw)
	}

	page1 := a.do(http.MethodGet, "/personas?limit=2", nil).want(t, http.StatusOK).items()
	page2 := a.do(http.MethodGet, "/personas?limit=2&offset=1", nil).want(t, http.StatusOK)
	if len(page1) != 2 || page2.items()[0]["id"] != page1[1]["id"] || num(page2.JSON["offset"]) != 1 || num(page2.JSON["limit"]) != 2 {
		t.Errorf("paging: %v then %s", page1, page2.Raw)
	}
	if r := a.do(http.MethodGet, fmt.Sprintf("/personas?offset=%d", all+5), nil).want(t, http.StatusOK); len(r.items()) != 0 {
		t.Errorf("past the end: %s", r.Raw)
	}
}

func TestGetPersona(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	for _, ref := range []string{"angela-dubois", "test", sandboxtest.AngelaSPI} {
		r := a.do(http.MethodGet, "/personas/"+ref, nil).want(t, http.StatusOK)
		if r.str("id") != "angela-dubois" || r.str("login") != "test" || r.str("spi") != sandboxtest.AngelaSPI ||
			r.str("given_name") != "Angela Claire Louise" || r.str("foyer_role") != "declarant" {
			t.Errorf("%s: %s", ref, r.Raw)
		}
		if f, _ := r.JSON["foyers"].([]any); len(f) != 1 || f[0] != "dubois-perrin" {
			t.Errorf("%s: foyers %v", ref, r.JSON["foyers"])
		}
	}
	r := a.do(http.MethodGet, "/personas/hugo-bertin", nil).want(t, http.StatusOK)
	if r.str("foyer_role") != "dependant" || r.str("spi") != "" {
		t.Errorf("hugo-bertin: %s", r.Raw)
	}
	r = a.do(http.MethodGet, "/personas/lucas-janssens", nil).want(t, http.StatusOK)
	if r.str("foyer_role") != "none" {
		t.Errorf("lucas-janssens: %s", r.Raw)
	}
	a.do(http.MethodGet, "/personas/personne-inconnue", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
}

// jeanne is a new persona's body; its lines are known (birthplace is line 9).
const jeanne = `{
  "id": "jeanne-martin",
  "login": "jeanne.martin",
  "spi": "3999999899231",
  "given_name": "Jeanne Marie",
  "family_name": "MARTIN",
  "preferred_username": "",
  "birthdate": "1985-04-12",
  "birthplace": "%s",
  "gender": "female",
  "birthcountry": "99100",
  "email": "jeanne.martin@bacasable.example",
  "situation": "Cantine\/parking — ajoutée par l'API"
}`

// TestPutPersonaThenLogIn: a persona added through the API logs in at
// once through FranceConnect, and userinfo gives her identity.
func TestPutPersonaThenLogIn(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	r := a.do(http.MethodPut, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "33063")).want(t, http.StatusCreated)
	if r.Header.Get("Location") != control.BasePath+"/personas/jeanne-martin" || r.str("foyer_role") != "none" ||
		r.str("password") != "123" || r.str("situation") != "Cantine/parking — ajoutée par l'API" {
		t.Errorf("created: Location %q, %s", r.Header.Get("Location"), r.Raw)
	}
	a.do(http.MethodGet, "/personas/jeanne.martin", nil).want(t, http.StatusOK)

	tok := a.s.FCToken("jeanne.martin", "openid identite_pivot email")
	status, claims := userinfo(t, a.s, tok)
	if status != http.StatusOK || claims["given_name"] != "Jeanne Marie" || claims["family_name"] != "MARTIN" ||
		claims["birthplace"] != "33063" || claims["email"] != "jeanne.martin@bacasable.example" {
		t.Errorf("userinfo %d: %v", status, claims)
	}
	// And by SPI, at the impots.gouv.fr provider.
	if status, claims := userinfo(t, a.s, a.s.FCToken("3999999899231", "openid identite_pivot")); status != http.StatusOK || claims["given_name"] != "Jeanne Marie" {
		t.Errorf("by SPI, userinfo %d: %v", status, claims)
	}
}

// TestPutPersonaReplaces: a persona read, edited and sent back replaces
// the fixture's, read-only fields included; FranceConnect sees the change.
func TestPutPersonaReplaces(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)
	got := a.do(http.MethodGet, "/personas/angela-dubois", nil).want(t, http.StatusOK).JSON
	got["email"] = "angela.nouvelle@bacasable.example"
	r := a.do(http.MethodPut, "/personas/angela-dubois", got).want(t, http.StatusOK)
	if r.str("email") != "angela.nouvelle@bacasable.example" || r.str("foyer_role") != "declarant" {
		t.Errorf("replaced: %s", r.Raw)
	}
	if n := len(a.s.SB.Population.Personas()); num(a.do(http.MethodGet, "/personas", nil).JSON["total"]) != int64(n) {
		t.Errorf("a replacement added a persona")
	}
	_, claims := userinfo(t, a.s, a.s.FCToken("test", "openid email"))
	if claims["email"] != "angela.nouvelle@bacasable.example" {
		t.Errorf("userinfo after the change: %v", claims)
	}
	// The foyer still reads her (the API in SPI mode).
	api := a.s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: a.s.DemoToken(), Teleservice: "BACASABLE-DEMO"})
	if api.Status != http.StatusOK {
		t.Errorf("API after the change: %d %s", api.Status, api.Raw)
	}
}

func TestPutPersonaErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t, sandboxtest.AfterTaxation, nil)

	t.Run("a fixture rule, at the body's line", func(t *testing.T) {
		d := a.do(http.MethodPut, "/personas/jeanne-martin", fmt.Sprintf(jeanne, "99999")).
			wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		if len(d) != 1 || d[0]["file"] != "PUT /personas/jeanne-martin" || num(d[0]["line"]) != 9 ||
			!strings.Contains(d[0]["message"].(string), `birthplace "99999" is not an Insee commune code`) {
			t.Errorf("details: %v", d)
		}
		a.do(http.MethodGet, "/personas/jeanne-martin", nil).wantError(t, http.StatusNotFound, control.CodeNotFound, "")
	})
	t.Run("a rule involving the fixture files", func(t *testing.T) {
		// Taking Angela's SPI away breaks her foyer, declared in foyers.yaml.
		p := a.do(http.MethodGet, "/personas/angela-dubois", nil).want(t, http.StatusOK).JSON
		delete(p, "spi")
		d := a.do(http.MethodPut, "/personas/angela-dubois", p).wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		found := false
		for _, x := range d {
			found = found || x["file"] == "foyers.yaml" && num(x["line"]) > 0 && strings.Contains(x["message"].(string), "has no SPI")
		}
		if !found {
			t.Errorf("details: %v", d)
		}
	})
	t.Run("a login taken", func(t *testing.T) {
		body := strings.Replace(fmt.Sprintf(jeanne, "33063"), `"jeanne.martin"`, `"test"`, 1)
		d := a.do(http.MethodPut, "/personas/jeanne-martin", body).wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		if len(d) == 0 || !strings.Contains(d[0]["message"].(string), `login "test" is used twice`) {
			t.Errorf("details: %v", d)
		}
	})
	t.Run("an unknown scenario", func(t *testing.T) {
		body := strings.Replace(fmt.Sprintf(jeanne, "33063"), `"gender"`, `"scenario": "panne-inventee", "gender"`, 1)
		d := a.do(http.MethodPut, "/personas/jeanne-martin", body).wantError(t, http.StatusBadRequest, control.CodeInvalidPopulation, "")
		if len(d) != 1 || num(d[0]["line"]) != 10 || !strings.Contains(d[0]["message"].(string), `scenario "panne-inventee" is not declared`) {
			t.Errorf("details: %v", d)
		}
	})
	t.Run("the path's id and the body's differ", func(t *testing.T) {
		a.do(http.MethodPut, "/personas/jeanne-dupont", fmt.Sprintf(jeanne, "33063")).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/id")
	})
	t.Run("the body does not match the contract", func(t *testing.T) {
		a.do(http.MethodPut, "/personas/jeanne-martin", strings.Replace(fmt.Sprintf(jeanne, "33063"), `"3999999899231"`, `3999999899231`, 1)).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/spi")
		a.do(http.MethodPut, "/personas/jeanne-martin", strings.Replace(fmt.Sprintf(jeanne, "33063"), `"gender"`, `"birth_date": "1985-04-12", "gender"`, 1)).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/birth_date")
		a.do(http.MethodPut, "/personas/jeanne-martin", `{"id": "jeanne-martin"}`).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "/login")
		a.do(http.MethodPut, "/personas/Jeanne_Martin", fmt.Sprintf(jeanne, "33063")).
			wantError(t, http.StatusBadRequest, control.CodeInvalidRequest, "id")
	})
}
