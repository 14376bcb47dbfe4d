// Package initgc turns Go's garbage collector off while the program's
// packages initialize, so that the sandbox answers sooner: their
// initialization allocates a few megabytes (santhosh-tekuri/jsonschema,
// which kin-openapi imports, compiles five meta-schemas: 1.7 MB), and the
// collection that set off at 4 MB cost 2 to 3 ms of CPU before main
// (GOGC=off against the default, perf stat, 40 runs); with the collector
// off from here on, the sandbox's first answer came 5 to 10 ms sooner
// (medians of 11 starts, the same minutes).
//
// Go initializes, among the packages whose imports are initialized, the
// first by import path (the language specification, since Go 1.21). This
// package waits for runtime/debug's imports (fmt, os…); once they are
// ready, its path sorts before jsonschema's, gofakeit's and kin-openapi's,
// so its init runs before theirs (TestCollectorOffBeforeDependencies in
// cmd/bacasable reads the binary's inittrace). What initializes before it
// allocates about 0.5 MB (gofakeit/v6/data's 0.4 MB among it, having no
// import), under the 4 MB of the first collection.
//
// It leaves the collector alone when GOGC or GOMEMLIMIT tune it. Otherwise
// a soft memory limit (Limit) still bounds the heap while it is off. The
// program turns it back on with Resume: at once for a command that is not
// the sandbox serving its embedded defaults, or once those are loaded.
package initgc

import (
	"os"
	"runtime/debug"
	"sync"
)

// Limit is the soft memory limit while the collector is off: the start
// with the embedded defaults allocates about 25 MB.
const Limit = 256 << 20

// Paused tells whether init turned the collector off.
var Paused bool

var resume = func() {}

func init() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := debug.SetMemoryLimit(Limit)
	percent := debug.SetGCPercent(-1)
	Paused = true
	resume = func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

var once sync.Once

// Resume turns the collector back on as it was before init, the first
// time it is called; later calls do nothing.
func Resume() { once.Do(resume) }
