package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The CI recipes of docs/ci/ run here, step by step, against the built
// binary, so that a recipe that rots fails bacasable's own CI. The step
// that installs bacasable is replaced by the binary on PATH, the vendor's
// tests by a stand-in, and port 8080 by a free port.

// recipeRun is one job of a recipe, as shell scripts in order.
type recipeRun struct {
	steps []recipeStep
}

type recipeStep struct {
	name   string
	script string
	always bool // runs even after a failure (if: always(), after_script)
}

const (
	installLine  = "go install github.com/bacasable/bacasable/cmd/bacasable@latest"
	yourTestLine = "make test"
)

func githubRecipe(t *testing.T) recipeRun {
	t.Helper()
	var doc struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
				If   string `yaml:"if"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, "github-actions.yml", &doc)
	var run recipeRun
	for _, st := range doc.Jobs["test"].Steps {
		if st.Run != "" {
			run.steps = append(run.steps, recipeStep{name: st.Name, script: st.Run, always: strings.Contains(st.If, "always()")})
		}
	}
	return run
}

func gitlabRecipe(t *testing.T) recipeRun {
	t.Helper()
	var doc map[string]struct {
		BeforeScript []string `yaml:"before_script"`
		Script       []string `yaml:"script"`
		AfterScript  []string `yaml:"after_script"`
	}
	readYAML(t, "gitlab-ci.yml", &doc)
	job := doc["test-against-bacasable"]
	// GitLab runs before_script and script in one shell, after_script in
	// another, whatever happened.
	return recipeRun{steps: []recipeStep{
		{name: "before_script + script", script: strings.Join(append(append([]string{}, job.BeforeScript...), job.Script...), "\n")},
		{name: "after_script", script: strings.Join(job.AfterScript, "\n"), always: true},
	}}
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "ci", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// play runs the recipe's steps with vendorTests standing in for the
// vendor's tests; it returns the name of the first failing step ("" when
// none) and the working directory.
func (run recipeRun) play(t *testing.T, vendorTests string) (failed string, dir string) {
	t.Helper()
	bin := buildBinary(t)
	dir = t.TempDir()
	port := freePort(t)
	t.Cleanup(func() { killListening(port) })
	for _, st := range run.steps {
		if failed != "" && !st.always {
			continue
		}
		script := strings.ReplaceAll(st.script, installLine, "true # bacasable is on PATH")
		script = strings.ReplaceAll(script, yourTestLine, vendorTests)
		script = strings.ReplaceAll(script, ":8080", fmt.Sprintf(":%d", port))
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(environWithoutBacasable(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		t.Logf("step %q:\n%s", st.name, out)
		if err != nil && failed == "" {
			failed = st.name
		}
	}
	return failed, dir
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// killListening stops the sandbox a recipe left in the background.
func killListening(port int) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	needle := fmt.Sprintf("127.0.0.1:%d", port)
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), needle) || !strings.Contains(string(b), "--listen") {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(filepath.Dir(p)), "%d", &pid); err == nil {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	}
	time.Sleep(100 * time.Millisecond)
}

// A vendor's tests that call the services as they should, and one that
// forgets X-Correlation-ID (a contract violation).
const (
	goodVendor = "bacasable login --url http://localhost:8080 test"
	badVendor  = goodVendor + ` && GW=$(curl -s -X POST http://127.0.0.1:8080/token -d grant_type=client_credentials ` +
		`-d client_id=bacasable-demo -d client_secret=bacasable-demo-secret -d scope=RessourceIR | sed 's/.*"access_token":"\([^"]*\)".*/\1/') ` +
		`&& curl -s -o /dev/null -H "Authorization: Bearer $GW" -H "ID_Teleservice: BACASABLE-DEMO" ` +
		`http://127.0.0.1:8080/impotparticulier/1.0/spi/3999999887219/situations/ir/assiettes/annrev/2025`
)

func TestCIRecipes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CI recipes against the binary")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the recipes use curl")
	}
	for name, recipe := range map[string]func(*testing.T) recipeRun{"github-actions": githubRecipe, "gitlab-ci": gitlabRecipe} {
		t.Run(name, func(t *testing.T) {
			run := recipe(t)
			if len(run.steps) < 2 {
				t.Fatalf("no steps read from the recipe: %+v", run)
			}
			failed, dir := run.play(t, goodVendor)
			if failed != "" {
				t.Fatalf("a clean run failed at step %q", failed)
			}
			if st, err := os.Stat(filepath.Join(dir, "bacasable-journal.har")); err != nil || st.Size() < 100 {
				t.Errorf("no journal archived: %v", err)
			}
			if failed, _ := run.play(t, badVendor); failed == "" || name == "github-actions" && !strings.Contains(failed, "violation") {
				t.Errorf("a run with a contract violation failed at %q, want the violations step", failed)
			}
		})
	}
}
