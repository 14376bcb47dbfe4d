package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// version describes the build from its embedded build information: the
// module version (a tag, or "(devel)" for a checkout), the commit and
// whether the tree had local changes, and the Go toolchain.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "bacasable (no build information) " + runtime.Version()
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+modifications"
			}
		}
	}
	out := "bacasable " + v
	if rev != "" {
		out += fmt.Sprintf(" (commit %.12s%s, %s)", rev, dirty, at)
	}
	return out + " " + info.GoVersion
}

func runVersion(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, version())
	return nil
}

// runHealth asks a running sandbox whether it is ready: GET
// URL/_bacasable/health answers 200 once the fixtures are loaded and the
// server listens. For a container's HEALTHCHECK (distroless images have no
// curl): bacasable health [URL], exit status 0 when healthy.
func runHealth(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer) error {
	base := "http://127.0.0.1:8080"
	if listen := getenv("BACASABLE_LISTEN"); listen != "" {
		base = "http://" + strings.Replace(listen, "0.0.0.0", "127.0.0.1", 1)
	}
	if len(args) > 1 {
		return fmt.Errorf("usage: bacasable health [URL]")
	}
	if len(args) == 1 {
		base = args[0]
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/_bacasable/health", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	return nil
}

// startParent is the process that started this one, read first thing:
// loading a large population takes a while, and the parent may die
// meanwhile. startedByGo says whether it is the go command.
var startParent = os.Getppid()

var startedByGo = func() bool {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", startParent))
	return err == nil && strings.TrimSpace(string(comm)) == "go"
}()

// orphanContext is ctx, cancelled when the go command that started this
// one goes away: `go run ./cmd/bacasable &` then `kill $!` kills the go
// command, not its child, which would otherwise keep the port. Only `go
// run` is watched: a sandbox started in the background by a shell (a CI
// step, `bacasable &`) must outlive that shell, and one started by init (a
// container's PID 1, systemd) has no parent to watch. Nor has one whose
// go command died before it ran its first instruction.
func orphanContext(ctx context.Context, every time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if startParent <= 1 || !startedByGo {
		return ctx, cancel
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if os.Getppid() != startParent {
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return ctx, cancel
}
