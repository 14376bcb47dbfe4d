package initgc

import (
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

// gcPercent reads the collector's GOGC.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// resumed is set once TestPausedUntilResume has run: the collector is
// then on for good in this process (go test -count 2 runs it again).
var resumed bool

// TestPausedUntilResume: init turned the collector off under Limit;
// Resume, called twice, turns it back on as it was, once.
func TestPausedUntilResume(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("the environment tunes the collector: TestEnvironmentWins covers it")
	}
	if resumed {
		t.Skip("Resume ran in an earlier run of this test, in this process")
	}
	resumed = true
	if !Paused || gcPercent() != -1 || debug.SetMemoryLimit(-1) != Limit {
		t.Fatalf("after init: paused %v, GOGC %d, limit %d; want off under %d", Paused, gcPercent(), debug.SetMemoryLimit(-1), Limit)
	}
	Resume()
	if p := gcPercent(); p != 100 {
		t.Fatalf("after Resume: GOGC %d, want 100", p)
	}
	debug.SetGCPercent(150)
	Resume()
	if p := gcPercent(); p != 150 {
		t.Fatalf("a second Resume set GOGC %d, want it left at 150", p)
	}
	debug.SetGCPercent(100)
}

// TestEnvironmentWins: with GOGC or GOMEMLIMIT set, init leaves the
// collector alone (this test binary run again in that environment).
func TestEnvironmentWins(t *testing.T) {
	if os.Getenv("INITGC_CHILD") != "" {
		if Paused || gcPercent() == -1 {
			t.Fatalf("paused with GOGC=%q GOMEMLIMIT=%q", os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT"))
		}
		return
	}
	for _, env := range []string{"GOGC=150", "GOMEMLIMIT=1GiB"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvironmentWins$", "-test.v")
		cmd.Env = append(os.Environ(), "INITGC_CHILD=1", env)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS") {
			t.Errorf("%s: %v\n%s", env, err, out)
		}
	}
}
