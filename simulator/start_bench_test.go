package simulator_test

import (
	"testing"

	"github.com/bacasable/bacasable/simulator"
)

// BenchmarkStart measures what `bacasable` does on its embedded defaults
// before it listens: keys and every service built. The embedded population
// and scenarios, the contracts, the Insee reference and the pages are read
// once it answers (docs/architecture.md, "The start");
// BenchmarkStartPopulation adds the population and the scenarios, which
// the binary waits for to print its banner.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartPopulation is BenchmarkStart and then the embedded
// population read: what the binary does before its banner.
func BenchmarkStartPopulation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sb, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080"})
		if err == nil {
			err = sb.Population.Wait()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
