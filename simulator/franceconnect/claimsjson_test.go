package franceconnect

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/population"
)

// trickyStrings are what encoding/json escapes: quotes, backslashes,
// control characters, HTML, invalid UTF-8, U+2028 and U+2029.
var trickyStrings = []string{"", "plain", `q"uo\te`, "a\x00b\x1fc\b\f\n\r\t", "<script>&amp;</script>", "\xff\xfe", "é\u2028\u2029ü", "🙂", "a\xe2\x80"}

// TestClaimsJSONAsEncodingJSON: the claims are written byte for byte as
// encoding/json wrote them: the ID token's struct, userinfo's map.
func TestClaimsJSONAsEncodingJSON(t *testing.T) {
	for _, s := range trickyStrings {
		for _, amr := range [][]string{nil, {}, {"pwd"}, {s, "mfa"}} {
			c := idTokenClaims{Sub: s, ACR: "eidas1", AMR: amr, AuthTime: 1790000000, Nonce: s, Aud: "client", Exp: -1, Iat: 0, Iss: s}
			want, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.appendJSON(nil); string(got) != string(want) {
				t.Errorf("ID token claims\n got %s\nwant %s", got, want)
			}
		}
		persona := &population.Persona{GivenName: s + " b " + s, FamilyName: s, PreferredUsername: s, Birthdate: s, Gender: s,
			Birthplace: s, Birthcountry: s, Email: s}
		for _, idp := range []*IdentityProvider{{ID: s, AMR: []string{s}}, {ID: s}} {
			sameAsMap(t, persona, idp, s, s, 1790000000, -5)
		}
	}
}

// sameAsMap checks that userinfoClaims with every claim granted writes
// what encoding/json writes of the map of claimValue's values.
func sameAsMap(t *testing.T, persona *population.Persona, idp *IdentityProvider, sub, iss string, iat, exp int64) {
	t.Helper()
	m := map[string]any{"sub": sub, "aud": "a", "iat": iat, "exp": exp, "iss": iss}
	for _, name := range grantedClaims(identityScopes) {
		m[name] = claimValue(name, persona, idp)
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	u := userinfoClaims{Sub: sub, Aud: "a", Iss: iss, Iat: iat, Exp: exp, Granted: grantedClaimSet(identityScopes, nil), Persona: persona, IdP: idp}
	if got := u.appendJSON(nil); string(got) != string(want) {
		t.Errorf("userinfo claims of %q via %q\n got %s\nwant %s", persona.Login, idp.ID, got, want)
	}
}

// TestGrantedClaimSet: the set of claims userinfo writes is grantedClaims
// without the removed ones, for each scope alone and all of them.
func TestGrantedClaimSet(t *testing.T) {
	persona := &population.Persona{GivenName: "Ann Bea", FamilyName: "F", PreferredUsername: "P", Birthdate: "1980-00-00",
		Gender: "female", Birthplace: "75056", Birthcountry: "99100", Email: "e@x"}
	idp := identityProviders[0]
	scopeLists := [][]string{identityScopes, {"openid"}, {"openid", "dgfip_rfr"}}
	for _, s := range identityScopes {
		scopeLists = append(scopeLists, []string{"openid", s})
	}
	for _, scopes := range scopeLists {
		for _, removed := range [][]string{nil, {"given_name"}, {"email", "birthplace", "sub", "inconnu"}, {"given_name_array", "amr"}} {
			m := map[string]any{"sub": "s", "aud": "a", "iat": int64(1), "exp": int64(2), "iss": "i"}
			for _, name := range withoutRemoved(grantedClaims(scopes), removed) {
				m[name] = claimValue(name, persona, idp)
			}
			want, _ := json.Marshal(m)
			u := userinfoClaims{Sub: "s", Aud: "a", Iss: "i", Iat: 1, Exp: 2, Granted: grantedClaimSet(scopes, removed), Persona: persona, IdP: idp}
			if got := u.appendJSON(nil); string(got) != string(want) {
				t.Errorf("scopes %v, removed %v\n got %s\nwant %s", scopes, removed, got, want)
			}
		}
	}
}

// TestUserinfoClaimsOfEveryPersona: every persona's userinfo, every claim
// granted, as the former map encoded it.
func TestUserinfoClaimsOfEveryPersona(t *testing.T) {
	env := newTestEnv(t, nil)
	for _, persona := range env.Pop.Personas() {
		for _, idp := range identityProviders {
			sameAsMap(t, persona, idp, "s", env.Issuer, 1, 2)
		}
	}
}

func FuzzClaimsJSON(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		c := idTokenClaims{Sub: a, ACR: b, AMR: []string{a, b}, Nonce: b, Aud: a, Iss: b}
		want, _ := json.Marshal(c)
		if got := c.appendJSON(nil); string(got) != string(want) {
			t.Errorf("ID token claims\n got %s\nwant %s", got, want)
		}
		persona := &population.Persona{GivenName: a + " " + b, FamilyName: b, PreferredUsername: a, Birthdate: b, Gender: a,
			Birthplace: b, Birthcountry: a, Email: b}
		sameAsMap(t, persona, &IdentityProvider{ID: a, AMR: []string{b}}, a, b, int64(len(a)), -int64(len(b)))
	})
}

// TestTokenResponseAsEncoder: the token endpoint's body is what an
// encoding/json Encoder without HTML escaping wrote.
func TestTokenResponseAsEncoder(t *testing.T) {
	for _, s := range trickyStrings {
		tr := tokenResponse{AccessToken: s, TokenType: "Bearer", ExpiresIn: 60, IDToken: s + ".a.b", Scope: "openid " + s}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(tr); err != nil {
			t.Fatal(err)
		}
		if got := tr.appendJSON(nil); string(got) != want.String() {
			t.Errorf("token response\n got %s\nwant %s", got, want.Bytes())
		}
	}
}

// TestPairwiseSubOfEveryPersona: the pairwise sub is the hex SHA-256 of
// the client, the hex SHA-256 of the identité pivot joined by U+001F
// (birthplace only when born in France) and the salt, then "v1".
func TestPairwiseSubOfEveryPersona(t *testing.T) {
	env := newTestEnv(t, nil)
	// Its own hashing, not the package's hashHex: the reference the code is checked against.
	hexSum := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	for _, p := range env.Pop.Personas() {
		parts := []string{p.GivenName, p.FamilyName, p.NormalisedBirthdate(), p.Gender}
		if p.BornInFrance() {
			parts = append(parts, p.Birthplace)
		}
		parts = append(parts, p.Birthcountry)
		want := hexSum("client"+hexSum(strings.Join(parts, "\x1f"))+"sel") + "v1"
		if got := pairwiseSub("client", p, "sel"); got != want {
			t.Errorf("%s: sub %s, want %s", p.Login, got, want)
		}
	}
}

// withoutRemoved drops the claims a scenario removed, list by list: the
// reference grantedClaimSet's set is checked against.
func withoutRemoved(claims []string, removed []string) []string {
	if len(removed) == 0 {
		return claims
	}
	return slices.DeleteFunc(slices.Clone(claims), func(c string) bool {
		return slices.Contains(removed, c) || (c == "given_name_array" && slices.Contains(removed, "given_name"))
	})
}
