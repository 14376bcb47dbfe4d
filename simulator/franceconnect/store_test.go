package franceconnect

import (
	"encoding/base64"
	"testing"
)

// TestRandomTokenJTI: an access token and its jti made in one allocation
// have the shapes randomToken gives them (32 and 16 random bytes,
// base64url without padding), and differ every time.
func TestRandomTokenJTI(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, jti := randomTokenJTI()
		for _, c := range []struct {
			s string
			n int
		}{{token, 32}, {jti, 16}} {
			b, err := base64.RawURLEncoding.DecodeString(c.s)
			if err != nil || len(b) != c.n || len(c.s) != len(randomToken(c.n)) {
				t.Fatalf("%q: %d bytes, %v; want %d base64url bytes", c.s, len(b), err, c.n)
			}
		}
		if seen[token] || seen[jti] {
			t.Fatalf("%q or %q seen before", token, jti)
		}
		seen[token], seen[jti] = true, true
	}
}
