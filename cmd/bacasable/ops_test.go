package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), "bacasable ") || !strings.Contains(out.String(), "go1.") {
			t.Errorf("%v: %q", args, out.String())
		}
	}
}

// TestHealth: GET /_bacasable/health and `bacasable health URL` say when
// the sandbox serves, and fail when nothing listens.
func TestHealth(t *testing.T) {
	sp := startBinary(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"health", "http://" + sp.listen}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("health of a running sandbox: %v", err)
	}
	if !strings.Contains(out.String(), `"status":"ok"`) {
		t.Errorf("health printed %q", out.String())
	}
	// Through the environment, as a container's HEALTHCHECK calls it.
	if err := run(context.Background(), []string{"health"}, mapEnv(map[string]string{"BACASABLE_LISTEN": sp.listen}), &out, &out); err != nil {
		t.Errorf("health from BACASABLE_LISTEN: %v", err)
	}
	_ = sp.cmd.Process.Kill()
	<-sp.done
	if err := run(context.Background(), []string{"health", "http://" + sp.listen}, func(string) string { return "" }, &out, &out); err == nil {
		t.Error("health of a stopped sandbox succeeded")
	}
}

// TestExitsWithItsParent: `go run ./cmd/bacasable & kill $!` kills the go
// command; the sandbox must then stop and free its port, not live on.
func TestExitsWithItsParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("parent watching is checked on Linux")
	}
	bin := buildBinary(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	// A shell named go stands for `go run`: it starts the sandbox and waits.
	goCmd := filepath.Join(t.TempDir(), "go")
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if err := os.Symlink(sh, goCmd); err != nil {
		t.Fatal(err)
	}
	parent := exec.Command(goCmd, "-c", `"$0" --listen 127.0.0.1:0 >"$1.log" 2>&1 & echo $! > "$1"; wait`, bin, pidFile)
	parent.Env = environWithoutBacasable()
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && pid == 0; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if pid == 0 {
		t.Fatal("the sandbox did not start")
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	// Kill the parent once the sandbox runs: killed before the sandbox's
	// first instruction, it would leave a process whose parent was init
	// from the start, which the sandbox cannot tell from a container's.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(pidFile + ".log"); bytes.Contains(b, []byte("Ctrl-C stops")) {
			break
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(pidFile + ".log")
			t.Fatalf("the sandbox was not ready after 10 s:\n%s", out)
		}
	}
	_ = parent.Process.Kill()
	_ = parent.Wait()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		// Gone, or a zombie its new parent has not reaped yet.
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
	}
	status, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	out, _ := os.ReadFile(pidFile + ".log")
	t.Errorf("the sandbox (pid %d) still runs 15 s after its parent was killed:\n%s\n%s", pid, status, out)
}

// TestOutlivesTheShellThatStartedIt: a CI step starts the sandbox in the
// background and ends; the next steps use it. Only `go run` is watched.
func TestOutlivesTheShellThatStartedIt(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("parent watching is checked on Linux")
	}
	bin := buildBinary(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The step waits for the sandbox, as the recipes' health loop does.
	step := exec.Command("sh", "-c", `"$0" --listen 127.0.0.1:0 >"$1.log" 2>&1 & echo $! > "$1"; `+
		`for i in $(seq 200); do grep -q "Ctrl-C stops" "$1.log" && exit 0; sleep 0.05; done; exit 1`, bin, pidFile)
	step.Env = environWithoutBacasable()
	if out, err := step.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid == 0 {
		t.Fatal("the sandbox did not start")
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	// The orphan watch looks every second: three of its looks.
	time.Sleep(3500 * time.Millisecond)
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil || strings.Contains(string(stat), ") Z ") {
		out, _ := os.ReadFile(pidFile + ".log")
		t.Errorf("the sandbox stopped when the shell that started it ended:\n%s", out)
	}
}

// TestLoginCommand: `bacasable login test` walks the chain against a
// running sandbox and prints the household's data.
func TestLoginCommand(t *testing.T) {
	sp := startBinary(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"login", "--url", "http://" + sp.listen, "test"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"1. Authorize as test", "code=", `"acr": "eidas1"`, `"family_name": "DUBOIS"`, "200 OK", `"rfr":`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	err := run(context.Background(), []string{"login", "--url", "http://" + sp.listen, "personne-inconnue"}, func(string) string { return "" }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "BAC-PERSONA") {
		t.Errorf("an unknown persona: %v", err)
	}
}
