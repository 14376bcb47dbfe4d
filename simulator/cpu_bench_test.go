package simulator_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the process's CPU time (user and system, the garbage
// collector's included) over a benchmark's loop: on a shared machine it is
// steadier than ns/op, which also counts the time spent waiting for a
// core.
type cpuClock time.Duration

func startCPU() cpuClock { return cpuClock(processCPU()) }

// report adds the CPU time per operation since start as cpu-ns/op.
func (start cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-time.Duration(start))/float64(b.N), "cpu-ns/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
