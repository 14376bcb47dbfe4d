package simulator_test

import (
	"io"
	"net/http"
	"net/url"
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
	} {
		t.Run(tc.login, func(t *testing.T) {
			claims := userinfo(t, s, tc.login, "openid identite_pivot email idp_birthdate")
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
