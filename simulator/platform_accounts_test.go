package simulator_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// userinfo logs persona in for scope and returns userinfo's claims.
func userinfo(t *testing.T, s *sandboxtest.Sandbox, persona, scope string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+s.FCToken(persona, scope))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	jwt, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("userinfo for %s: %d %s", persona, resp.StatusCode, jwt)
	}
	return decodeJWTPayload(t, string(jwt))
}

// TestPlatformAccountsLogIn: accounts of the integration platform's demo
// provider log in with their published login and send the service the
// identity the platform sends (fcp-low: the civil registry's).
func TestPlatformAccountsLogIn(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	for _, tc := range []struct {
		login string
		want  map[string]string
	}{
		// gender unspecified (the registry's sexe I): users.json, « avec genre indéfini ».
		{"genre_indéfini", map[string]string{"gender": "unspecified", "given_name": "Camille", "family_name": "LAFORGE",
			"birthdate": "1954-08-07", "birthplace": "75119", "birthcountry": "99100", "email": "xagreureufadda-6730@yopmail.com"}},
		// the registry returns another identity (mock-rnipp responses/E010014.xml).
		{"E010014", map[string]string{"family_name": "DENT", "given_name": "Arthur Philip", "birthdate": "2001-03-08",
			"gender": "male", "birthplace": "95277", "birthcountry": "99100", "email": "jean_E010014.martin@france.fr"}},
		// presumed day: birthdate normalised, idp_birthdate as the provider has it.
		{"étranger_présumé_né_jour", map[string]string{"birthdate": "1992-11-01", "idp_birthdate": "1992-11-00",
			"birthplace": "", "birthcountry": "99217"}},
		{"naissance_wallis_futuna", map[string]string{"family_name": "FLEURY", "birthplace": "98611", "birthcountry": "99100"}},
		// born under codes outside the current COG (fixtures/cog/hors-cog.csv).
		{"insee_ancien", map[string]string{"family_name": "ACNUSER", "preferred_username": "ACNTEST", "given_name": "SARAH SOPHIE",
			"gender": "female", "birthdate": "1996-12-06", "birthplace": "75012", "birthcountry": "99100", "email": "ucassefa-7807@yopmail.com"}},
		{"plusieurs_prénoms_2", map[string]string{"family_name": "HOCHON", "given_name": "Valentin Emmanuel", "gender": "male",
			"birthdate": "1955-01-01", "birthplace": "69674", "birthcountry": "99100", "email": "lippizucis-4803@yopmail.com"}},
		{"naissance_Mayotte_anc", map[string]string{"family_name": "M'DERE", "given_name": "MANSOUR", "gender": "male",
			"birthdate": "1959-05-30", "birthplace": "98511", "birthcountry": "99100", "email": "usager_mdere@yopmail.com"}},
	} {
		t.Run(tc.login, func(t *testing.T) {
			claims := userinfo(t, s, tc.login, "openid identite_pivot email preferred_username idp_birthdate")
			for k, v := range tc.want {
				if claims[k] != v {
					t.Errorf("%s = %#v, want %q", k, claims[k], v)
				}
			}
		})
	}
}

// TestPlatformRNIPPAccountsAreRefused: the E0100xx accounts whose civil
// registry answer is an error never give the service a code.
func TestPlatformRNIPPAccountsAreRefused(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid identite_pivot"}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	for _, login := range []string{"E010004", "E010006", "E010007", "E010008", "E010009", "E010011", "E010012", "E010013", "E010015", "E010016"} {
		t.Run(login, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v2/authorize?"+q.Encode(), nil)
			req.Header.Set(franceconnect.PersonaHeader, login)
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Fatalf("authorize: 200, want a refusal")
			}
			if loc, err := resp.Location(); err == nil && loc.Query().Get("code") != "" {
				t.Errorf("authorize gave a code: %s", loc)
			}
		})
	}
}

// TestPlatformAccountsBornOutsideTheCOG: the accounts born under a code the
// current COG lacks log in through the pages with their published login
// and password 123; the consent page and the console name the code for
// what it was.
func TestPlatformAccountsBornOutsideTheCOG(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	for _, tc := range []struct{ login, birthplace, name string }{
		{"insee_ancien", "75012", "Boulogne-Billancourt (ancien code de la Seine, avant 1968)"},
		{"plusieurs_prénoms_2", "69674", "Code inconnu de l'Insee (compte de démonstration FranceConnect)"},
		{"naissance_Mayotte_anc", "98511", "Mamoudzou (ancien code de Mayotte)"},
	} {
		t.Run(tc.login, func(t *testing.T) {
			page := consentPage(t, s, tc.login, "123")
			if want := html.EscapeString(tc.name) + " (" + tc.birthplace + ")"; !strings.Contains(page, want) {
				t.Errorf("the consent page does not show %q:\n%s", want, page)
			}
			var names map[string]string
			get(t, s.URL+"/_bacasable/lieux?code="+tc.birthplace, &names)
			if names[tc.birthplace] != tc.name {
				t.Errorf("console names %s %q, want %q", tc.birthplace, names[tc.birthplace], tc.name)
			}
		})
	}
}

// consentPage logs login in through the authorization pages, as a browser
// does, and returns the consent page.
func consentPage(t *testing.T, s *sandboxtest.Sandbox, login, password string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"client_id": {sandboxtest.DemoClientID}, "redirect_uri": {sandboxtest.Callback}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid identite_pivot"}, "nonce": {"nonce-0123456789abcdefghij"}, "state": {"state-0123456789abcdefghij"}}
	resp, err := browser.Get(s.URL + "/api/v2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	interaction, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize: status %d, no redirect", resp.StatusCode)
	}
	resp, err = browser.PostForm(interaction.String()+"/login", url.Values{"idp": {"demo"}, "login": {login}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	consent, err := resp.Location()
	if err != nil {
		t.Fatalf("login %s: status %d, no redirect", login, resp.StatusCode)
	}
	resp, err = browser.Get(consent.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page for %s: status %d", login, resp.StatusCode)
	}
	return string(body)
}

// get decodes the JSON answer of a GET to url into v.
func get(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
