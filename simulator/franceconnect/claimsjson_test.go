package franceconnect

import (
	"encoding/json"
	"testing"
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
		m := map[string]any{"sub": s, "iat": int64(1790000000), "exp": int64(-5), "given_name_array": []string{s, "b"},
			"amr": []string(nil), "empty": []string{}, s: "key " + s, "family_name": s, "other": map[string]int{"a": 1}, "nothing": nil}
		var c jwtClaims
		for k, v := range m {
			c.set(k, v)
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.appendJSON(nil); err != nil || string(got) != string(want) {
			t.Errorf("userinfo claims (%v)\n got %s\nwant %s", err, got, want)
		}
	}
}

// TestUserinfoClaimsOfEveryPersona: every persona's userinfo, every claim
// granted, as the former map encoded it.
func TestUserinfoClaimsOfEveryPersona(t *testing.T) {
	env := newTestEnv(t, nil)
	granted := grantedClaims(identityScopes)
	for _, persona := range env.Pop.Personas() {
		for _, idp := range identityProviders {
			m := map[string]any{"sub": "s", "aud": "a", "iat": int64(1), "exp": int64(2), "iss": env.Issuer}
			c := jwtClaims{{"sub", "s"}, {"aud", "a"}, {"iat", int64(1)}, {"exp", int64(2)}, {"iss", env.Issuer}}
			for _, name := range granted {
				m[name] = claimValue(name, persona, idp)
				c.set(name, claimValue(name, persona, idp))
			}
			want, _ := json.Marshal(m)
			if got, err := c.appendJSON(nil); err != nil || string(got) != string(want) {
				t.Errorf("%s via %s (%v)\n got %s\nwant %s", persona.Login, idp.ID, err, got, want)
			}
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
		m := map[string]any{a: b, b: []string{a}, "iat": int64(len(a))}
		var u jwtClaims
		for k, v := range m {
			u.set(k, v)
		}
		want, _ = json.Marshal(m)
		if got, _ := u.appendJSON(nil); string(got) != string(want) {
			t.Errorf("claims\n got %s\nwant %s", got, want)
		}
	})
}
