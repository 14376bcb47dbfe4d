package main

import (
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
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

// TestCollectorOffBeforeDependencies: in the binary, initgc initializes
// before the dependencies whose initialization allocates most, so that
// no collection runs during theirs (the point of initgc).
func TestCollectorOffBeforeDependencies(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	order := map[string]int{}
	for i, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			order[f[1]] = i
		}
	}
	gc, ok := order["github.com/bacasable/bacasable/cmd/bacasable/internal/initgc"]
	if !ok {
		t.Fatalf("no init of initgc in the trace:\n%s", out)
	}
	for _, dep := range []string{"github.com/santhosh-tekuri/jsonschema/v6", "github.com/brianvoe/gofakeit/v6",
		"github.com/getkin/kin-openapi/openapi3"} {
		if i, ok := order[dep]; !ok || i < gc {
			t.Errorf("%s initialized before initgc (or not at all)", dep)
		}
	}
}
