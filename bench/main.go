// Command bench measures the sandbox as a vendor's CI meets it: the binary
// built from this module, started in its own process on a loopback port,
// driven over HTTP by an in-process load generator.
//
//	go run ./bench perf [-duration 10s] [-concurrency 50] [-ready-runs 9] [-scenarios spi,fc,token,login,control]   # throughput, latency, CPU and RSS per scenario, against a bare net/http handler; start times
//	go run ./bench soak [-duration 60s] [-concurrency 50]   # memory and login throughput under floods
//
// Every connection goes to 127.0.0.1 or [::1] (loopbackDial refuses any
// other address), and every loop stops after a bounded count or time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  bench perf [-duration 10s] [-concurrency 50] [-ready-runs 9] [-scenarios spi,fc,token,login,control]
  bench soak [-duration 60s] [-concurrency 50] [-listeners 500]
  bench bare [ADDR [CANNED-LOGIN.json]]   (the bare net/http handler perf compares with; started by perf)`

// run dispatches to a mode.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "perf":
		return runPerf(ctx, args[1:], stdout)
	case "soak":
		return runSoak(ctx, args[1:], stdout)
	case "bare":
		addr, canned := "127.0.0.1:0", ""
		if len(args) > 1 {
			addr = args[1]
		}
		if len(args) > 2 {
			canned = args[2]
		}
		return runBare(ctx, addr, canned, stdout)
	}
	return fmt.Errorf("unknown mode %q\n%s", args[0], usage)
}
