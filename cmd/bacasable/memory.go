package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/bacasable/bacasable/simulator"
)

// minMemoryLimit is the least soft memory limit the sandbox sets.
const minMemoryLimit = 192 << 20

// setMemoryLimit gives the Go runtime a soft memory limit, unless
// GOMEMLIMIT sets one: 192 MiB, or twice the heap the population needs.
// Under a flood of requests the garbage collector then works harder
// instead of letting the heap double (a flood of maximal authorize
// requests peaked at 389 MB without it, 215 MB with).
func setMemoryLimit(getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.SetMemoryLimit(max(minMemoryLimit, int64(ms.HeapAlloc)*2))
}

// sweep drops what expired in the sandbox's stores every period, until ctx
// ends; after a large sweep (a flood's items expired) it hands the memory
// back to the system at once.
func sweep(ctx context.Context, sb *simulator.Sandbox, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if sb.Sweep() > 1000 {
				debug.FreeOSMemory()
			}
		}
	}
}
