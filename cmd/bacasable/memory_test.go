package main

import (
	"runtime/debug"
	"testing"
)

// TestPaceGC: the default population gets defaultGCPercent; a large one,
// or GOGC / GOMEMLIMIT set, leaves the collector as it is.
func TestPaceGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tc := range []struct {
		name  string
		env   map[string]string
		large bool
		want  int
	}{
		{"default population", nil, false, defaultGCPercent},
		{"large population", nil, true, 100},
		{"GOGC set", map[string]string{"GOGC": "50"}, false, 100},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, false, 100},
	} {
		debug.SetGCPercent(100)
		paceGC(env(tc.env), tc.large)
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("%s: GOGC %d, want %d", tc.name, got, tc.want)
		}
	}
}
