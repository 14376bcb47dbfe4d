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

// startHeap is the soft memory limit while the embedded defaults load with
// the collector off: they allocate about 25 MB, and the collections the
// start would otherwise run were a third of its CPU time.
const startHeap = 256 << 20

// pauseGC turns the garbage collector off while the embedded defaults
// load — the start then answers sooner — unless GOGC or GOMEMLIMIT tune
// the collector, or the population is large (--population, --fixtures:
// its heap could pass startHeap, where a collector off would collect
// without end). The function returned turns it back on.
func pauseGC(getenv func(string) string, large bool) (resume func()) {
	if large || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(startHeap)
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
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
