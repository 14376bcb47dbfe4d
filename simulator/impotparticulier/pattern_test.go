package impotparticulier

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestClassPatternAgreesWithRegexp: on the patterns it compiles,
// classPattern answers as regexp does, for valid values, their mutations
// and random strings.
func TestClassPatternAgreesWithRegexp(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		valid   []string
	}{
		{`^[0-9]{13}$`, []string{"3999999887219", "0000000000000"}},
		{`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, []string{"3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "3F2B6A1E-8C4D-4E5F-9A0B-1C2D3E4F5A6B"}},
		{`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}`, []string{"2026-12-02T10:00:00", "2026-12-02T10:00:00Z+whatever"}},
		{`^[A-Z_]{3}x$`, []string{"AB_x", "___x"}},
		{`^ab`, []string{"ab", "abc"}},
	} {
		p, ok := newClassPattern(tc.pattern)
		if !ok {
			t.Fatalf("%s: not compiled", tc.pattern)
		}
		re := regexp.MustCompile(tc.pattern)
		rnd := rand.New(rand.NewPCG(1, 2))
		check := func(v string) {
			if got, want := p.MatchString(v), re.MatchString(v); got != want {
				t.Errorf("%s on %q: %v, regexp says %v", tc.pattern, v, got, want)
			}
		}
		for _, v := range tc.valid {
			if !p.MatchString(v) {
				t.Errorf("%s refuses %q", tc.pattern, v)
			}
			check(v[:len(v)-1])
			check(v + "0")
			check("0" + v)
			for range 2000 {
				b := []byte(v)
				for range 1 + rnd.IntN(3) {
					b[rnd.IntN(len(b))] = byte(rnd.IntN(256))
				}
				check(string(b))
			}
		}
		for range 2000 {
			b := make([]byte, rnd.IntN(40))
			for i := range b {
				b[i] = "0123456789abcdefABCDEF-:T_xé"[rnd.IntN(29)]
			}
			check(string(b))
		}
	}
}

// TestClassPatternRefusesOtherForms: anything beyond classes, literals and
// {n} goes to regexp.
func TestClassPatternRefusesOtherForms(t *testing.T) {
	for _, p := range []string{"", "^", "[0-9]{4}$", `^(2[ABab]|[0-9]{2,3})$`, `^[a-z0-9][a-z0-9-]*$`, `^[^0-9]$`, `^\d{4}$`, `^a.b$`,
		`^[0-9]{0}$`, `^[0-9]{4$`, `^[]$`, `^[9-0]$`, `^a$b`, `^a+$`, `^[0-9]{99}$`} {
		if _, ok := newClassPattern(p); ok {
			t.Errorf("%q compiled", p)
		}
	}
}
