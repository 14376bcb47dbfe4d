package main

import (
	"runtime/debug"
	"testing"
)

// TestPaceGC: a small population gets smallGCPercent; a large one, or
// GOGC / GOMEMLIMIT set, leaves the collector as it is.
func TestPaceGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tc := range []struct {
		name     string
		env      map[string]string
		personas int
		want     int
	}{
		{"embedded population", nil, 120, smallGCPercent},
		{"small population", nil, smallPopulation, smallGCPercent},
		{"large population", nil, smallPopulation + 1, 100},
		{"GOGC set", map[string]string{"GOGC": "50"}, 120, 100},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, 120, 100},
	} {
		debug.SetGCPercent(100)
		paceGC(env(tc.env), tc.personas)
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("%s: GOGC %d, want %d", tc.name, got, tc.want)
		}
	}
}
