package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/bacasable/bacasable/cmd/bacasable/internal/initgc"
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

// keepGCPaused decides how long the collector, off since the packages'
// initialization (initgc), stays off: while the embedded defaults load —
// the start then answers sooner; the collections it would otherwise run
// were a third of its CPU time — but not while a large population loads
// (--population, --fixtures: its heap could pass initgc.Limit, where a
// collector off would collect without end). The function returned turns
// it back on.
func keepGCPaused(large bool) (resume func()) {
	if large {
		initgc.Resume()
	}
	return initgc.Resume
}

// smallGCPercent is the collector's pace with a small population (at most
// smallPopulation personas, the embedded one has about a hundred): the
// heap may grow to three times what is live (GOGC=200) between
// collections instead of twice. What is live is small (about 30 MB, the
// journal full), and under load the collector was about a tenth of the
// server's CPU per request: this halves its work for some 30 to 100 MB
// more heap under load (go run ./bench perf), the soft memory limit
// (setMemoryLimit) still bounding it. A larger population keeps Go's
// default pace (its heap is several times larger), and GOGC or GOMEMLIMIT
// set by the user are theirs.
const (
	smallGCPercent  = 200
	smallPopulation = 10_000
)

// paceGC sets smallGCPercent for a population of personas people, unless
// it is large or the environment tunes the collector.
func paceGC(getenv func(string) string, personas int) {
	if personas > smallPopulation || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(smallGCPercent)
}
