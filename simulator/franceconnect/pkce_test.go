package franceconnect

import (
	"regexp"
	"strings"
	"testing"
)

// TestIsPKCEValueIsTheRegexp: isPKCEValue accepts exactly what RFC 7636's
// pattern matches — every byte at every place of a value, and the lengths
// around the bounds.
func TestIsPKCEValueIsTheRegexp(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	var inputs []string
	for _, n := range []int{0, 1, 42, 43, 44, 127, 128, 129, 300} {
		inputs = append(inputs, strings.Repeat("a", n), strings.Repeat("~", n))
	}
	valid := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ-._~0123456789"
	for c := 0; c < 256; c++ {
		for _, at := range []int{0, 20, len(valid) - 1} {
			b := []byte(valid)
			b[at] = byte(c)
			inputs = append(inputs, string(b))
		}
	}
	inputs = append(inputs, valid+"é", "é"+valid[:42], valid+"\n", " "+valid)
	accepted := 0
	for _, in := range inputs {
		want := pattern.MatchString(in)
		if got := isPKCEValue(in); got != want {
			t.Errorf("isPKCEValue(%q) = %v, the pattern says %v", in, got, want)
		}
		if want {
			accepted++
		}
	}
	if accepted < 66*3 {
		t.Fatalf("only %d inputs accepted: the test does not reach valid values", accepted)
	}
}
