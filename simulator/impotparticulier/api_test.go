package impotparticulier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/bacasable/bacasable/simulator/franceconnect"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestChainFranceConnectToImpotParticulier is the walk that matters: a
// relying party logs a persona in with DGFiP scopes, gets a gateway token,
// calls the API in FranceConnect mode and gets exactly the consented fields
// of the right household.
func TestChainFranceConnectToImpotParticulier(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	ctx := context.Background()
	issuer := s.URL + "/api/v2"
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: sandboxtest.DemoClientID, ClientSecret: sandboxtest.DemoClientSecret, RedirectURL: sandboxtest.Callback, Endpoint: provider.Endpoint(),
		Scopes: []string{oidc.ScopeOpenID, "identite_pivot", "dgfip_rfr", "dgfip_nbpart", "dgfip_sitfam", "dgfip_aft"}}
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	// No PKCE: fcp-low refuses code_challenge (its AuthorizeParamsDto
	// whitelist), although its discovery advertises S256.
	nonce := "nonce-for-the-canteen-0123456789"
	authURL := conf.AuthCodeURL("state-for-the-canteen-0123456789", oidc.Nonce(nonce), oauth2.SetAuthURLParam("acr_values", "eidas1"))
	req, _ := http.NewRequest(http.MethodGet, authURL, nil)
	req.Header.Set(franceconnect.PersonaHeader, "test")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize: %d, no redirect", resp.StatusCode)
	}
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: sandboxtest.DemoClientID, Now: s.Clock.Now}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil || idt.Nonce != nonce {
		t.Fatalf("ID token: %v (nonce %q)", err, idt.Nonce)
	}

	gw := s.DemoToken()
	a := s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: gw, FC: tok.AccessToken, Teleservice: "BACASABLE-DEMO"})
	if a.Status != 200 {
		t.Fatalf("API: %d %s", a.Status, a.Raw)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/prs.dgfip.part.situations.ir.assiettes.v1+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	// Consented: rfr, nbPart, sitFam, aft (+ aftDetail); the habilitation
	// would also allow pac and the declarants' names, not consented.
	if got := keys(a.JSON); !reflect.DeepEqual(got, []string{"aft", "aftDetail", "nbPart", "rfr", "sitFam"}) {
		t.Fatalf("fields = %v, want exactly the consented ones", got)
	}
	if a.JSON["rfr"] != json.Number("41220") || a.JSON["nbPart"] != json.Number("3") || a.JSON["sitFam"] != "M" {
		t.Errorf("household = %v", a.Raw)
	}
	if aft, _ := a.JSON["aft"].(string); !strings.Contains(aft, "33130 BEGLES") {
		t.Errorf("aft = %q", aft)
	}
}

// TestSPIModeEveryResource calls each resource in SPI mode for Angela.
func TestSPIModeEveryResource(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.CompletToken()
	for _, tc := range []struct {
		path, mediaType string
		check           func(t *testing.T, a sandboxtest.APIAnswer)
	}{
		{"/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", "application/prs.dgfip.part.situations.ir.assiettes.v1+json", func(t *testing.T, a sandboxtest.APIAnswer) {
			if a.JSON["rfr"] != json.Number("41220") || a.JSON["prnmDec1"] != "ANGELA CLAIRE LOUISE" {
				t.Errorf("answer = %s", a.Raw)
			}
		}},
		{"/spi/" + sandboxtest.AngelaSPI + "/dernieresituation/ir/assiettes/annrev/2025", "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json", func(t *testing.T, a sandboxtest.APIAnswer) {
			if a.JSON["annRevenu"] != json.Number("2025") {
				t.Errorf("annRevenu = %v", a.JSON["annRevenu"])
			}
		}},
		{"/spi/" + sandboxtest.AngelaSPI + "/dernieresituation/ir/assiettes/deuxans", "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json", func(t *testing.T, a sandboxtest.APIAnswer) {
			if a.JSON["annRevenu"] != json.Number("2025") {
				t.Errorf("deuxans annRevenu = %v, want the latest (2025)", a.JSON["annRevenu"])
			}
		}},
		{"/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/multiple/annrev/2025", "application/prs.dgfip.part.situations.ir.assiettes.multiple.v1+json", func(t *testing.T, a sandboxtest.APIAnswer) {
			if list, _ := a.JSON["situationsIR"].([]any); len(list) != 1 {
				t.Errorf("situationsIR = %v", a.JSON["situationsIR"])
			}
		}},
		{"/spi/" + sandboxtest.AngelaSPI + "/situations/ir/factures/annrev/2025", "application/prs.dgfip.part.situations.ir.factures.v1+json", func(t *testing.T, a sandboxtest.APIAnswer) {
			if _, ok := a.JSON["facture"].([]any); !ok {
				t.Errorf("facture = %v", a.JSON["facture"])
			}
		}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			a := s.Call(sandboxtest.APICall{Path: tc.path, Gateway: gw, Teleservice: "BACASABLE-COMPLET"})
			if a.Status != 200 {
				t.Fatalf("%d %s", a.Status, a.Raw)
			}
			if ct := a.Header.Get("Content-Type"); ct != tc.mediaType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.mediaType)
			}
			tc.check(t, a)
		})
	}
}

// TestHabilitationFiltersFields: SPI mode returns only the habilitation's
// data (BACASABLE-DEMO has no revenue lines, no tax amounts).
func TestHabilitationFiltersFields(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	a := s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: s.DemoToken(), Teleservice: "BACASABLE-DEMO"})
	if a.Status != 200 {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	want := []string{"aft", "aftDetail", "dateNaisDec1", "dateNaisDec2", "nbPart", "nmNaiDec1", "nmNaiDec2", "nmUsaDec1", "nmUsaDec2",
		"pac", "prnmDec1", "prnmDec2", "rfr", "sitFam", "sitParIso"}
	if got := keys(a.JSON); !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v\nwant %v", got, want)
	}
}

// TestYearsFollowTheCalendar: before 22 July the latest year is N-2.
func TestYearsFollowTheCalendar(t *testing.T) {
	s := sandboxtest.New(t, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), nil)
	gw := s.DemoToken()
	a := s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	if code, msg := a.Erreur(); a.Status != 410 || code != 4101 || !strings.Contains(msg, "22/07/2026") {
		t.Errorf("2025 in March 2026: %d %s", a.Status, a.Raw)
	}
	a = s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/dernieresituation/ir/assiettes/deuxans", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	if a.Status != 200 {
		t.Fatalf("deuxans: %d %s", a.Status, a.Raw)
	}
	s.Clock.Set(time.Date(2026, 7, 22, 0, 0, 1, 0, time.FixedZone("CEST", 7200)))
	a = s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	if code, _ := a.Erreur(); a.Status != 401 || code != 4010 {
		t.Errorf("a gateway token from March is expired in July: %d %s", a.Status, a.Raw)
	}
	gw = s.DemoToken()
	a = s.Call(sandboxtest.APICall{Path: "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025", Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	if a.Status != 200 {
		t.Errorf("2025 on 22 July 2026: %d %s", a.Status, a.Raw)
	}
}

// TestConsentPacTotalOrDetail: over HTTP, dgfip_nbpac releases the number
// of dependants alone, dgfip_pac their detail by case.
func TestConsentPacTotalOrDetail(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	gw := s.DemoToken()
	for _, tc := range []struct {
		scope string
		want  []string
	}{
		{"dgfip_nbpac", []string{"nbPac"}},
		{"dgfip_pac", []string{"nbPac", "nbPacF", "nbPacG", "nbPacH", "nbPacI", "nbPacJ", "nbPacN", "nbPacP", "nbPacR"}},
	} {
		fc := s.FCToken("test", "openid identite_pivot "+tc.scope)
		a := s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: gw, FC: fc, Teleservice: "BACASABLE-DEMO"})
		pac, _ := a.JSON["pac"].(map[string]any)
		if a.Status != 200 || !reflect.DeepEqual(keys(pac), tc.want) || pac["nbPac"] != json.Number("2") {
			t.Errorf("%s: %d %s", tc.scope, a.Status, a.Raw)
		}
		if got := keys(a.JSON); !reflect.DeepEqual(got, []string{"pac"}) {
			t.Errorf("%s: fields %v, want pac alone", tc.scope, got)
		}
	}
}
