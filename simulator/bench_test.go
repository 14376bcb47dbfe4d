package simulator_test

import (
	"runtime"
	"testing"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/population"
)

// BenchmarkStart100k measures what `bacasable --population 100000` does
// before it listens: the fixtures, 100 000 generated personas and their
// foyers checked, every service built. It reports the heap the running
// sandbox keeps (heap-MB, after a collection) next to the time.
func BenchmarkStart100k(b *testing.B) {
	gen := population.Generator{N: 100_000, Seed: 1}.Documents
	b.ReportAllocs()
	var heap uint64
	for b.Loop() {
		sb, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080", Generate: gen})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(sb.Population.Personas()); n < 100_000 {
			b.Fatalf("%d personas", n)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc
		runtime.KeepAlive(sb)
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}
