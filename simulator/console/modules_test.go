package console

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestJavaScriptModules checks the syntax of every module and runs
// testdata/modules_test.mjs, the unit tests of the pure functions (dates,
// durations, the control API's fields, the curl command), with Node. It is
// skipped where Node is not installed: the console itself needs no Node.
func TestJavaScriptModules(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	// Copy the modules as .mjs, imports included, so that any Node reads
	// them as ES modules.
	dir := t.TempDir()
	imports := regexp.MustCompile(`(from\s+'\./[^']+)\.js'`)
	files, _ := fs.Glob(FS(), "js/*.js")
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, f := range files {
		src, _ := fs.ReadFile(FS(), f)
		wg.Go(func() {
			check := exec.CommandContext(ctx, node, "--input-type=module", "--check")
			check.Stdin = bytes.NewReader(src)
			if out, err := check.CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", f, err, out)
			}
		})
		name := strings.TrimSuffix(path.Base(f), ".js") + ".mjs"
		if err := os.WriteFile(filepath.Join(dir, name), imports.ReplaceAll(src, []byte("$1.mjs'")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests, err := os.ReadFile(filepath.Join("testdata", "modules_test.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "modules_test.mjs"), tests, 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.CommandContext(ctx, node, "--test", "modules_test.mjs")
	run.Dir = dir
	run.Env = append(os.Environ(), "TZ=Europe/Paris", "LANG=fr_FR.UTF-8")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Errorf("node --test: %v\n%s", err, out)
	}
}
