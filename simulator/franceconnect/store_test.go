package franceconnect

import (
	"encoding/base64"
	"fmt"
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

// TestScopeSets: logins asking the same scopes share one list and its
// joined form; past maxScopeSets lists, each keeps its own.
func TestScopeSets(t *testing.T) {
	var s scopeSets
	a, aj := s.intern([]string{"email", "openid"})
	b, bj := s.intern([]string{"email", "openid"})
	if &a[0] != &b[0] || aj != "email openid" || bj != aj {
		t.Errorf("equal lists not shared: %p %p, %q %q", &a[0], &b[0], aj, bj)
	}
	if c, cj := s.intern([]string{"openid"}); &c[0] == &a[0] || cj != "openid" {
		t.Errorf("another list shared with the first, or joined %q", cj)
	}
	if cap(a) != len(a) {
		t.Errorf("a shared list has room to append: cap %d, len %d", cap(a), len(a))
	}
	for i := range maxScopeSets {
		s.intern([]string{fmt.Sprint(i)})
	}
	x, _ := s.intern([]string{"x"})
	y, _ := s.intern([]string{"x"})
	if &x[0] == &y[0] || int(s.n.Load()) != maxScopeSets {
		t.Errorf("interned past the cap: %d sets", s.n.Load())
	}
}
